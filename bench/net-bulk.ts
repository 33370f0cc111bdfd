/**
 * Bulk transfer through the node:net API (`stack.net`) on a RealClock — issue
 * 11's second figure: the bytes a JavaScript user moves with sockets, streams
 * and backpressure included, not the raw TCB API of bench/throughput.ts.
 *
 *   taskset -c 0 node dist/bench/net-bulk.js [--mib N] [--runs R] [--mtu 1500,65535] [--json FILE]
 *
 * Two stacks in this process on a lossless MemoryLink pair (which copies each
 * packet, as a real link would) driven by one RealClock. The client writes
 * 64 KiB Buffers while write() returns true and waits for 'drain' otherwise;
 * the server counts 'data' bytes. Time runs from the first write to the
 * server's 'end'.
 */
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { MemoryLink } from '../src/link/memory.js';
import { createStack } from '../src/index.js';
import { RealClock } from '../src/util/real-clock.js';
import { integer } from '../src/cli/args.js';
import { benchArgs } from './args.js';
import { median } from './throughput.js';

const USAGE = `usage: node dist/bench/net-bulk.js [--mib N] [--runs R] [--mtu 1500,65535] [--json FILE]
Bulk transfer through stack.net sockets on a RealClock (default 200 MiB, 3 runs after a warm-up, both MTUs).`;

const PORT = 5001;
const CHUNK = 64 * 1024;

export interface NetBulkSummary {
  mtu: number;
  bytes: number;
  gbps: number[];
  medianGbps: number;
}

/** One transfer of `bytes` from A to B through stack.net; resolves with the wall-clock Gbit/s. */
export function netBulkRun(mtu: number, bytes: number): Promise<number> {
  const clock = new RealClock();
  const [la, lb] = MemoryLink.pair(clock, { mtu, seed: 1 });
  const a = createStack({ clock, name: 'A', seed: 1 });
  const b = createStack({ clock, name: 'B', seed: 2 });
  a.attach(la, { address: '10.0.0.1' });
  b.attach(lb, { address: '10.0.0.2' });
  const chunk = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i++) chunk[i] = (i * 131) & 0xff;
  return new Promise((done, fail) => {
    let received = 0;
    let t0 = 0;
    const finish = (err?: Error): void => {
      const seconds = (performance.now() - t0) / 1000;
      server.close();
      a.close();
      b.close();
      la.close();
      if (err) fail(err);
      else if (received !== bytes) fail(new Error(`net-bulk: received ${received} of ${bytes} bytes`));
      else done((bytes * 8) / seconds / 1e9);
    };
    const server = b.net.createServer((s) => {
      s.on('data', (d: Buffer) => (received += d.length));
      s.on('end', () => finish());
      s.on('error', finish);
    });
    server.listen(PORT);
    const c = a.net.connect(PORT, '10.0.0.2');
    c.on('error', finish);
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        const n = Math.min(CHUNK, bytes - sent);
        sent += n;
        const more = c.write(n === CHUNK ? chunk : chunk.subarray(0, n));
        if (sent >= bytes) c.end();
        if (!more) return;
      }
    };
    c.on('connect', () => {
      t0 = performance.now();
      pump();
    });
    c.on('drain', pump);
  });
}

/** A warm-up run (a tenth of the bytes), then `runs` timed runs per MTU; medians. */
export async function netBulk(mtus: readonly number[], bytes: number, runs: number): Promise<NetBulkSummary[]> {
  const out: NetBulkSummary[] = [];
  for (const mtu of mtus) {
    await netBulkRun(mtu, Math.max(CHUNK, Math.floor(bytes / 10)));
    const gbps: number[] = [];
    for (let i = 0; i < runs; i++) gbps.push(await netBulkRun(mtu, bytes));
    out.push({ mtu, bytes, gbps, medianGbps: median(gbps) });
  }
  return out;
}

export function formatNetBulk(rows: readonly NetBulkSummary[]): string {
  return rows
    .map((r) => `stack.net bulk MTU ${String(r.mtu).padStart(5)}: ${r.medianGbps.toFixed(2)} Gbit/s (median of ${r.gbps.length}: ${r.gbps.map((g) => g.toFixed(2)).join(' ')}; ${r.bytes >> 20} MiB, RealClock)`)
    .join('\n');
}

async function main(argv: string[]): Promise<void> {
  const specs = { mib: { type: 'string' }, runs: { type: 'string' }, mtu: { type: 'string' }, json: { type: 'string' } } as const;
  const args = benchArgs('net-bulk', argv, specs, USAGE, (v) => ({
    // At most 2047: the byte count is MiB << 20, an int32.
    mib: v.mib === undefined ? 200 : integer('--mib', v.mib, 1, 2047),
    runs: v.runs === undefined ? 3 : integer('--runs', v.runs, 1, 1000),
    mtus: v.mtu === undefined ? [1500, 65535] : v.mtu.split(',').map((m) => integer('--mtu', m, 68, 65535)),
    json: v.json,
  }));
  if (args === undefined) return;
  const { mib, runs, mtus, json } = args;
  const rows = await netBulk(mtus, mib << 20, runs);
  console.log(formatNetBulk(rows));
  if (json !== undefined) writeFileSync(json, JSON.stringify({ benchmark: 'net-bulk', node: process.version, date: new Date().toISOString(), rows }, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
