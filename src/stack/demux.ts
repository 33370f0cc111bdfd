/**
 * Connection lookup by 4-tuple in O(1) without building a string per packet:
 * an outer map keyed by (local port, remote port) packed in one number, and an
 * inner map keyed by the remote IPv4 address as a number (plus the interface
 * index), or by a short string for IPv6.
 */
export class DemuxTable<T> {
  private readonly outer = new Map<number, Map<number | string, T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(iface: number, localPort: number, remote: Uint8Array, remotePort: number): T | undefined {
    return this.outer.get(portsKey(localPort, remotePort))?.get(remoteKey(iface, remote));
  }

  has(iface: number, localPort: number, remote: Uint8Array, remotePort: number): boolean {
    return this.get(iface, localPort, remote, remotePort) !== undefined;
  }

  set(iface: number, localPort: number, remote: Uint8Array, remotePort: number, value: T): void {
    const pk = portsKey(localPort, remotePort);
    let inner = this.outer.get(pk);
    if (!inner) this.outer.set(pk, (inner = new Map()));
    const rk = remoteKey(iface, remote);
    if (!inner.has(rk)) this.count++;
    inner.set(rk, value);
  }

  /** Remove the entry, but only if it is still `value` (a newer incarnation may have replaced it). */
  delete(iface: number, localPort: number, remote: Uint8Array, remotePort: number, value: T): void {
    const pk = portsKey(localPort, remotePort);
    const inner = this.outer.get(pk);
    if (!inner) return;
    const rk = remoteKey(iface, remote);
    if (inner.get(rk) !== value) return;
    inner.delete(rk);
    this.count--;
    if (inner.size === 0) this.outer.delete(pk);
  }

  *values(): IterableIterator<T> {
    for (const inner of this.outer.values()) yield* inner.values();
  }
}

function portsKey(localPort: number, remotePort: number): number {
  return localPort * 65536 + remotePort;
}

function remoteKey(iface: number, addr: Uint8Array): number | string {
  if (addr.length === 4) return iface * 4294967296 + (((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0);
  let s = `${iface}/`;
  for (let i = 0; i < addr.length; i++) s += addr[i]!.toString(16).padStart(2, '0');
  return s;
}
