/**
 * One figure of one build, measured in a process of its own, printed as one JSON line: what
 * bench/compare.ts runs, alternating two builds, so that each figure starts from a fresh heap and JIT.
 *
 *   node --expose-gc dist/bench/probe.js --build DIR --figure NAME
 *
 * DIR is a checkout with a built dist/ (this one or another commit's); the figure is measured with DIR's
 * own bench modules, so it is that build's code that runs. Figures (PROBES below):
 *   bulk-MTU    raw TCB API in virtual time (bench/throughput.ts): Gbit/s per CPU second, and wall
 *   net-MTU     stack.net sockets on a RealClock (bench/net-bulk.ts): Gbit/s per CPU second, and wall
 *   conn-C      short connections through stack.net at concurrency C (bench/conn-rate.ts): conn/s, per CPU second, heap per connection
 *   kconn-C     the same loop over node:net on the kernel's loopback (the peer figure)
 *   alloc-MTU   heap bytes allocated per segment sent and received (bench/packet-cost.ts)
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../src/cli/args.js';
import { benchArgs } from './args.js';
import { median } from './throughput.js';

const USAGE = `usage: node --expose-gc dist/bench/probe.js --build DIR --figure NAME
NAME: bulk-MTU | net-MTU | conn-C | kconn-C | alloc-MTU (e.g. bulk-1500, conn-64). Prints one JSON line.`;

/** CPU milliseconds (user + system) that `f` takes, with its wall milliseconds. */
async function timed(f: () => unknown): Promise<{ cpuMs: number; wallMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, wallMs };
}

/** Bytes moved per run of the bulk figures: enough for steady state, short enough for many alternations. */
const bulkBytes = (mtu: number): number => (mtu >= 9000 ? 128 : 32) << 20;

/** `runs` timed calls of `once(bytes)` after one warm-up call of a quarter of the bytes; medians in Gbit/s. */
async function bulk(once: (bytes: number) => unknown, bytes: number, runs = 3): Promise<Record<string, number>> {
  await once(bytes >> 2);
  const ts: Array<{ cpuMs: number; wallMs: number }> = [];
  for (let i = 0; i < runs; i++) ts.push(await timed(() => once(bytes)));
  const bits = bytes * 8;
  return { gbpsPerCpuSecond: bits / median(ts.map((t) => t.cpuMs)) / 1e6, gbpsWall: bits / median(ts.map((t) => t.wallMs)) / 1e6 };
}

type Probe = (dir: string, arg: number) => Promise<Record<string, number>>;

const load = (dir: string, file: string): Promise<Record<string, (...args: never[]) => unknown>> => import(pathToFileURL(resolve(dir, 'dist/bench', file)).href);

const SHORT_CONNECTIONS = 3000;

async function connections(dir: string, c: number, target: 'synack' | 'kernel'): Promise<Record<string, number>> {
  const m = (await load(dir, 'conn-rate.js')) as unknown as { connRateRun(n: number, c: number, t?: string): Promise<{ perSecond: number; perCpuSecond: number; heapBytesPerConnection: number }> };
  await m.connRateRun(SHORT_CONNECTIONS / 3, c, target);
  const r = await m.connRateRun(SHORT_CONNECTIONS, c, target);
  return { perSecond: r.perSecond, perCpuSecond: r.perCpuSecond, heapBytesPerConnection: r.heapBytesPerConnection };
}

export const PROBES: Record<string, Probe> = {
  bulk: async (dir, mtu) => {
    const m = (await load(dir, 'throughput.js')) as unknown as { runOnce(o: { mtu: number; bytes: number }): unknown };
    return bulk((bytes) => m.runOnce({ mtu, bytes }), bulkBytes(mtu));
  },
  net: async (dir, mtu) => {
    const m = (await load(dir, 'net-bulk.js')) as unknown as { netBulkRun(mtu: number, bytes: number): Promise<number> };
    return bulk((bytes) => m.netBulkRun(mtu, bytes), bulkBytes(mtu));
  },
  conn: (dir, c) => connections(dir, c, 'synack'),
  kconn: (dir, c) => connections(dir, c, 'kernel'),
  alloc: async (dir, mtu) => {
    const m = (await load(dir, 'packet-cost.js')) as unknown as { measurePacketCost(mtu: number, bytes: number): Promise<{ allocPerSegmentSent: number; allocPerSegmentReceived: number }> };
    const r = await m.measurePacketCost(mtu, (mtu >= 9000 ? 64 : 16) << 20); // packet-cost.js's own default at MTU 1500
    return { bytesPerSegmentSent: r.allocPerSegmentSent, bytesPerSegmentReceived: r.allocPerSegmentReceived };
  },
};

/** `name` as a probe and its number (bulk-1500 → bulk, 1500), or a usage error. */
export function parseFigure(name: string): [Probe, number] {
  const m = /^([a-z]+)-(\d+)$/.exec(name);
  const probe = m ? PROBES[m[1]!] : undefined;
  if (!m || !probe) throw new RangeError(`unknown figure ${JSON.stringify(name)} (one of ${Object.keys(PROBES).join(', ')}, then -N)`);
  return [probe, Number(m[2])];
}

async function main(argv: string[]): Promise<void> {
  const args = benchArgs('probe', argv, { build: { type: 'string' }, figure: { type: 'string' } } as const, USAGE, (v) => {
    if (v.build === undefined || v.figure === undefined) throw new UsageError('--build and --figure are both needed');
    try {
      return { build: v.build, figure: parseFigure(v.figure) };
    } catch (e) {
      throw new UsageError(`--figure ${v.figure}: ${(e as Error).message}`);
    }
  });
  if (args === undefined) return;
  const [probe, n] = args.figure;
  console.log(JSON.stringify(await probe(args.build, n)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
