/**
 * Hand-made IP+TCP packets for the fuzzer: any field value, raw option bytes
 * (malformed ones included), and wire damage applied after the checksums.
 * The stack's own writer (wire/packet.ts) only writes well-formed options,
 * so this builder lays out the TCP header itself; the IP headers come from wire/.
 */
import { finishChecksum, onesSum, pseudoHeaderSum } from '../../src/wire/checksum.js';
import { writeIpv4 } from '../../src/wire/ipv4.js';
import { writeIpv6 } from '../../src/wire/ipv6.js';
import { PROTO_TCP } from '../../src/wire/packet.js';
import type { Rng } from '../../src/util/rng.js';

export interface CraftedSegment {
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** All 8 control bits (FIN SYN RST PSH ACK URG ECE CWR). */
  flags: number;
  window: number;
  urgent?: number;
  /** Raw option bytes; padded with EOL to a multiple of 4 and cut at 40. */
  options: Uint8Array;
  payload: Uint8Array;
}

/** A complete IPv4 or IPv6 packet (by the address size) with correct checksums. */
export function craftPacket(s: CraftedSegment): Uint8Array {
  const optLen = Math.min(40, (s.options.length + 3) & ~3);
  const tcpLen = 20 + optLen + s.payload.length;
  const ipLen = s.src.length === 4 ? 20 : 40;
  const buf = new Uint8Array(ipLen + tcpLen);
  if (ipLen === 20) writeIpv4(buf, 0, { src: s.src, dst: s.dst, protocol: PROTO_TCP, payloadLength: tcpLen });
  else writeIpv6(buf, 0, { src: s.src, dst: s.dst, nextHeader: PROTO_TCP, payloadLength: tcpLen });
  const t = buf.subarray(ipLen);
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  dv.setUint16(0, s.srcPort & 0xffff);
  dv.setUint16(2, s.dstPort & 0xffff);
  dv.setUint32(4, s.seq >>> 0);
  dv.setUint32(8, s.ack >>> 0);
  t[12] = ((20 + optLen) / 4) << 4;
  t[13] = s.flags & 0xff;
  dv.setUint16(14, s.window & 0xffff);
  dv.setUint16(18, (s.urgent ?? 0) & 0xffff);
  t.set(s.options.subarray(0, optLen), 20); // the rest stays 0 = EOL padding
  t.set(s.payload, 20 + optLen);
  dv.setUint16(16, finishChecksum(onesSum(t, pseudoHeaderSum(s.src, s.dst, PROTO_TCP, tcpLen))));
  return buf;
}

/**
 * Damage a packet so that the stack must reject it: one bit flipped (a single
 * bit error always breaks a ones'-complement checksum, or the IP header), a
 * truncation, or a lying length / data-offset / version field. Never makes a
 * packet that could pass for another valid one. Returns a new buffer.
 */
export function damage(packet: Uint8Array, rng: Rng): Uint8Array {
  const p = packet.slice();
  const v6 = p[0]! >>> 4 === 6;
  const ipLen = v6 ? 40 : 20;
  switch (rng.int(6)) {
    case 0: {
      // One bit anywhere that a checksum covers (IPv6's own header fields are not covered: skip them).
      const lo = v6 ? 8 : 0;
      const i = lo + rng.int(p.length - lo);
      p[i] = p[i]! ^ (1 << rng.int(8));
      return p;
    }
    case 1:
      return p.subarray(0, rng.int(p.length)); // truncated anywhere, even to nothing
    case 2:
      p[ipLen + 12] = (rng.int(5) << 4) | (p[ipLen + 12]! & 0x0f); // data offset below 5 words
      return p;
    case 3:
      p[ipLen + 12] = (15 << 4) | (p[ipLen + 12]! & 0x0f); // data offset past the end (and checksum broken)
      return p;
    case 4:
      p[0] = (rng.int(16) << 4) | (p[0]! & 0x0f); // any IP version
      if (p[0]! >>> 4 === (v6 ? 6 : 4)) p[0] = p[0]! ^ 0x80;
      return p;
    default: {
      // IP length field larger than the packet.
      const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
      if (v6) dv.setUint16(4, Math.min(0xffff, p.length - 40 + 1 + rng.int(1000)));
      else dv.setUint16(2, Math.min(0xffff, p.length + 1 + rng.int(1000)));
      return p;
    }
  }
}

/** Option kinds. */
const NOP = 1;
const MSS = 2;
const WS = 3;
const SACKP = 4;
const SACK = 5;
const TS = 8;

/** Builds raw option bytes. */
export class OptionWriter {
  private readonly bytes: number[] = [];
  nop(): this {
    this.bytes.push(NOP);
    return this;
  }
  mss(v: number): this {
    this.bytes.push(MSS, 4, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  wscale(v: number): this {
    this.bytes.push(NOP, WS, 3, v & 0xff);
    return this;
  }
  sackPermitted(): this {
    this.bytes.push(NOP, NOP, SACKP, 2);
    return this;
  }
  ts(val: number, ecr: number): this {
    this.bytes.push(NOP, NOP, TS, 10, ...u32(val), ...u32(ecr));
    return this;
  }
  sack(blocks: ReadonlyArray<readonly [number, number]>): this {
    this.bytes.push(NOP, NOP, SACK, 2 + 8 * blocks.length);
    for (const [l, r] of blocks) this.bytes.push(...u32(l), ...u32(r));
    return this;
  }
  raw(...b: number[]): this {
    for (const x of b) this.bytes.push(x & 0xff);
    return this;
  }
  get length(): number {
    return this.bytes.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.bytes.slice(0, 40));
  }
}

function u32(v: number): number[] {
  v >>>= 0;
  return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** Malformed or extreme option lists: bad lengths, unknown kinds, repeats, no EOL, a list running off the end. */
export function malformedOptions(rng: Rng): Uint8Array {
  switch (rng.int(8)) {
    case 0:
      return Uint8Array.of(MSS, 0, 0, 0); // length 0
    case 1:
      return Uint8Array.of(TS, 1, 0, 0); // length 1
    case 2:
      return Uint8Array.of(SACK, 40, 0, 0); // runs past the end
    case 3:
      return Uint8Array.of(SACK, 2 + 8 * 5, ...new Array<number>(38).fill(0)); // five blocks: too long
    case 4:
      return Uint8Array.of(WS, 3, 255, NOP, MSS, 4, 0, 0); // window scale 255, MSS 0
    case 5: {
      const b = new Uint8Array(4 + rng.int(37)); // random bytes
      for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
      return b;
    }
    case 6:
      return Uint8Array.of(200, 2, 253, 6, 1, 2, 3, 4, 0, 0, 0, 0); // unknown and experimental kinds
    default:
      return Uint8Array.of(TS, 10, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, TS, 10, 0, 0, 0, 1, 0, 0, 0, 1); // repeated TS
  }
}
