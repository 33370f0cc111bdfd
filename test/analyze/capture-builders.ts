/** Synthetic capture files for the reader tests: pcap / pcapng bytes with any link type, any byte order. */
import { buildTcpPacket } from '../../src/wire/packet.js';
import { parseAddress } from '../../src/wire/ip.js';
import { parseFlags } from '../../src/wire/flags.js';
import type { TcpOptions } from '../../src/wire/tcp-options.js';

export interface Seg {
  t: number; // ms
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: string;
  seq: number;
  ack?: number;
  len?: number;
  win?: number;
  options?: TcpOptions;
}

export function ipPacket(s: Seg): Uint8Array {
  return buildTcpPacket(parseAddress(s.src)!, parseAddress(s.dst)!, {
    srcPort: s.sport,
    dstPort: s.dport,
    seq: s.seq >>> 0,
    ack: (s.ack ?? 0) >>> 0,
    flags: parseFlags(s.flags),
    window: s.win ?? 65535,
    payload: new Uint8Array(s.len ?? 0).fill(0x61),
    options: s.options,
  });
}

/** The parts joined, as a plain Uint8Array (Buffer.concat does the copying). */
function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Wrap an IP packet in a link-layer header. */
export function frame(linkType: number, ip: Uint8Array, opts: { vlans?: number } = {}): Uint8Array {
  const v6 = ip[0] >>> 4 === 6;
  const etype = v6 ? [0x86, 0xdd] : [0x08, 0x00];
  switch (linkType) {
    case 1: {
      const tags: number[] = [];
      for (let i = 0; i < (opts.vlans ?? 0); i++) tags.push(...(i === 0 && (opts.vlans ?? 0) > 1 ? [0x88, 0xa8] : [0x81, 0x00]), 0x00, 10 + i);
      return concat([new Uint8Array([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...tags, ...etype]), ip]);
    }
    case 113: // SLL: packet type, ARPHRD, addr len, addr[8], protocol
      return concat([new Uint8Array([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...etype]), ip]);
    case 276: // SLL2: protocol, reserved, ifindex, ARPHRD, pkttype, addrlen, addr[8]
      return concat([new Uint8Array([...etype, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0]), ip]);
    case 0: // NULL: AF in host (here little-endian) order: AF_INET 2, AF_INET6 30 (macOS)
      return concat([new Uint8Array([v6 ? 30 : 2, 0, 0, 0]), ip]);
    case 101:
      return ip;
    default:
      throw new Error(`builder: link type ${linkType}`);
  }
}

export interface PcapBuild {
  linkType: number;
  bigEndian?: boolean;
  nanos?: boolean;
  snaplen?: number;
}

export function pcapFile(frames: Array<{ t: number; bytes: Uint8Array }>, o: PcapBuild): Uint8Array {
  const le = !o.bigEndian;
  const snap = o.snaplen ?? 262144;
  const h = new Uint8Array(24);
  const hv = new DataView(h.buffer);
  hv.setUint32(0, o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  hv.setUint16(4, 2, le);
  hv.setUint16(6, 4, le);
  hv.setUint32(16, snap, le);
  hv.setUint32(20, o.linkType, le);
  const parts = [h];
  for (const f of frames) {
    const incl = Math.min(snap, f.bytes.length);
    const r = new Uint8Array(16 + incl);
    const v = new DataView(r.buffer);
    const sec = Math.floor(f.t / 1000);
    v.setUint32(0, sec, le);
    v.setUint32(4, Math.round((f.t - sec * 1000) * (o.nanos ? 1e6 : 1e3)), le);
    v.setUint32(8, incl, le);
    v.setUint32(12, f.bytes.length, le);
    r.set(f.bytes.subarray(0, incl), 16);
    parts.push(r);
  }
  return concat(parts);
}

function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const len = 12 + padded;
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, len, le);
  b.set(body, 8);
  v.setUint32(len - 4, len, le);
  return b;
}

/** pcapng: one section, one interface per entry of `ifaces` (link type and tsresol byte), EPBs. */
export function pcapngFile(
  ifaces: Array<{ linkType: number; tsresol?: number; snaplen?: number }>,
  packets: Array<{ iface: number; t: number; bytes: Uint8Array; simple?: boolean }>,
  o: { bigEndian?: boolean } = {},
): Uint8Array {
  const le = !o.bigEndian;
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, 0x1a2b3c4d, le);
  sv.setUint16(4, 1, le);
  sv.setBigInt64(8, -1n, le);
  const parts = [block(0x0a0d0d0a, shb, le)];
  for (const i of ifaces) {
    const body = new Uint8Array(8 + (i.tsresol !== undefined ? 8 : 0) + 4);
    const v = new DataView(body.buffer);
    v.setUint16(0, i.linkType, le);
    v.setUint32(4, i.snaplen ?? 0, le);
    if (i.tsresol !== undefined) {
      v.setUint16(8, 9, le);
      v.setUint16(10, 1, le);
      body[12] = i.tsresol;
    }
    parts.push(block(1, body, le)); // ends with opt_endofopt (zeros)
  }
  for (const p of packets) {
    if (p.simple) {
      const body = new Uint8Array(4 + p.bytes.length);
      new DataView(body.buffer).setUint32(0, p.bytes.length, le);
      body.set(p.bytes, 4);
      parts.push(block(3, body, le));
      continue;
    }
    const r = ifaces[p.iface].tsresol;
    const units = r === undefined ? 1e6 : r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
    const ticks = BigInt(Math.round((p.t / 1000) * units));
    const body = new Uint8Array(20 + p.bytes.length);
    const v = new DataView(body.buffer);
    v.setUint32(0, p.iface, le);
    v.setUint32(4, Number(ticks >> 32n), le);
    v.setUint32(8, Number(ticks & 0xffffffffn), le);
    v.setUint32(12, p.bytes.length, le);
    v.setUint32(16, p.bytes.length, le);
    body.set(p.bytes, 20);
    parts.push(block(6, body, le));
  }
  return concat(parts);
}
