/**
 * Read a pcap or pcapng file (detected by its first bytes) in fixed-size
 * chunks and hand every frame to a callback: a multi-GB capture runs in the
 * memory of one chunk plus one record.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CaptureFormatError, type FrameHandler } from './frame.js';
import { isPcapMagic, PcapStreamReader } from './pcap-reader.js';
import { PCAPNG_SHB, PcapngStreamReader } from './pcapng-reader.js';

export interface CaptureParser {
  push(chunk: Uint8Array): void;
  readonly leftover: number;
  readonly frames: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** A parser for the format whose first four bytes are `first4`. */
export function parserFor(first4: Uint8Array, onFrame: FrameHandler): { format: CaptureFormat; parser: CaptureParser } {
  if (first4.length < 4) throw new CaptureFormatError('file too short to be a capture');
  if (isPcapMagic(first4)) return { format: 'pcap', parser: new PcapStreamReader(onFrame) };
  const le = new DataView(first4.buffer, first4.byteOffset, 4).getUint32(0, true);
  if (le === PCAPNG_SHB) return { format: 'pcapng', parser: new PcapngStreamReader(onFrame) };
  throw new CaptureFormatError('not a pcap or pcapng file (tcpdump -w and Wireshark write these)');
}

export interface ReadResult {
  format: CaptureFormat;
  frames: number;
  bytes: number;
  /** Bytes of an incomplete last record (a capture still being written, or cut). */
  leftover: number;
}

export interface ReadOptions {
  chunkBytes?: number;
  /** Called after every chunk with bytes read so far and the file size. */
  onProgress?: (done: number, total: number) => void;
}

/** Parse a whole byte array (tests, small inputs). */
export function readCaptureBytes(bytes: Uint8Array, onFrame: FrameHandler): ReadResult {
  const { format, parser } = parserFor(bytes.subarray(0, 4), onFrame);
  parser.push(bytes);
  return { format, frames: parser.frames, bytes: bytes.length, leftover: parser.leftover };
}

export function readCaptureFile(path: string, onFrame: FrameHandler, opts: ReadOptions = {}): ReadResult {
  const fd = openSync(path, 'r');
  try {
    const total = fstatSync(fd).size;
    const chunk = new Uint8Array(opts.chunkBytes ?? 1 << 20);
    let n = readSync(fd, chunk, 0, chunk.length, null);
    if (n < 4) throw new CaptureFormatError(`${path}: too short to be a capture (${n} bytes)`);
    const { format, parser } = parserFor(chunk.subarray(0, 4), onFrame);
    let done = 0;
    while (n > 0) {
      parser.push(chunk.subarray(0, n));
      done += n;
      opts.onProgress?.(done, total);
      n = readSync(fd, chunk, 0, chunk.length, null);
    }
    return { format, frames: parser.frames, bytes: done, leftover: parser.leftover };
  } finally {
    closeSync(fd);
  }
}
