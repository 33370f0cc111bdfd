/**
 * Bulk throughput between two stacks in one process over a lossless
 * MemoryLink, in virtual time: the clock only moves by the link's schedule,
 * so the figure is pure CPU cost of the stack (both ends, one thread) plus
 * the link's copy of every packet (Link contract: MemoryLink copies what it
 * is handed, as a real link copies into its device; small packets into slabs).
 * Wall-clock time is measured with performance.now().
 */
import { performance } from 'node:perf_hooks';
import { MemoryLink } from '../src/link/memory.js';
import type { TcpConfig } from '../src/tcp/config.js';
import { VirtualClock } from '../src/util/virtual-clock.js';
import { connectPair } from './pair.js';

export interface ThroughputOptions {
  /** Link MTU in bytes. */
  mtu: number;
  /** Bytes to move per run. */
  bytes: number;
  /** TCP configuration for both ends. */
  tcp?: Partial<TcpConfig>;
}

export interface RunResult {
  seconds: number;
  gbps: number;
  segmentsA: number;
  segmentsB: number;
  virtualMs: number;
}

const CHUNK = 64 * 1024;

/** One transfer of `bytes` from A to B; returns the wall-clock figures. */
export function runOnce(o: ThroughputOptions): RunResult {
  const clock = new VirtualClock();
  const [linkA, linkB] = MemoryLink.pair(clock, { mtu: o.mtu, seed: 1 });
  const { a, b, client, server: srv } = connectPair(clock, [linkA, linkB], o.tcp);

  const chunk = new Uint8Array(CHUNK);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131) & 0xff;
  let sent = 0;
  let received = 0;
  const pump = (): void => {
    while (sent < o.bytes) {
      const n = client.write(chunk.subarray(0, Math.min(CHUNK, o.bytes - sent)));
      if (n === 0) return;
      sent += n;
    }
  };
  srv.on('readable', () => {
    for (let d = srv.read(); d; d = srv.read()) received += d.length;
  });
  client.on('writable', pump);

  const t0 = performance.now();
  const v0 = clock.now();
  pump();
  clock.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  if (received !== o.bytes) throw new Error(`bench: received ${received} of ${o.bytes} bytes (sent ${sent})`);
  const virtualMs = clock.now() - v0;
  const result = { seconds, gbps: (o.bytes * 8) / seconds / 1e9, segmentsA: a.stats().OutSegs, segmentsB: b.stats().OutSegs, virtualMs };
  a.close();
  b.close();
  return result;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface ThroughputSummary {
  mtu: number;
  bytes: number;
  runs: number;
  gbps: number[];
  medianGbps: number;
  segmentsPerRun: { aToB: number; bToA: number };
  virtualMs: number;
}

/**
 * `runs` measured runs after `warmups` unmeasured ones (the JIT needs a few
 * runs before the figures settle); the median is the figure to quote.
 */
export function measure(o: ThroughputOptions, runs: number, warmups = 3): ThroughputSummary {
  for (let i = 0; i < warmups; i++) runOnce(o);
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) results.push(runOnce(o));
  const gbps = results.map((r) => r.gbps);
  const last = results[results.length - 1]!;
  return {
    mtu: o.mtu,
    bytes: o.bytes,
    runs,
    gbps: gbps.map((g) => Math.round(g * 1000) / 1000),
    medianGbps: Math.round(median(gbps) * 1000) / 1000,
    segmentsPerRun: { aToB: last.segmentsA, bToA: last.segmentsB },
    virtualMs: last.virtualMs,
  };
}
