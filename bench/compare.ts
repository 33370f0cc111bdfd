/**
 * Issue 11's table in one run: each figure of this build beside another build's (the commit before a
 * change), measured alternately — base then new, new then base — in fresh processes pinned to one vCPU
 * (bench/probe.ts, bench/scale.ts), with the kernel's figures measured in the same run as the peer:
 * iperf3 over a veth pair between two namespaces (root only; both ends on the same vCPU, as synack's
 * in-process benchmark has both stacks on one thread) and node:net on the kernel's loopback.
 *
 *   node dist/bench/compare.js --baseline DIR [--rounds N] [--no-kernel] [--json FILE]
 *
 * DIR: another checkout with its dist/ built (e.g. `git worktree add /tmp/base HEAD~3 && cd /tmp/base &&
 * npm ci && npm run build`). Figures are medians over the rounds. CPU-time figures (Gbit/s per CPU
 * second) are steadier than wall time on a shared machine; a ratio is this build's figure over the
 * baseline's, oriented so that above 1 is better.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { integer, UsageError } from '../src/cli/args.js';
import type { Netns } from '../test/fixtures/netns.js';
import { benchArgs } from './args.js';
import { median } from './throughput.js';
import { formatTable, num } from './table.js';
import { GOALS } from './goals.js';
import { iperf, startIperfServer, vethPair, vethUnavailable, type VethPair } from './kernel-veth.js';

const USAGE = `usage: node dist/bench/compare.js --baseline DIR [--rounds N] [--no-kernel] [--json FILE]
Every figure of issue 11 for this build and the build in DIR (a checkout with dist/ built), alternating,
each in a fresh process pinned to vCPU 0, with the kernel's figures from the same run (root; --no-kernel skips them).`;

const CPU = '0';
const HERE = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PROBE = fileURLToPath(new URL('./probe.js', import.meta.url));
/** Idle TCBs (and TIME_WAIT entries) of the scale figure: bench/scale.ts --quick's default. */
const SCALE_CONNECTIONS = 20_000;

interface Row {
  label: string;
  /** Probe figure (bench/probe.ts) or 'scale', and the field of its result. */
  figure: string;
  key: string;
  decimals: number;
  lowerIsBetter?: boolean;
  goal: string;
  /** The kernel's figure beside it, by name in the kernel results. */
  kernel?: string;
}

const ROWS: Row[] = [
  { label: 'bulk, raw API, MTU 1500 (Gbit/s per CPU s)', figure: 'bulk-1500', key: 'gbpsPerCpuSecond', decimals: 2, goal: GOALS.bulk1500, kernel: 'veth-1500-nooffload' },
  { label: 'bulk, raw API, MTU 65535 (Gbit/s per CPU s)', figure: 'bulk-65535', key: 'gbpsPerCpuSecond', decimals: 2, goal: GOALS.bulk65535, kernel: 'veth-65535' },
  { label: 'bulk, stack.net, MTU 1500 (Gbit/s per CPU s)', figure: 'net-1500', key: 'gbpsPerCpuSecond', decimals: 2, goal: GOALS.netBulk, kernel: 'veth-1500-nooffload' },
  { label: 'bulk, stack.net, MTU 65535 (Gbit/s per CPU s)', figure: 'net-65535', key: 'gbpsPerCpuSecond', decimals: 2, goal: GOALS.netBulk, kernel: 'veth-65535' },
  { label: 'short connections/s, c1', figure: 'conn-1', key: 'perSecond', decimals: 0, goal: GOALS.connectionsPerSecond, kernel: 'kconn-1' },
  { label: 'short connections/s, c8', figure: 'conn-8', key: 'perSecond', decimals: 0, goal: GOALS.connectionsPerSecond, kernel: 'kconn-8' },
  { label: 'short connections/s, c64', figure: 'conn-64', key: 'perSecond', decimals: 0, goal: GOALS.connectionsPerSecond, kernel: 'kconn-64' },
  { label: 'heap per short connection, c8 (B)', figure: 'conn-8', key: 'heapBytesPerConnection', decimals: 0, lowerIsBetter: true, goal: GOALS.none },
  { label: 'heap per segment sent, MTU 1500 (B)', figure: 'alloc-1500', key: 'bytesPerSegmentSent', decimals: 0, lowerIsBetter: true, goal: GOALS.allocationPerSegment },
  { label: 'heap per segment received, MTU 1500 (B)', figure: 'alloc-1500', key: 'bytesPerSegmentReceived', decimals: 0, lowerIsBetter: true, goal: GOALS.allocationPerSegment },
  { label: 'heap per segment sent, MTU 65535 (B)', figure: 'alloc-65535', key: 'bytesPerSegmentSent', decimals: 0, lowerIsBetter: true, goal: GOALS.allocationPerSegment },
  { label: 'heap per segment received, MTU 65535 (B)', figure: 'alloc-65535', key: 'bytesPerSegmentReceived', decimals: 0, lowerIsBetter: true, goal: GOALS.allocationPerSegment },
  { label: `bytes per idle established TCB (${SCALE_CONNECTIONS / 1000}k)`, figure: 'scale', key: 'bytesPerEstablishedConnection', decimals: 0, lowerIsBetter: true, goal: GOALS.bytesPerTcb },
  { label: 'bytes per TIME_WAIT entry', figure: 'scale', key: 'bytesPerTimeWait', decimals: 0, lowerIsBetter: true, goal: GOALS.bytesPerTimeWait },
];

/** Kernel peer figures: veth pairs measured with iperf3, and node:net's loopback through the probe. */
const VETHS: Array<{ name: string; mtu: number; offloads: boolean; label: string }> = [
  { name: 'veth-1500-nooffload', mtu: 1500, offloads: false, label: 'iperf3 over veth, MTU 1500, TSO/GSO/GRO and checksum offload off' },
  { name: 'veth-1500', mtu: 1500, offloads: true, label: 'iperf3 over veth, MTU 1500, offloads on' },
  { name: 'veth-65535', mtu: 65535, offloads: true, label: 'iperf3 over veth, MTU 65535, offloads on' },
];

type Figures = Map<string, Array<Record<string, number>>>;

/** Run a pinned node process; its last stdout line as JSON. Throws with its stderr when it fails. */
function pinned(args: string[], what: string): Record<string, number> {
  const r = spawnSync('taskset', ['-c', CPU, process.execPath, ...args], { encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Record<string, number>;
}

function probe(dir: string, figure: string): Record<string, number> {
  return pinned(['--expose-gc', PROBE, '--build', dir, '--figure', figure], `${figure} of ${dir}`);
}

/** bench/scale.js of the build in `dir` (its own process, --quick): bytes per idle TCB and per TIME_WAIT entry. */
function scale(dir: string): Record<string, number> {
  const out = mkdtempSync(join(tmpdir(), 'synack-compare-'));
  try {
    const script = resolve(dir, 'dist/bench/scale.js');
    const r = spawnSync('taskset', ['-c', CPU, process.execPath, '--expose-gc', '--max-old-space-size=8000', script, '--quick', '--connections', String(SCALE_CONNECTIONS), '--out', out], { encoding: 'utf8', timeout: 10 * 60_000 });
    if (r.status !== 0) throw new Error(`scale of ${dir}: exit ${r.status ?? r.signal}\n${r.stderr}`);
    const doc = JSON.parse(readFileSync(join(out, 'scale.json'), 'utf8')) as { connections: Record<string, number> };
    return { bytesPerEstablishedConnection: doc.connections.bytesPerEstablishedConnection!, bytesPerTimeWait: doc.connections.bytesPerTimeWait! };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function add(figs: Figures, name: string, value: Record<string, number>): void {
  const list = figs.get(name) ?? [];
  list.push(value);
  figs.set(name, list);
}

/** Kernel figures of one round: each veth pair's iperf3 (2 s), node:net's short connections. */
async function kernelRound(pairs: Map<string, VethPair>, kernel: Figures): Promise<void> {
  for (const v of VETHS) {
    const pair = pairs.get(v.name);
    if (pair !== undefined) add(kernel, v.name, { gbps: (await iperf(pair, false, CPU)).gbps });
  }
  for (const c of [1, 8, 64]) add(kernel, `kconn-${c}`, probe(HERE, `kconn-${c}`));
}

async function main(argv: string[]): Promise<void> {
  const specs = { baseline: { type: 'string' }, rounds: { type: 'string' }, 'no-kernel': { type: 'boolean' }, json: { type: 'string' } } as const;
  const args = benchArgs('compare', argv, specs, USAGE, (v) => {
    if (v.baseline === undefined) throw new UsageError('--baseline DIR is needed');
    const baseline = resolve(v.baseline);
    if (!existsSync(join(baseline, 'dist/bench/probe.js')) && !existsSync(join(baseline, 'dist/bench/throughput.js'))) throw new UsageError(`--baseline ${v.baseline}: no built dist/bench there (run npm run build in it)`);
    return { baseline, rounds: v.rounds === undefined ? 3 : integer('--rounds', v.rounds, 1, 50), kernel: v['no-kernel'] !== true, json: v.json };
  });
  if (args === undefined) return;
  const builds = { baseline: args.baseline, now: HERE };
  const results: Record<'baseline' | 'now', Figures> = { baseline: new Map(), now: new Map() };
  const kernel: Figures = new Map();
  const figures = [...new Set(ROWS.map((r) => r.figure))];
  /** "who figure" → why that build could not give that figure. */
  const failed = new Map<string, string>();

  const spaces: Netns[] = [];
  const pairs = new Map<string, VethPair>();
  const kernelWhy = args.kernel ? vethUnavailable(false) : 'not asked for (--no-kernel)';
  try {
    if (kernelWhy === undefined) {
      for (const v of VETHS) {
        const pair = await vethPair(v.mtu, spaces, v.offloads);
        await startIperfServer(pair, CPU);
        pairs.set(v.name, pair);
      }
    }
    for (let round = 0; round < args.rounds; round++) {
      const order: Array<'baseline' | 'now'> = round % 2 === 0 ? ['baseline', 'now'] : ['now', 'baseline'];
      for (const f of figures) {
        for (const who of order) {
          if (failed.has(`${who} ${f}`)) continue;
          try {
            add(results[who], f, f === 'scale' ? scale(builds[who]) : probe(builds[who], f));
          } catch (e) {
            // An older build may lack a bench module or an export: its column shows – and the reason is printed once.
            failed.set(`${who} ${f}`, (e as Error).message.split('\n').slice(0, 3).join(' '));
          }
        }
        process.stderr.write(`round ${round + 1}/${args.rounds}: ${f} done\n`);
      }
      if (kernelWhy === undefined) await kernelRound(pairs, kernel);
    }
  } finally {
    for (const ns of spaces) await ns.delete();
  }

  const value = (figs: Figures, figure: string, key: string): number => median((figs.get(figure) ?? []).map((r) => r[key] ?? NaN).filter((x) => Number.isFinite(x))); // none: NaN, shown as –
  const kernelValue = (name: string): number => (name.startsWith('kconn-') ? value(kernel, name, 'perSecond') : value(kernel, name, 'gbps'));
  const rows = ROWS.map((r) => {
    const base = value(results.baseline, r.figure, r.key);
    const now = value(results.now, r.figure, r.key);
    const ratio = r.lowerIsBetter ? base / now : now / base;
    return { label: r.label, baseline: base, now, ratio, goal: r.goal, kernel: r.kernel !== undefined ? kernelValue(r.kernel) : undefined, kernelFigure: r.kernel, decimals: r.decimals };
  });

  const table = [['figure', 'baseline', 'this build', 'better ×', 'kernel', 'goal'], ...rows.map((r) => [r.label, num(r.baseline, r.decimals), num(r.now, r.decimals), num(r.ratio, 2), num(r.kernel, r.decimals), r.goal])];
  console.log(`baseline: ${builds.baseline}\nthis build: ${builds.now}\n${args.rounds} alternating rounds, medians; pinned to vCPU ${CPU}`);
  console.log(formatTable(table));
  for (const [what, why] of failed) console.log(`not measured: ${what}: ${why}`);
  if (kernelWhy !== undefined) console.log(`kernel figures: none (${kernelWhy})`);
  else {
    console.log('kernel figures: bulk rows — ' + VETHS.map((v) => `${v.name}: ${v.label}, ${num(kernelValue(v.name), 2)} Gbit/s`).join('; '));
    console.log('                short connections — node:net on the kernel\'s loopback in one Node process (what stack.net\'s users would otherwise run), not Linux C to C');
  }
  if (args.json !== undefined) {
    const doc = { benchmark: 'compare', node: process.version, date: new Date().toISOString(), builds, rounds: args.rounds, rows, notMeasured: Object.fromEntries(failed), kernel: Object.fromEntries(kernel), raw: { baseline: Object.fromEntries(results.baseline), now: Object.fromEntries(results.now) } };
    writeFileSync(args.json, JSON.stringify(doc, null, 2) + '\n');
    console.log(`wrote ${args.json}`);
  }
}

await main(process.argv.slice(2));
