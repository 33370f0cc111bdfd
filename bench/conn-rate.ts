/**
 * Short connections per second through the node:net API (`stack.net`) on a
 * RealClock: connect, 1 byte each way, close — issue 11's "connection rate"
 * figure (Linux does 38–41k/s on loopback).
 *
 *   taskset -c 1 node dist/bench/conn-rate.js [--connections N] [--concurrency 1,8,64] [--runs R] [--kernel] [--out DIR]
 *
 * Two stacks (A client, B server) on a MemoryLink pair driven by one
 * RealClock, in this process. Each of `c` client loops opens a connection,
 * writes 1 byte, waits for the 1-byte echo, ends, and on 'close' opens the
 * next, until N connections are done; the server echoes and ends when the
 * client does (allowHalfOpen false). A's side ends in TIME_WAIT, so every run
 * gets fresh stacks (the ephemeral range holds every connection of a run).
 *
 * Allocation per connection: bytes the V8 heap allocated during the timed
 * run (v8.GCProfiler: what each GC freed, plus the heap's growth over the
 * run), divided by N — the same figure `--trace-gc` would give by summing.
 *
 * With --kernel the same loop also runs over Node's own node:net on the
 * kernel's loopback (127.0.0.1), in the same process, pinned alike: a
 * reference figure from the same machine and run, so the report can give a
 * ratio (the kernel's side of its work is partly outside this process's heap
 * and CPU-time figures, which are then only indicative).
 */
import { GCProfiler } from 'node:v8';
import * as kernelNet from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryLink } from '../src/link/memory.js';
import { createStack } from '../src/index.js';
import type { NetStack } from '../src/net/index.js';
import { RealClock } from '../src/util/real-clock.js';
import { median } from './throughput.js';
import { benchArgsOk } from './args.js';

/** Whose TCP carries the connections: synack's (`stack.net` over a MemoryLink pair), or the kernel's (node:net on loopback). */
export type ConnRateTarget = 'synack' | 'kernel';

export interface ConnRateRun {
  concurrency: number;
  connections: number;
  seconds: number;
  perSecond: number;
  /** Connections per second of this process's CPU time (user + system): steadier than wall time on a shared machine. */
  perCpuSecond: number;
  /** V8 heap bytes allocated per connection (both ends), or NaN when GCProfiler is unavailable. */
  heapBytesPerConnection: number;
  /** GCs during the run (scavenges and mark-compacts). */
  gcs: number;
}

const PORT = 5001;
const ONE = Buffer.from([0x2a]);

/** The two ends of a run: a net-like API for each, the server's address, and how to tear them down. */
interface Ends {
  client: Pick<typeof kernelNet, 'connect'>;
  server: Pick<typeof kernelNet, 'createServer'>;
  host: string;
  port: number;
  /** Listen on every address (synack, as before) or on `host` only (the kernel: loopback only). */
  anyAddress: boolean;
  close(): void;
}

/** synack's two stacks (A client, B server) on a MemoryLink pair driven by one RealClock. */
function synackEnds(): Ends {
  const clock = new RealClock();
  const [la, lb] = MemoryLink.pair(clock, { seed: 1 });
  // The ephemeral range holds every connection of the run: A's ends stay in TIME_WAIT for 60 s.
  const opts = { clock, ephemeralPorts: [1024, 65535] as [number, number], maxTimeWait: 1 << 20 };
  const a: NetStack = createStack({ ...opts, name: 'A', seed: 1 });
  const b: NetStack = createStack({ ...opts, name: 'B', seed: 2 });
  a.attach(la, { address: '10.0.0.1' });
  b.attach(lb, { address: '10.0.0.2' });
  return {
    client: a.net as unknown as Ends['client'],
    server: b.net as unknown as Ends['server'],
    host: '10.0.0.2',
    port: PORT,
    anyAddress: true,
    close: () => {
      a.close();
      b.close();
      la.close();
    },
  };
}

/** The kernel's loopback through node:net, port chosen by the kernel (listen is asynchronous there). */
function kernelEnds(): Ends {
  return { client: kernelNet, server: kernelNet, host: '127.0.0.1', port: 0, anyAddress: false, close: () => {} };
}

/** One timed run of `n` connections, `c` at a time, on fresh stacks (or on the kernel's loopback). */
export async function connRateRun(n: number, c: number, target: ConnRateTarget = 'synack'): Promise<ConnRateRun> {
  const ends = target === 'kernel' ? kernelEnds() : synackEnds();
  const server = ends.server.createServer((s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => {});
  });
  await new Promise<void>((listening) => (ends.anyAddress ? server.listen(ends.port, () => listening()) : server.listen(ends.port, ends.host, () => listening())));
  const port = (server.address() as { port: number }).port;
  return new Promise((done, fail) => {
    let started = 0;
    let finished = 0;
    let failed: Error | undefined;
    const profiler = startGcProfile();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const open = (): void => {
      if (started >= n) return;
      started++;
      const s = ends.client.connect(port, ends.host);
      s.on('connect', () => s.write(ONE));
      s.on('data', () => s.end());
      s.on('error', (e) => (failed ??= e));
      s.on('close', () => {
        finished++;
        if (finished === n) end();
        else open();
      });
    };
    const end = (): void => {
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const gc = stopGcProfile(profiler);
      server.close();
      ends.close();
      if (failed) fail(failed);
      else done({ concurrency: c, connections: n, seconds, perSecond: n / seconds, perCpuSecond: n / cpuSeconds, heapBytesPerConnection: gc.allocated / n, gcs: gc.count });
    };
    for (let i = 0; i < Math.min(c, n); i++) open();
  });
}

interface GcProfile {
  profiler: GCProfiler | undefined;
  heapBefore: number;
}

function startGcProfile(): GcProfile {
  const profiler = typeof GCProfiler === 'function' ? new GCProfiler() : undefined;
  profiler?.start();
  return { profiler, heapBefore: process.memoryUsage().heapUsed };
}

/** Bytes allocated = what every GC freed + how much the heap grew; NaN without GCProfiler. */
function stopGcProfile(p: GcProfile): { allocated: number; count: number } {
  const heapAfter = process.memoryUsage().heapUsed;
  const r = p.profiler?.stop() as { statistics: Array<{ beforeGC: GcHeap; afterGC: GcHeap }> } | undefined;
  if (!r) return { allocated: NaN, count: 0 };
  let freed = 0;
  for (const s of r.statistics) freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  return { allocated: freed + heapAfter - p.heapBefore, count: r.statistics.length };
}

interface GcHeap {
  heapStatistics: { usedHeapSize: number };
}

export interface ConnRateSummary {
  target: ConnRateTarget;
  concurrency: number;
  connections: number;
  /** Median over the runs. */
  perSecond: number;
  runs: number[];
  /** Median connections per CPU second. */
  perCpuSecond: number;
  heapBytesPerConnection: number;
}

/**
 * A warm-up run, then `runs` timed runs at each concurrency; medians. With the kernel as well, its runs
 * alternate with synack's (one of each, then again), so both see the same machine load.
 */
export async function connRate(n: number, concurrency: readonly number[], runs: number, kernel = false): Promise<ConnRateSummary[]> {
  const targets: ConnRateTarget[] = kernel ? ['synack', 'kernel'] : ['synack'];
  for (const t of targets) await connRateRun(Math.min(n, 5000), concurrency[0] ?? 1, t);
  const out: ConnRateSummary[] = [];
  for (const c of concurrency) {
    const rs = new Map<ConnRateTarget, ConnRateRun[]>(targets.map((t) => [t, []]));
    for (let i = 0; i < runs; i++) for (const t of targets) rs.get(t)!.push(await connRateRun(n, c, t));
    for (const [target, r] of rs) {
      out.push({ target, concurrency: c, connections: n, perSecond: median(r.map((x) => x.perSecond)), runs: r.map((x) => Math.round(x.perSecond)), perCpuSecond: median(r.map((x) => x.perCpuSecond)), heapBytesPerConnection: median(r.map((x) => x.heapBytesPerConnection)) });
    }
  }
  return out;
}

export function formatConnRate(rows: readonly ConnRateSummary[]): string {
  return rows
    .map((r) => {
      const kernel = r.target === 'synack' ? rows.find((k) => k.target === 'kernel' && k.concurrency === r.concurrency) : undefined;
      const ratio = kernel ? ` = ${(r.perSecond / kernel.perSecond).toFixed(2)}x the kernel's` : '';
      const who = r.target === 'kernel' ? 'kernel node:net loopback' : 'short connections';
      return `${who} c=${String(r.concurrency).padStart(2)}: ${Math.round(r.perSecond)} conn/s (median of ${r.runs.join(' ')}; ${r.connections} per run)${ratio}, ${Math.round(r.perCpuSecond)} per CPU second, ${Math.round(r.heapBytesPerConnection)} B heap allocated per connection`;
    })
    .join('\n');
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const USAGE = 'usage: node dist/bench/conn-rate.js [--connections N] [--concurrency 1,8,64] [--runs R] [--kernel] [--out DIR]';
const FLAGS = { connections: { type: 'string' }, concurrency: { type: 'string' }, runs: { type: 'string' }, kernel: { type: 'boolean' }, out: { type: 'string' } } as const;

if (import.meta.url === `file://${process.argv[1]}` && benchArgsOk('bench/conn-rate', process.argv.slice(2), FLAGS, USAGE)) {
  const args = process.argv.slice(2);
  const n = Number(flag(args, '--connections') ?? 20_000);
  const runs = Number(flag(args, '--runs') ?? 3);
  const concurrency = (flag(args, '--concurrency') ?? '1,8,64').split(',').map(Number);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(runs) || runs < 1 || concurrency.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new Error(USAGE);
  }
  const rows = await connRate(n, concurrency, runs, args.includes('--kernel'));
  console.log(formatConnRate(rows));
  const out = flag(args, '--out');
  if (out) {
    const dir = resolve(process.cwd(), out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, 'conn-rate.json'), JSON.stringify({ benchmark: 'conn-rate', node: process.version, date: new Date().toISOString(), rows }, null, 2) + '\n');
  }
}
