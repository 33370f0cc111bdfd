/**
 * Streaming reader of pcapng (draft-ietf-opsawg-pcapng): Section Header
 * (either byte order, several sections), Interface Description (link type,
 * if_tsresol, if_tsoffset), Enhanced, Simple and obsolete Packet blocks.
 * Other blocks are skipped by their length.
 */
import { ByteWindow } from './byte-buffer.js';
import { CaptureFormatError, type FrameHandler } from './frame.js';
import { MAX_RECORD_BYTES } from './pcap-reader.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second. */
  unitsPerSec: number;
  offsetSec: number;
}

export class PcapngStreamReader {
  private readonly win = new ByteWindow();
  private le = true;
  private interfaces: Interface[] = [];
  private lastTimeMs = 0;
  frames = 0;

  constructor(private readonly onFrame: FrameHandler) {}

  push(chunk: Uint8Array): void {
    this.win.push(chunk);
    while (this.win.available >= 12) {
      const v = this.win.dataView();
      let type = v.getUint32(0, this.le);
      if (v.getUint32(0, true) === PCAPNG_SHB) {
        // The SHB's own length is in the section's byte order: read the byte-order magic first.
        const bom = v.getUint32(8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (v.getUint32(8, false) === BYTE_ORDER_MAGIC) this.le = false;
        else throw new CaptureFormatError('pcapng: bad byte-order magic in a section header');
        type = PCAPNG_SHB;
      }
      const len = v.getUint32(4, this.le);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD_BYTES) throw new CaptureFormatError(`pcapng: block ${this.frames + 1} has an impossible length ${len}`);
      if (this.win.available < len) return;
      this.block(type, new DataView(v.buffer, v.byteOffset, len), len);
      this.win.consume(len);
    }
  }

  get leftover(): number {
    return this.win.available;
  }

  private block(type: number, v: DataView, len: number): void {
    const le = this.le;
    if (type === PCAPNG_SHB) {
      this.interfaces = [];
      return;
    }
    if (type === IDB) {
      const iface: Interface = { linkType: v.getUint16(8, le), snaplen: v.getUint32(12, le), unitsPerSec: 1e6, offsetSec: 0 };
      // Options: code u16, length u16, value padded to 32 bits; end at opt_endofopt (0) or the block's end.
      for (let o = 16; o + 4 <= len - 4; ) {
        const code = v.getUint16(o, le);
        const olen = v.getUint16(o + 2, le);
        if (code === 0) break;
        if (code === OPT_IF_TSRESOL && olen >= 1) {
          const r = v.getUint8(o + 4);
          iface.unitsPerSec = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
        } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
          iface.offsetSec = Number(v.getBigInt64(o + 4, le));
        }
        o += 4 + ((olen + 3) & ~3);
      }
      this.interfaces.push(iface);
      return;
    }
    if (type === EPB || type === OPB) {
      const id = type === EPB ? v.getUint32(8, le) : v.getUint16(8, le);
      const iface = this.interfaces[id];
      if (!iface) throw new CaptureFormatError(`pcapng: packet on undeclared interface ${id}`);
      const hi = v.getUint32(12, le);
      const lo = v.getUint32(16, le);
      const cap = v.getUint32(20, le);
      const orig = v.getUint32(24, le);
      if (28 + cap > len - 4) throw new CaptureFormatError('pcapng: packet data runs past its block');
      const ticks = hi * 4294967296 + lo;
      this.lastTimeMs = (ticks / iface.unitsPerSec + iface.offsetSec) * 1000;
      this.emit(iface, v, 28, cap, orig);
      return;
    }
    if (type === SPB) {
      const iface = this.interfaces[0];
      if (!iface) throw new CaptureFormatError('pcapng: simple packet block before any interface');
      const orig = v.getUint32(8, le);
      let cap = Math.min(orig, len - 16);
      if (iface.snaplen > 0) cap = Math.min(cap, iface.snaplen);
      // No timestamp in a simple packet block: keep the last one seen.
      this.emit(iface, v, 12, cap, orig);
    }
  }

  private emit(iface: Interface, v: DataView, at: number, cap: number, orig: number): void {
    this.frames++;
    this.onFrame({
      timeMs: this.lastTimeMs,
      linkType: iface.linkType,
      data: new Uint8Array(v.buffer, v.byteOffset + at, cap),
      origLen: Math.max(orig, cap),
    });
  }
}
