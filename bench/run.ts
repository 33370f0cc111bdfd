/**
 * `npm run bench` entry: bulk throughput at MTU 1500 and 65535 (bench/throughput.ts), bytes allocated
 * per segment and the CPU profile's top functions (bench/packet-cost.ts), bulk through stack.net
 * sockets on a RealClock (bench/net-bulk.ts), real paths in virtual time (bench/paths.ts), then
 * scale (bench/scale.ts: connections, bytes per TCB and per TIME_WAIT, timer cost), and last one
 * summary table of issue 11's figures beside their goals. bench/compare.ts measures the same figures
 * for two builds alternately, with the kernel's beside them.
 * Flags: --quick (small transfers, fewer runs; well under 30 s), --out DIR (default bench/results),
 * --floods (only the flood benchmarks of bench/floods.ts: SYN, ACK, RST/SYN and 1-byte out-of-order floods),
 * --paths (only the real-path figures of bench/paths.ts: long RTT, loss, lost tail, reordering, before/after autotuning),
 * --kernel-paths (root: the same paths on a TUN device, Linux's TCP and synack's side by side: bench/kernel-paths.ts).
 * Pin it for stable figures: `taskset -c 0 node dist/bench/run.js`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { measure, type ThroughputSummary } from './throughput.js';
import { printRows, runRealPaths } from './paths.js';
import { benchArgsOk } from './args.js';
import { measurePacketCost, printPacketCost, type PacketCost } from './packet-cost.js';
import { formatNetBulk, netBulk, type NetBulkSummary } from './net-bulk.js';
import type { ConnRateSummary } from './conn-rate.js';
import { formatTable, num } from './table.js';
import { bulkGoal, GOALS } from './goals.js';

const USAGE = `usage: node dist/bench/run.js [--quick] [--out DIR]
       node dist/bench/run.js --paths [--quick] [--out DIR]
       node dist/bench/run.js --floods [floods.js flags]
       node dist/bench/run.js --kernel-paths [kernel-paths.js flags]   (root)
Default: bulk throughput (MTU 1500 and 65535), bytes allocated per segment and the CPU profile's top functions,
bulk through stack.net sockets on a RealClock, real paths in virtual time, then scale
(bytes per TCB and per TIME_WAIT, short connections per second), then one summary table.
Results: bench/results/*.json. Another build beside this one, and the kernel: node dist/bench/compare.js --help
Pin it for stable figures: taskset -c 0 node dist/bench/run.js`;

async function main(argv: string[]): Promise<void> {
  // The default and --paths runs take only their own flags; --floods and --kernel-paths pass theirs on.
  const delegated = argv.includes('--floods') || argv.includes('--kernel-paths');
  const help = argv.includes('--help') || argv.includes('-h');
  if ((help || !delegated) && !benchArgsOk('bench', argv, { quick: { type: 'boolean' }, paths: { type: 'boolean' }, out: { type: 'string' } }, USAGE)) return;
  const quick = argv.includes('--quick');
  if (argv.includes('--floods')) {
    // Floods only (bench/floods.ts), in their own process for a clean heap and GC access.
    const floods = fileURLToPath(new URL('./floods.js', import.meta.url));
    const r = spawnSync(process.execPath, ['--expose-gc', floods, ...argv.filter((a) => a !== '--floods')], { stdio: 'inherit', timeout: 30 * 60_000 });
    if (r.status !== 0) process.exitCode = 1;
    return;
  }
  if (argv.includes('--kernel-paths')) {
    // Linux's TCP and synack's on the same impaired TUN path (bench/kernel-paths.ts; root only, else skipped with the reason).
    const kp = fileURLToPath(new URL('./kernel-paths.js', import.meta.url));
    const r = spawnSync(process.execPath, [kp, ...argv.filter((a) => a !== '--kernel-paths')], { stdio: 'inherit', timeout: 30 * 60_000 });
    if (r.status !== 0) process.exitCode = 1;
    return;
  }
  const outIdx = argv.indexOf('--out');
  const outDir = resolve(process.cwd(), outIdx >= 0 && argv[outIdx + 1] ? argv[outIdx + 1]! : 'bench/results');
  if (argv.includes('--paths')) {
    realPaths(quick, outDir);
    return;
  }
  const runs = quick ? 5 : 9;
  const cases: Array<{ mtu: number; bytes: number }> = [
    { mtu: 1500, bytes: (quick ? 48 : 256) << 20 },
    { mtu: 65535, bytes: (quick ? 192 : 1024) << 20 },
  ];
  const started = Date.now();
  const results: ThroughputSummary[] = [];
  for (const c of cases) {
    const r = measure(c, runs);
    results.push(r);
    console.log(
      `throughput MTU ${String(c.mtu).padStart(5)}: ${r.medianGbps.toFixed(2)} Gbit/s ` +
        `(median of ${runs} after 3 warm-ups: ${r.gbps.map((g) => g.toFixed(2)).join(' ')}; ${c.bytes >> 20} MiB, ` +
        `${r.segmentsPerRun.aToB} segments A→B, ${r.segmentsPerRun.bToA} B→A)`,
    );
  }
  mkdirSync(outDir, { recursive: true });
  const file = resolve(outDir, 'throughput.json');
  const doc = { benchmark: 'throughput', quick, node: process.version, date: new Date().toISOString(), elapsedMs: Date.now() - started, results };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote ${file}`);

  // Bytes allocated per segment sent and received, and the CPU profile's top functions (bench/packet-cost.ts).
  const costs: PacketCost[] = [];
  for (const mtu of [1500, 65535]) {
    const c = await measurePacketCost(mtu, (mtu === 1500 ? (quick ? 4 : 32) : quick ? 32 : 256) << 20);
    printPacketCost(c);
    costs.push(c);
  }
  const costFile = resolve(outDir, 'packet-cost.json');
  writeFileSync(costFile, JSON.stringify({ benchmark: 'packet-cost', quick, node: process.version, date: new Date().toISOString(), results: costs }, null, 2) + '\n');
  console.log(`wrote ${costFile}`);

  // The same bytes through stack.net sockets on a RealClock (bench/net-bulk.ts).
  const net = await netBulk([1500, 65535], (quick ? 16 : 200) << 20, quick ? 1 : 3);
  console.log(formatNetBulk(net));
  const netFile = resolve(outDir, 'net-bulk.json');
  writeFileSync(netFile, JSON.stringify({ benchmark: 'net-bulk', quick, node: process.version, date: new Date().toISOString(), rows: net }, null, 2) + '\n');
  console.log(`wrote ${netFile}`);

  realPaths(quick, outDir);

  // Scale (bytes per connection and per TIME_WAIT, timer cost): its own process, for a clean heap and GC access.
  const scale = fileURLToPath(new URL('./scale.js', import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=20000', scale, ...(quick ? ['--quick'] : []), '--connections', quick ? '20000' : '1000000', '--out', outDir], { stdio: 'inherit', timeout: 30 * 60_000 });
  if (r.status !== 0) process.exitCode = 1;
  const scaleDoc = r.status === 0 ? (JSON.parse(readFileSync(resolve(outDir, 'scale.json'), 'utf8')) as ScaleDoc) : undefined;
  console.log(`\nsummary (issue 11's figures; \`node dist/bench/compare.js --baseline DIR\` measures another build and the kernel beside them)`);
  console.log(summaryTable(results, costs, net, scaleDoc));
}

/** What bench/scale.ts writes that the summary shows. */
interface ScaleDoc {
  connections: { bytesPerEstablishedConnection: number; bytesPerTimeWait: number; established: number };
  shortConnections: ConnRateSummary[];
}

/** One table of the run's figures beside the goals. */
function summaryTable(bulk: ThroughputSummary[], costs: PacketCost[], net: NetBulkSummary[], scale: ScaleDoc | undefined): string {
  const rows: string[][] = [['figure', 'value', 'goal']];
  for (const b of bulk) rows.push([`bulk, raw API, MTU ${b.mtu} (Gbit/s, virtual time)`, num(b.medianGbps, 2), bulkGoal(b.mtu)]);
  for (const n of net) rows.push([`bulk, stack.net, MTU ${n.mtu} (Gbit/s, RealClock)`, num(n.medianGbps, 2), GOALS.netBulk]);
  for (const c of scale?.shortConnections ?? []) rows.push([`short connections/s, c${c.concurrency}`, num(c.perSecond, 0), GOALS.connectionsPerSecond]);
  const c8 = scale?.shortConnections.find((c) => c.concurrency === 8);
  if (c8 !== undefined) rows.push(['heap per short connection, c8 (B)', num(c8.heapBytesPerConnection, 0), GOALS.none]);
  for (const c of costs) {
    rows.push([`heap per segment sent, MTU ${c.mtu} (B)`, num(c.allocPerSegmentSent, 0), GOALS.allocationPerSegment]);
    rows.push([`heap per segment received, MTU ${c.mtu} (B)`, num(c.allocPerSegmentReceived, 0), GOALS.allocationPerSegment]);
  }
  if (scale !== undefined) {
    rows.push([`bytes per idle established TCB (${scale.connections.established})`, num(scale.connections.bytesPerEstablishedConnection, 0), GOALS.bytesPerTcb]);
    rows.push(['bytes per TIME_WAIT entry', num(scale.connections.bytesPerTimeWait, 0), GOALS.bytesPerTimeWait]);
  }
  return formatTable(rows);
}

/** Real paths (bench/paths.ts): long RTT, loss, lost tail, reordering, before/after buffer autotuning, in virtual time. */
function realPaths(quick: boolean, outDir: string): void {
  const started = Date.now();
  const rows = runRealPaths(quick);
  printRows(rows);
  mkdirSync(outDir, { recursive: true });
  const file = resolve(outDir, 'real-paths.json');
  writeFileSync(file, JSON.stringify({ benchmark: 'real-paths', quick, node: process.version, date: new Date().toISOString(), elapsedMs: Date.now() - started, rows }, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

await main(process.argv.slice(2));
