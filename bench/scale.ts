/**
 * Scale: how many idle connections fit, what one costs in memory, what a
 * timer operation costs with 1k vs 1M timers pending, and how many short
 * connections per second go through `stack.net` (bench/conn-rate.ts).
 *
 *   node --expose-gc --max-old-space-size=20000 dist/bench/scale.js [--connections N] [--quick] [--out DIR]
 *
 * `npm run bench` runs it after the throughput figures (20k connections with --quick, 1M without).
 *
 * Two in-process stacks joined by a lossless MemoryLink in virtual time. B
 * listens on several ports so N connections fit the 4-tuple space; A opens
 * them with explicit local ports. Memory is V8 heap plus array buffers after a
 * full GC, divided by the number of TCBs (each connection has two: one per end).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryLink } from '../src/link/memory.js';
import { Stack } from '../src/stack/stack.js';
import { TimerWheel, WheelTimer } from '../src/stack/timer-wheel.js';
import type { TcpSocket } from '../src/stack/socket.js';
import { VirtualClock } from '../src/util/virtual-clock.js';
import { heapBytes } from './heap.js';
import { connRate, formatConnRate } from './conn-rate.js';
import { benchArgsOk } from './args.js';

const args = process.argv.slice(2);
const USAGE = 'usage: node --expose-gc dist/bench/scale.js [--quick] [--connections N] [--out DIR]';
if (!benchArgsOk('bench/scale', args, { quick: { type: 'boolean' }, connections: { type: 'string' }, out: { type: 'string' } }, USAGE)) process.exit();
const quick = args.includes('--quick');
const nArg = args.indexOf('--connections');
const N = nArg >= 0 ? Number(args[nArg + 1]) : quick ? 20_000 : 1_000_000;
if (!Number.isInteger(N) || N < 1) throw new Error('--connections must be a positive integer');

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function connections(n: number): Promise<Record<string, number>> {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { seed: 1 });
  // Small buffers: idle connections hold no data, and the buffers are allocated lazily anyway.
  const tcp = { sendBufferSize: 16 * 1024, recvBufferSize: 16 * 1024 };
  // Every connection must be able to sit in TIME_WAIT (or be an orphan) at once, whatever the default
  // tcp_max_tw_buckets / tcp_max_orphans (16384 for the assumed 4 GiB), or the TIME_WAIT figure measures fewer entries.
  const limits = { maxTimeWait: n, maxOrphans: n };
  const a = new Stack({ clock, name: 'A', seed: 1, tcp, ...limits });
  const b = new Stack({ clock, name: 'B', seed: 2, tcp, ...limits });
  a.attach(la, { address: '10.0.0.1' });
  b.attach(lb, { address: '10.0.0.2' });
  const portsPerServer = 60_000;
  const servers = Math.ceil(n / portsPerServer);
  const accepted: TcpSocket[] = [];
  for (let s = 0; s < servers; s++) b.listen(1000 + s, { backlog: 1 << 20 }).on('connection', (sock) => accepted.push(sock));
  const clients: TcpSocket[] = [];
  const batch = 10_000;
  warmUp(clock, a, b, Math.min(n, batch));
  const base = heapBytes();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    clients.push(a.connect({ remoteAddress: '10.0.0.2', remotePort: 1000 + Math.floor(i / portsPerServer), localPort: 2000 + (i % portsPerServer) }));
    if ((i + 1) % batch === 0 || i === n - 1) clock.runUntilIdle({ maxTime: clock.now() + 1 });
  }
  clock.runUntilIdle({ maxTime: clock.now() + 100 });
  const openMs = performance.now() - t0;
  const established = clients.filter((c) => c.state === 'ESTABLISHED').length;
  const estHeap = heapBytes() - base;

  // Active close from A; B closes on EOF: A ends in TIME_WAIT, B's TCBs go away.
  for (const s of accepted) s.on('end', () => s.close());
  const t1 = performance.now();
  for (let i = 0; i < clients.length; i++) {
    clients[i]!.close();
    if ((i + 1) % batch === 0) clock.runUntilIdle({ maxTime: clock.now() + 1 });
  }
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  const closeMs = performance.now() - t1;
  clients.length = 0;
  accepted.length = 0;
  const rows = a.connections();
  const timeWait = rows.filter((r) => r.state === 'TIME_WAIT').length;
  rows.length = 0;
  const twHeap = heapBytes() - base;
  // What the TIME_WAIT table's typed arrays cost, by construction: per row allocated, and per live entry.
  const table = (a as unknown as { timeWait?: { bytesPerRow: number; bytesPerEntry?: number } }).timeWait;
  const twRowBytes = table?.bytesPerRow ?? NaN;
  const twTableBytesPerEntry = table?.bytesPerEntry ?? NaN;
  // Let TIME_WAIT expire (virtual 60 s): the heap returns to where it started, but for one-time costs.
  clock.runUntilIdle({ maxTime: clock.now() + 120_000 });
  const after = a.connections().length + b.connections().length - servers;
  const afterHeap = heapBytes() - base;
  return {
    connections: n,
    established,
    openSeconds: openMs / 1000,
    handshakesPerSecond: n / (openMs / 1000),
    bytesPerEstablishedConnection: estHeap / (2 * n),
    closeSeconds: closeMs / 1000,
    timeWaitEntries: timeWait,
    // What the entries hold: the heap with them less the heap once they expired. The heap's growth from the
    // start (the old figure, kept below) also counts what the first connections cost once (the JIT's code and
    // feedback, ~2 MB): ~100 B per entry at 20k, which expiry does not give back.
    bytesPerTimeWait: timeWait > 0 ? (twHeap - afterHeap) / timeWait : NaN,
    timeWaitHeapGrowthPerEntry: timeWait > 0 ? twHeap / timeWait : NaN,
    timeWaitTableBytesPerRow: twRowBytes,
    timeWaitTableBytesPerEntry: twTableBytesPerEntry,
    leftAfterExpiry: after,
    heapAfterExpiryMB: afterHeap / 1e6,
  };
}

/**
 * A burst of `n` throwaway connections, reset once established, before the baseline: what the link keeps
 * for its life (MemoryLink's packet pools, at most 1 MiB per direction, like a NIC's rings) and what the
 * first connections cost once (the JIT's code) are then in the baseline, and the figures are the TCBs'.
 */
function warmUp(clock: VirtualClock, a: Stack, b: Stack, n: number): void {
  const listener = b.listen(999, { backlog: 1 << 20 });
  const sockets: TcpSocket[] = [];
  listener.on('connection', (s) => sockets.push(s));
  for (let i = 0; i < n; i++) sockets.push(a.connect({ remoteAddress: '10.0.0.2', remotePort: 999, localPort: 2000 + i }));
  clock.runUntilIdle({ maxTime: clock.now() + 100 });
  for (const s of sockets) s.abort();
  clock.runUntilIdle({ maxTime: clock.now() + 100 });
  listener.close();
  clock.runUntilIdle({ maxTime: clock.now() + 100 });
}

function timerCost(pending: number): number {
  const clock = new VirtualClock();
  const wheel = new TimerWheel(clock);
  const timers: WheelTimer[] = [];
  for (let i = 0; i < pending; i++) {
    const t = new WheelTimer(() => {});
    wheel.arm(t, 1000 + (i % 120_000));
    timers.push(t);
  }
  // Re-arm (cancel + arm) existing timers, picked in a scattered order: what every ACK does to
  // a retransmission timer. The same walk that only reads each timer is subtracted, so what is
  // left is the wheel's own work, not the cache misses of visiting a million objects.
  const ops = 2_000_000;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) sink += timers[(i * 7919) % pending]!.due;
  const walk = performance.now() - t0;
  const t1 = performance.now();
  for (let i = 0; i < ops; i++) {
    const t = timers[(i * 7919) % pending]!;
    wheel.arm(t, 200 + (i % 3000));
  }
  const total = performance.now() - t1;
  if (sink === -1) console.log(sink);
  return (Math.max(0, total - walk) * 1e6) / ops;
}

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
const t1k = timerCost(1000);
const t1m = timerCost(1_000_000);
results.timerRearmNs = { pending1k: t1k, pending1M: t1m };
console.log(`timer re-arm: ${t1k.toFixed(0)} ns with 1k pending, ${t1m.toFixed(0)} ns with 1M pending`);
if (!(globalThis as { gc?: unknown }).gc) console.log('(run with --expose-gc for exact memory figures)');
const c = await connections(N);
results.connections = c;
console.log(
  `${c.established}/${N} connections established in ${c.openSeconds.toFixed(1)} s (${Math.round(c.handshakesPerSecond)}/s); ` +
    `${Math.round(c.bytesPerEstablishedConnection)} B per established TCB; ` +
    `${c.timeWaitEntries} TIME_WAIT at ${Math.round(c.bytesPerTimeWait)} B each (heap with them less heap after expiry; ${Math.round(c.timeWaitHeapGrowthPerEntry)} B of heap growth from the start; table: ${Math.round(c.timeWaitTableBytesPerEntry)} B per entry, ${Math.round(c.timeWaitTableBytesPerRow)} B per row); ` +
    `after expiry ${c.leftAfterExpiry} left, heap ${mb(c.heapAfterExpiryMB * 1e6)} above start`,
);
// Short connections (connect, 1 byte each way, close) through stack.net on a RealClock, with heap bytes allocated per connection.
const rate = await connRate(quick ? 2000 : 20_000, [1, 8, 64], quick ? 1 : 3);
results.shortConnections = rate;
console.log(formatConnRate(rate));
const outIdx = args.indexOf('--out');
const outDir = resolve(process.cwd(), outIdx >= 0 && args[outIdx + 1] ? args[outIdx + 1]! : 'bench/results');
mkdirSync(outDir, { recursive: true });
writeFileSync(resolve(outDir, 'scale.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`wrote ${resolve(outDir, 'scale.json')}`);
