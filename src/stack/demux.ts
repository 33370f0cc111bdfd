import { addrKey, familyKey, portsKey, tupleHash } from './tuple-hash.js';

/** The smallest table once one entry has been stored (about 320 bytes). */
const MIN_SLOTS = 16;

/**
 * Connection lookup by 4-tuple in O(1) without building a string or an
 * object per packet or per connection: one open-addressing table (linear
 * probing, at most half full, backward-shift deletion) whose keys live in
 * typed arrays — remote IPv4 address (or a hash of the IPv6 one), both ports,
 * the interface — beside one array of values. IPv6 addresses are kept whole
 * in a side array, allocated only once an IPv6 entry exists. About 20 bytes a
 * slot, 2–4 slots an entry; a `Map` per port pair, as before, cost ~190 bytes
 * a connection.
 */
export class DemuxTable<T> {
  private count = 0;
  private mask = -1;
  private addrs = new Uint32Array(0);
  private ports = new Uint32Array(0);
  /** iface << 1 | (1 for IPv6) (a slot is empty when its value is undefined). */
  private metas = new Uint32Array(0);
  private vals: Array<T | undefined> = [];
  /** 16 bytes per slot, for IPv6 keys only. */
  private v6: Uint8Array | undefined;

  get size(): number {
    return this.count;
  }

  get(iface: number, localPort: number, remote: Uint8Array, remotePort: number): T | undefined {
    if (this.count === 0) return undefined;
    const i = this.find(iface, portsKey(localPort, remotePort), remote);
    return i < 0 ? undefined : this.vals[i];
  }

  has(iface: number, localPort: number, remote: Uint8Array, remotePort: number): boolean {
    return this.get(iface, localPort, remote, remotePort) !== undefined;
  }

  set(iface: number, localPort: number, remote: Uint8Array, remotePort: number, value: T): void {
    const pk = portsKey(localPort, remotePort);
    const found = this.count === 0 ? -1 : this.find(iface, pk, remote);
    if (found >= 0) {
      this.vals[found] = value;
      return;
    }
    if (2 * (this.count + 1) > this.mask + 1) this.resize(Math.max(MIN_SLOTS, 2 * (this.mask + 1)));
    this.place(addrKey(remote), pk, familyKey(iface, remote), remote, value);
    this.count++;
  }

  /** Remove the entry, but only if it is still `value` (a newer incarnation may have replaced it). True when removed. */
  delete(iface: number, localPort: number, remote: Uint8Array, remotePort: number, value: T): boolean {
    if (this.count === 0) return false;
    const i = this.find(iface, portsKey(localPort, remotePort), remote);
    if (i < 0 || this.vals[i] !== value) return false;
    this.remove(i);
    this.count--;
    // Shrink when an eighth full, never below 16 slots: a stack whose only connection comes and goes (one
    // short connection after another) would otherwise drop and rebuild its arrays for every connection.
    const slots = this.mask + 1;
    if (slots > MIN_SLOTS && 8 * this.count < slots) this.resize(slots / 2);
    return true;
  }

  *values(): IterableIterator<T> {
    for (const v of this.vals) if (v !== undefined) yield v;
  }

  private find(iface: number, pk: number, remote: Uint8Array): number {
    const a = addrKey(remote);
    const m = familyKey(iface, remote);
    const mask = this.mask;
    for (let i = tupleHash(a, pk, m) & mask; this.vals[i] !== undefined; i = (i + 1) & mask) {
      if (this.addrs[i] === a && this.ports[i] === pk && this.metas[i] === m && (remote.length === 4 || this.sameV6(i, remote))) return i;
    }
    return -1;
  }

  private place(a: number, pk: number, m: number, remote: Uint8Array | undefined, value: T): void {
    const mask = this.mask;
    let i = tupleHash(a, pk, m) & mask;
    while (this.vals[i] !== undefined) i = (i + 1) & mask;
    this.addrs[i] = a;
    this.ports[i] = pk;
    this.metas[i] = m;
    this.vals[i] = value;
    if (m & 1) (this.v6 ??= new Uint8Array((mask + 1) * 16)).set(remote!, i * 16);
  }

  /** Backward-shift deletion: entries after the hole move back unless their home lies cyclically in (hole, j]. */
  private remove(hole: number): void {
    const mask = this.mask;
    for (let j = (hole + 1) & mask; this.vals[j] !== undefined; j = (j + 1) & mask) {
      const home = tupleHash(this.addrs[j]!, this.ports[j]!, this.metas[j]!) & mask;
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        this.addrs[hole] = this.addrs[j]!;
        this.ports[hole] = this.ports[j]!;
        this.metas[hole] = this.metas[j]!;
        this.vals[hole] = this.vals[j];
        if (this.v6 && this.metas[j]! & 1) this.v6.copyWithin(hole * 16, j * 16, j * 16 + 16);
        hole = j;
      }
    }
    this.vals[hole] = undefined;
  }

  private sameV6(i: number, remote: Uint8Array): boolean {
    const v6 = this.v6!;
    const base = i * 16;
    for (let k = 0; k < 16; k++) if (v6[base + k] !== remote[k]) return false;
    return true;
  }

  private resize(slots: number): void {
    const { addrs, ports, metas, vals, v6 } = this;
    this.mask = slots - 1;
    this.addrs = new Uint32Array(slots);
    this.ports = new Uint32Array(slots);
    this.metas = new Uint32Array(slots);
    this.vals = new Array<T | undefined>(slots).fill(undefined);
    this.v6 = undefined;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v !== undefined) this.place(addrs[i]!, ports[i]!, metas[i]!, metas[i]! & 1 ? v6!.subarray(i * 16, i * 16 + 16) : undefined, v);
    }
  }
}
