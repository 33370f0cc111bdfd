/**
 * Packet capture in the classic libpcap file format, readable by tcpdump,
 * Wireshark and tshark; and `tapLink`, which records every packet a Link
 * sends and receives.
 *
 * Format (pcap-savefile(5); draft-ietf-opsawg-pcap): a 24-byte global header
 *   u32 magic 0xa1b2c3d4 (microsecond timestamps), u16 version 2.4,
 *   i32 thiszone 0, u32 sigfigs 0, u32 snaplen, u32 linktype
 * then per packet a 16-byte record header
 *   u32 ts_sec, u32 ts_usec, u32 incl_len, u32 orig_len
 * and incl_len bytes of packet. Everything is written little-endian; readers
 * detect the byte order from the magic. The link type is LINKTYPE_RAW (101):
 * each packet starts with an IPv4 or IPv6 header, which is exactly what a
 * synack Link carries.
 *
 * No Node APIs here: PcapWriter turns packets into byte chunks and hands them
 * to a sink. `pcap-file.ts` has the small Node sink that writes a file.
 */
import type { Link } from './link.js';

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** LINKTYPE_RAW: raw IPv4/IPv6, no link-layer header. */
export const LINKTYPE_RAW = 101;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const PCAP_HEADER_BYTES = 24;
export const PCAP_RECORD_BYTES = 16;
const DEFAULT_SNAPLEN = 262144;

/** Where a PcapWriter's bytes go. A chunk is owned by the sink once given. */
export interface PcapSink {
  write(chunk: Uint8Array): void;
  /** Called once by PcapWriter.close(). */
  close?(): void;
}

export interface PcapOptions {
  /**
   * Timestamp source in milliseconds since the Unix epoch (fractions kept to
   * the microsecond). Default: wall time, performance.timeOrigin +
   * performance.now(). For virtual time pass e.g. `() => clock.now()` (the
   * capture then starts at 1970-01-01, which every reader accepts).
   */
  now?: () => number;
  /** Largest number of bytes kept per packet (longer packets are truncated; orig_len keeps the real size). */
  snaplen?: number;
  /** Default LINKTYPE_RAW. */
  linkType?: number;
}

function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Writes a pcap stream: the global header at construction, then one chunk per packet. */
export class PcapWriter {
  readonly snaplen: number;
  readonly linkType: number;
  private readonly sink: PcapSink;
  private readonly now: () => number;
  private count = 0;
  private closed = false;

  constructor(sink: PcapSink | ((chunk: Uint8Array) => void), opts: PcapOptions = {}) {
    this.sink = typeof sink === 'function' ? { write: sink } : sink;
    this.now = opts.now ?? wallClockMs;
    this.snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    this.linkType = opts.linkType ?? LINKTYPE_RAW;
    if (!(Number.isInteger(this.snaplen) && this.snaplen > 0 && this.snaplen <= 0x7fffffff)) throw new RangeError(`snaplen must be a positive integer, got ${this.snaplen}`);
    const h = new Uint8Array(PCAP_HEADER_BYTES);
    const v = new DataView(h.buffer);
    v.setUint32(0, PCAP_MAGIC_USEC, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true); // thiszone: timestamps are UTC
    v.setUint32(12, 0, true); // sigfigs
    v.setUint32(16, this.snaplen, true);
    v.setUint32(20, this.linkType, true);
    this.sink.write(h);
  }

  /** Packets written so far. */
  get packets(): number {
    return this.count;
  }

  /** Record one packet, stamped `timeMs` (default: now()). Ignored after close(). The bytes are copied at once. */
  write(packet: Uint8Array, timeMs?: number): void {
    if (this.closed) return;
    const t = timeMs ?? this.now();
    const incl = Math.min(packet.length, this.snaplen);
    const chunk = new Uint8Array(PCAP_RECORD_BYTES + incl);
    const v = new DataView(chunk.buffer);
    // Split into whole seconds and microseconds without losing precision on large epochs.
    let sec = Math.floor(t / 1000);
    let usec = Math.round((t - sec * 1000) * 1000);
    if (usec >= 1_000_000) {
      sec += 1;
      usec -= 1_000_000;
    }
    v.setUint32(0, sec >>> 0, true);
    v.setUint32(4, usec, true);
    v.setUint32(8, incl, true);
    v.setUint32(12, packet.length, true);
    chunk.set(incl === packet.length ? packet : packet.subarray(0, incl), PCAP_RECORD_BYTES);
    this.count++;
    this.sink.write(chunk);
  }

  /** Stop recording and close the sink. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close?.();
  }
}

export interface TapOptions {
  /** Close the writer when the tapped link is closed (default false: one writer may serve several links). */
  closeWriter?: boolean;
}

/**
 * Wrap a Link so every packet it sends and every packet it delivers is
 * recorded (at the moment it passes, before the link or handler can touch
 * it). The returned Link behaves exactly like the wrapped one, offloads
 * included: on a link with offloads the capture shows what the stack handed
 * over and was handed — TSO super-segments before the device cuts them, GSO
 * super-packets as the kernel delivered them, TCP checksums partial (as
 * tcpdump shows them on a host with checksum offload).
 */
export function tapLink(link: Link, writer: PcapWriter, opts: TapOptions = {}): Link {
  return {
    get mtu() {
      return link.mtu;
    },
    get offload() {
      return link.offload;
    },
    send(packet: Uint8Array, segmentSize?: number, csumPartial?: boolean): void {
      writer.write(packet);
      link.send(packet, segmentSize, csumPartial);
    },
    onPacket(handler: (packet: Uint8Array, flags?: number) => void): void {
      link.onPacket((packet, flags) => {
        writer.write(packet);
        handler(packet, flags);
      });
    },
    close(): void {
      link.close();
      if (opts.closeWriter) writer.close();
    },
  };
}

export interface PcapRecord {
  /** Timestamp in ms since the epoch (microsecond or nanosecond precision, per the file). */
  timeMs: number;
  /** The captured bytes (a view into the input). */
  data: Uint8Array;
  /** Length of the packet on the wire. */
  origLen: number;
}

export interface PcapFile {
  linkType: number;
  snaplen: number;
  nanosecond: boolean;
  records: PcapRecord[];
}

/**
 * Parse a classic pcap file (either byte order, micro- or nanosecond
 * magic). Throws on a bad magic or a truncated record.
 */
export function parsePcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < PCAP_HEADER_BYTES) throw new RangeError('pcap: shorter than the global header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  const m = v.getUint32(0, true);
  if (m === PCAP_MAGIC_USEC || m === PCAP_MAGIC_NSEC) le = true;
  else {
    const mb = v.getUint32(0, false);
    if (mb !== PCAP_MAGIC_USEC && mb !== PCAP_MAGIC_NSEC) throw new RangeError(`pcap: bad magic 0x${m.toString(16)}`);
    le = false;
  }
  const nanosecond = v.getUint32(0, le) === PCAP_MAGIC_NSEC;
  const snaplen = v.getUint32(16, le);
  const linkType = v.getUint32(20, le) & 0x0fffffff; // upper bits: FCS info
  const records: PcapRecord[] = [];
  let off = PCAP_HEADER_BYTES;
  while (off < bytes.length) {
    if (off + PCAP_RECORD_BYTES > bytes.length) throw new RangeError(`pcap: truncated record header at ${off}`);
    const sec = v.getUint32(off, le);
    const frac = v.getUint32(off + 4, le);
    const incl = v.getUint32(off + 8, le);
    const origLen = v.getUint32(off + 12, le);
    off += PCAP_RECORD_BYTES;
    if (off + incl > bytes.length) throw new RangeError(`pcap: truncated packet at ${off}`);
    records.push({ timeMs: sec * 1000 + (nanosecond ? frac / 1e6 : frac / 1e3), data: bytes.subarray(off, off + incl), origLen });
    off += incl;
  }
  return { linkType, snaplen, nanosecond, records };
}
