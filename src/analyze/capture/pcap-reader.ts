/**
 * Streaming reader of classic pcap (pcap-savefile(5)): either byte order,
 * microsecond or nanosecond magic. Frames go to a callback as soon as they
 * are complete; memory holds one record at a time. The format constants are
 * the ones the pcap writer uses (src/link/pcap.ts).
 */
import { PCAP_HEADER_BYTES, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, PCAP_RECORD_BYTES } from '../../link/pcap.js';
import { ByteWindow } from './byte-buffer.js';
import { CaptureFormatError, type FrameHandler } from './frame.js';

/** Larger records than this are corruption, not packets (libpcap's own limit is 256 KiB snaplen; allow headroom). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export function isPcapMagic(first4: Uint8Array): boolean {
  const v = new DataView(first4.buffer, first4.byteOffset, 4);
  const le = v.getUint32(0, true);
  const be = v.getUint32(0, false);
  return le === PCAP_MAGIC_USEC || le === PCAP_MAGIC_NSEC || be === PCAP_MAGIC_USEC || be === PCAP_MAGIC_NSEC;
}

export class PcapStreamReader {
  private readonly win = new ByteWindow();
  private le = true;
  private nanos = false;
  private linkType = -1;
  frames = 0;

  constructor(private readonly onFrame: FrameHandler) {}

  push(chunk: Uint8Array): void {
    this.win.push(chunk);
    if (this.linkType < 0) {
      if (this.win.available < PCAP_HEADER_BYTES) return;
      const v = this.win.dataView();
      const m = v.getUint32(0, true);
      if (m === PCAP_MAGIC_USEC || m === PCAP_MAGIC_NSEC) this.le = true;
      else if (v.getUint32(0, false) === PCAP_MAGIC_USEC || v.getUint32(0, false) === PCAP_MAGIC_NSEC) this.le = false;
      else throw new CaptureFormatError(`not a pcap file (magic 0x${m.toString(16)})`);
      this.nanos = v.getUint32(0, this.le) === PCAP_MAGIC_NSEC;
      this.linkType = v.getUint32(20, this.le) & 0x0fffffff; // upper bits: FCS information
      this.win.consume(PCAP_HEADER_BYTES);
    }
    while (this.win.available >= PCAP_RECORD_BYTES) {
      const v = this.win.dataView();
      const sec = v.getUint32(0, this.le);
      const frac = v.getUint32(4, this.le);
      const incl = v.getUint32(8, this.le);
      const orig = v.getUint32(12, this.le);
      if (incl > MAX_RECORD_BYTES) throw new CaptureFormatError(`pcap record ${this.frames + 1}: captured length ${incl} is not plausible (corrupt file?)`);
      if (this.win.available < PCAP_RECORD_BYTES + incl) return;
      this.frames++;
      this.onFrame({
        timeMs: sec * 1000 + (this.nanos ? frac / 1e6 : frac / 1e3),
        linkType: this.linkType,
        data: this.win.view(PCAP_RECORD_BYTES, incl),
        origLen: Math.max(orig, incl),
      });
      this.win.consume(PCAP_RECORD_BYTES + incl);
    }
  }

  /** Bytes left over at the end: a partial record (the capture was cut while being written). */
  get leftover(): number {
    return this.win.available;
  }
}
