import { formatAddress } from '../wire/ip.js';

/**
 * One shared array per remote IPv4 address among a stack's connections,
 * counted: a server with many connections from few hosts (or a client with
 * many to one server) keeps one small array per host instead of one (with
 * its ArrayBuffer, once a checksum has viewed it) per connection. Connections
 * never write their addresses. IPv6 addresses are copied, not shared.
 */
export class AddressIntern {
  private readonly shared = new Map<number, { addr: Uint8Array; refs: number; text: string | undefined }>();

  /** The shared array for `addr` (its bytes are copied on first use), counted until `release`. */
  take(addr: Uint8Array): Uint8Array {
    if (addr.length !== 4) return addr.slice();
    const key = ((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0;
    let e = this.shared.get(key);
    if (!e) this.shared.set(key, (e = { addr: addr.slice(), refs: 0, text: undefined }));
    e.refs++;
    return e.addr;
  }

  /** One user of an array `take` returned is gone. */
  release(addr: Uint8Array): void {
    if (addr.length !== 4) return;
    const key = ((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0;
    const e = this.shared.get(key);
    if (e?.addr === addr && --e.refs === 0) this.shared.delete(key);
  }

  /** The address as text ("10.0.0.2"), formatted once per shared IPv4 array. */
  text(addr: Uint8Array): string {
    if (addr.length !== 4) return formatAddress(addr);
    const e = this.shared.get(((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0);
    if (e?.addr !== addr) return formatAddress(addr);
    return (e.text ??= formatAddress(addr));
  }

  /** Distinct addresses held. */
  get size(): number {
    return this.shared.size;
  }
}
