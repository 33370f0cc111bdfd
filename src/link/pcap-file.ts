/** The Node side of pcap capture: a buffered file sink for PcapWriter. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter, type PcapOptions, type PcapSink } from './pcap.js';

/**
 * A sink appending to `path` (truncated first). Chunks are gathered and
 * written synchronously every `flushBytes` (default 64 KiB) and on flush() /
 * close(), so a capture costs one write(2) per ~64 KiB, and a closed file is
 * complete. Synchronous on purpose: packets are recorded in order from any
 * context, and a crash loses at most the unflushed tail.
 */
export class PcapFileSink implements PcapSink {
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(
    readonly path: string,
    private readonly flushBytes = 64 * 1024,
  ) {
    this.fd = openSync(path, 'w');
  }

  write(chunk: Uint8Array): void {
    if (this.fd === undefined) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.flushBytes) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.pendingBytes === 0) return;
    const all = new Uint8Array(this.pendingBytes);
    let off = 0;
    for (const c of this.pending) {
      all.set(c, off);
      off += c.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    let done = 0;
    while (done < all.length) done += writeSync(this.fd, all, done, all.length - done);
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** A PcapWriter recording into a new file at `path`; close() it to finish the file. */
export class PcapFileWriter extends PcapWriter {
  private readonly fileSink: PcapFileSink;

  constructor(path: string, opts: PcapOptions & { flushBytes?: number } = {}) {
    const sink = new PcapFileSink(path, opts.flushBytes);
    super(sink, opts);
    this.fileSink = sink;
  }

  /** Write out everything recorded so far (e.g. before another program reads the file). */
  flush(): void {
    this.fileSink.flush();
  }
}
