/**
 * A connection's packet template (issue 11, "Send"): what every IP + TCP
 * packet of one 4-tuple has in common — addresses, ports, protocol, TTL, and
 * the ones'-complement sums of those constant words — computed once; each
 * packet then only patches seq, ack, flags, window, options, lengths, IPv4
 * id and ECN, copies its payload and sums it in the same call, and folds.
 * The bytes are those buildTcpPacket writes (test/wire/tcp-template.test.ts
 * checks it on random segments).
 */
import { copyOnesSum, copyRangeOnesSum, finishChecksum, foldSum, onesSumRange, pseudoHeaderSum } from './checksum.js';
import { setU16 } from './bytes.js';
import { PROTO_TCP } from './packet.js';
import { tcpOptionsLength, writeTcpOptions, type TcpOptions } from './tcp-options.js';

const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const TCP_HEADER = 20;
/** First 16-bit word of our IPv4 headers without the TOS byte: version 4, IHL 5. */
const IPV4_VERSION_IHL = 0x4500;
/** Flags and fragment offset: DF (RFC 1191 path MTU discovery; this stack never fragments). */
const IPV4_DF = 0x4000;

/** The largest packet built here: an IPv6 header and 65535 bytes of payload. */
const MAX_PACKET = IPV6_HEADER + 0xffff;
/** An owned buffer starts this large (a 1500-byte MTU packet fits). */
const MIN_OWNED = 2048;

/**
 * One reusable buffer that packets are built in, each at its start. A buffer
 * the stack owns remembers which template wrote the constant bytes last, so
 * consecutive packets of one connection skip them; a buffer lent by a link
 * (Link.txScratch) may be written by the link between packets, so it is
 * always rewritten whole.
 */
export class PacketBuffer {
  /** The template whose constant bytes the buffer holds (only when `owned`). */
  holder: TcpTemplate | undefined = undefined;
  /** Views of the buffer's start, one per length seen recently (slot = length mod 16): no subarray per packet. */
  private readonly views: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(16).fill(undefined);

  constructor(
    public bytes: Uint8Array,
    readonly owned: boolean,
  ) {}

  /** Make room for a packet of `length` bytes (an owned buffer grows; a lent one must already be large enough). */
  fits(length: number): boolean {
    if (length <= this.bytes.length) return true;
    if (!this.owned) return false;
    this.bytes = new Uint8Array(Math.max(length, Math.min(this.bytes.length * 2, MAX_PACKET), MIN_OWNED));
    this.holder = undefined;
    this.views.fill(undefined);
    return true;
  }

  /** The first `length` bytes (a view kept for reuse). */
  view(length: number): Uint8Array {
    const slot = length & 15;
    let v = this.views[slot];
    if (v === undefined || v.length !== length) this.views[slot] = v = this.bytes.subarray(0, length);
    return v;
  }
}

/** The header fields of one packet of a template: the fields of the TCP layer's OutSegment (read in place, no object per packet). */
export interface TemplateHeader {
  seq: number;
  ack: number;
  /** Low 8 control bits (flags.ts). */
  flags: number;
  window: number;
  options?: TcpOptions;
  /** ECN codepoint (ecn.ts: the low 2 bits of the IPv4 TOS / IPv6 Traffic Class); absent = Not-ECT. */
  ecn?: number;
}

/** One packet of a template: the header fields and the payload as an array of its own. */
export interface TemplateSegment extends TemplateHeader {
  payload: Uint8Array;
}

/**
 * The constant part of one 4-tuple's packets: built once per connection and
 * kept on its record; segments that belong to no connection (RSTs, TIME_WAIT
 * rows' ACKs, SYN cookies) get a template of their own.
 */
export class TcpTemplate {
  // Four fields (one template per connection, 56 bytes on a 64-bit heap), numbers packed as small integers.
  /** Source port << 16 | destination port, as an int32. */
  private readonly portPair: number;
  /** TTL << 16 | the folded sum of src + dst + protocol of the pseudo-header (RFC 9293 §3.1, RFC 8200 §8.1); the TCP length is added per packet. */
  private readonly ttlPseudo: number;

  /** `src` and `dst` are kept by reference (not copied): they must not change. Throws RangeError on bad address sizes (a programming error). */
  constructor(
    readonly src: Uint8Array,
    readonly dst: Uint8Array,
    srcPort: number,
    dstPort: number,
    ttl = 64,
  ) {
    this.portPair = ((srcPort & 0xffff) << 16) | (dstPort & 0xffff);
    // The pseudo-header without its length (checksum.ts checks the address sizes).
    this.ttlPseudo = ((ttl & 0xff) << 16) | pseudoHeaderSum(src, dst, PROTO_TCP, 0);
  }

  get srcPort(): number {
    return this.portPair >>> 16;
  }

  get dstPort(): number {
    return this.portPair & 0xffff;
  }

  get ttl(): number {
    return this.ttlPseudo >>> 16;
  }

  /** IP header bytes in front of the TCP header: 20 (IPv4) or 40 (IPv6). */
  get ipHeaderLength(): number {
    return this.src.length === 4 ? IPV4_HEADER : IPV6_HEADER;
  }

  /**
   * Write `seg` as one packet at the start of `buf` and return its length; 0 when
   * a lent buffer is too small (the caller then uses its own). `id` is the IPv4
   * identification (IPv6 has none).
   * With `csumPartial` the TCP checksum field holds only the pseudo-header sum
   * (a link with checksum offload completes it) and the payload is not summed.
   * Throws RangeError when the packet exceeds what IP carries (65535 bytes of IPv4 packet, of IPv6 payload).
   */
  write(buf: PacketBuffer, seg: TemplateSegment, id: number, csumPartial: boolean): number {
    const payload = seg.payload;
    return this.writeFrom(buf, seg, id, csumPartial, payload, 0, payload.length);
  }

  /**
   * `write` with the payload given by place: `dataLength` bytes of `data` from `dataAt` (a range of the
   * connection's send ring), so that the sender makes no view of it per segment (issue 11).
   */
  writeFrom(buf: PacketBuffer, seg: TemplateHeader, id: number, csumPartial: boolean, data: Uint8Array, dataAt: number, dataLength: number): number {
    const options = seg.options;
    const optLen = options === undefined ? 0 : tcpOptionsLength(options);
    const ipLen = this.src.length === 4 ? IPV4_HEADER : IPV6_HEADER;
    const dataOffset = TCP_HEADER + optLen;
    const tcpLength = dataOffset + dataLength;
    const total = ipLen + tcpLength;
    if (ipLen === IPV4_HEADER ? total > 0xffff : tcpLength > 0xffff) throw new RangeError(`TcpTemplate: a ${total}-byte packet does not fit in IP`);
    if (!buf.fits(total)) return 0;
    const b = buf.bytes;
    if (!buf.owned || buf.holder !== this) {
      this.writeConstants(b);
      if (buf.owned) buf.holder = this;
    }
    const tos = (seg.ecn ?? 0) & 0b11;
    if (ipLen === IPV4_HEADER) {
      const idField = id & 0xffff;
      b[1] = tos;
      setU16(b, 2, total);
      setU16(b, 4, idField);
      // RFC 1071 over the ten header words, the checksum field counted as zero: version/IHL, DF, TTL/protocol and
      // the addresses never change — the addresses and protocol are in the pseudo-header's sum already.
      const ttlPseudo = this.ttlPseudo;
      setU16(b, 10, finishChecksum(foldSum((ttlPseudo & 0xffff) + IPV4_VERSION_IHL + IPV4_DF + ((ttlPseudo >>> 16) << 8) + tos + total + idField)));
    } else {
      b[0] = 0x60; // version 6, Traffic Class high nibble 0 (only the ECN bits are set)
      b[1] = tos << 4; // Traffic Class low nibble, flow label 0
      setU16(b, 4, tcpLength);
    }
    const t = ipLen;
    const seq = seg.seq >>> 0;
    const ack = seg.ack >>> 0;
    const window = seg.window & 0xffff;
    // Byte by byte here rather than through setU32: a 32-bit value above 2^31 passed to a call that is not
    // inlined is boxed (a heap number per field per packet).
    b[t + 4] = seq >>> 24;
    b[t + 5] = seq >>> 16;
    b[t + 6] = seq >>> 8;
    b[t + 7] = seq;
    b[t + 8] = ack >>> 24;
    b[t + 9] = ack >>> 16;
    b[t + 10] = ack >>> 8;
    b[t + 11] = ack;
    const offsetFlags = ((dataOffset >>> 2) << 12) | (seg.flags & 0xff);
    setU16(b, t + 12, offsetFlags);
    setU16(b, t + 14, window);
    if (optLen > 0) writeTcpOptions(b, t + TCP_HEADER, options!);
    const pseudo = (this.ttlPseudo & 0xffff) + tcpLength;
    if (csumPartial) {
      if (dataLength > 0) b.set(dataLength === data.length ? data : data.subarray(dataAt, dataAt + dataLength), t + dataOffset);
      setU16(b, t + 16, foldSum(pseudo));
      return total;
    }
    // Urgent pointer 0 and the checksum field (counted as zero) add nothing.
    const ports = this.portPair;
    let sum = pseudo + (ports >>> 16) + (ports & 0xffff) + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + offsetFlags + window;
    if (optLen > 0) sum = onesSumRange(b, t + TCP_HEADER, t + dataOffset, sum);
    if (dataLength > 0) {
      const at = t + dataOffset;
      sum = dataLength === data.length ? copyOnesSum(data, b, at, foldSum(sum)) : copyRangeOnesSum(data, dataAt, dataLength, b, at, foldSum(sum));
    }
    setU16(b, t + 16, finishChecksum(foldSum(sum)));
    return total;
  }

  /** The bytes every packet of this template shares. */
  private writeConstants(b: Uint8Array): void {
    if (this.src.length === 4) {
      b[0] = IPV4_VERSION_IHL >>> 8;
      setU16(b, 6, IPV4_DF);
      b[8] = this.ttlPseudo >>> 16;
      b[9] = PROTO_TCP;
      b.set(this.src, 12);
      b.set(this.dst, 16);
    } else {
      setU16(b, 2, 0); // flow label 0
      b[6] = PROTO_TCP;
      b[7] = this.ttlPseudo >>> 16;
      b.set(this.src, 8);
      b.set(this.dst, 24);
    }
    const t = this.ipHeaderLength;
    setU16(b, t, this.portPair >>> 16);
    setU16(b, t + 2, this.portPair & 0xffff);
    setU16(b, t + 18, 0); // urgent pointer
  }
}
