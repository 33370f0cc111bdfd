/**
 * What one segment costs on the packet path: bytes allocated per segment sent
 * and per segment received, and the CPU profile's top functions, for the
 * in-process bulk transfer of bench/throughput.ts (virtual time, MemoryLink).
 *
 * Allocation comes from V8's sampling heap profiler (node:inspector,
 * HeapProfiler.startSampling), told to keep samples of objects that the
 * minor and major GCs have already collected, so the sum of its sizes
 * estimates every byte allocated during the run, short-lived ones included.
 * A sample counts as "send" or "receive" by the innermost frame of its stack
 * that marks one of the paths (SEND_MARKS, RECEIVE_MARKS), else as
 * "application" (the bench's writes and reads, timers). So the ACKs and
 * data a received segment clocks out count as sends.
 *
 * What is counted is V8 heap: objects (headers, records, closures, typed-array
 * and ArrayBuffer objects). The contents of an ArrayBuffer live outside that
 * heap, so the bytes of a packet the link copies, as a real link would, are
 * not in these figures; the ArrayBuffer object for that copy is.
 *
 * Run: node dist/bench/packet-cost.js [--mtu N] [--mib N] [--json FILE]
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { integer } from '../src/cli/args.js';
import { benchArgs } from './args.js';
import { runOnce } from './throughput.js';

const USAGE = `usage: node dist/bench/packet-cost.js [--mtu N] [--mib N] [--json FILE]
Bytes of heap objects allocated per segment sent and received, and the CPU profile's top functions,
for an in-process bulk transfer (default MTU 1500, 16 MiB).`;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface PacketCost {
  mtu: number;
  bytes: number;
  segmentsSent: number;
  /** Bytes of V8 heap objects allocated per segment sent and per segment received (packet contents excluded). */
  allocPerSegmentSent: number;
  allocPerSegmentReceived: number;
  /** Bytes allocated per segment outside the packet path (the bench's own writes and reads). */
  allocPerSegmentApplication: number;
  /** Top allocating functions (self bytes per segment). */
  topAllocators: Array<{ fn: string; bytesPerSegment: number }>;
  /** Top functions by self CPU time, as a share of the profile. */
  topCpu: Array<{ fn: string; share: number }>;
}

/**
 * Frames that mark the send and the receive path. V8 inlines small functions and the sampling
 * profiler then omits their frames, so each path has several markers; the innermost one wins
 * (an ACK sent while a segment is processed is a send).
 */
const SEND_MARKS = new Set(['stack/stack.js transmit', 'stack/stack.js transmitWith', 'wire/tcp-template.js write', 'tcp/sender.js transmit', 'tcp/sender.js emit', 'tcp/sender.js buildSegment', 'wire/packet.js buildTcpPacket', 'link/memory.js transmit']);
const RECEIVE_MARKS = new Set(['stack/stack.js onPacket', 'stack/stack.js input']);

function mark(f: CallFrame): 'send' | 'receive' | undefined {
  const k = `${f.url.split('/').slice(-2).join('/')} ${f.functionName}`;
  return SEND_MARKS.has(k) ? 'send' : RECEIVE_MARKS.has(k) ? 'receive' : undefined;
}

function where(f: CallFrame): string {
  const file = f.url.split('/').slice(-2).join('/');
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : '(native)'}`;
}

/** Sums the heap profile's self sizes into send / receive / application, and by function. */
function splitAllocations(head: HeapNode): { send: number; receive: number; app: number; byFn: Map<string, number> } {
  const out = { send: 0, receive: 0, app: 0, byFn: new Map<string, number>() };
  // Depth-first with an explicit stack: [node, class of the nearest marked frame so far].
  // A native frame (subarray, Set.add...) is named with its caller, which says which one it is.
  const todo: Array<[HeapNode, 'send' | 'receive' | 'app', CallFrame | undefined]> = [[head, 'app', undefined]];
  while (todo.length > 0) {
    const [n, outer, parent] = todo.pop()!;
    const cls = mark(n.callFrame) ?? outer;
    if (n.selfSize > 0) {
      out[cls] += n.selfSize;
      const k = n.callFrame.url === '' && parent !== undefined ? `${where(n.callFrame)} in ${where(parent)}` : where(n.callFrame);
      out.byFn.set(k, (out.byFn.get(k) ?? 0) + n.selfSize);
    }
    for (const c of n.children) todo.push([c, cls, n.callFrame]);
  }
  return out;
}

/** Self time per function from a CPU profile, as shares of all samples. */
function selfTimes(p: CpuProfile): Map<string, number> {
  const byId = new Map<number, CpuNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const micros = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const n = byId.get(p.samples[i]!);
    if (!n) continue;
    const k = where(n.callFrame);
    micros.set(k, (micros.get(k) ?? 0) + dt);
    total += dt;
  }
  const shares = new Map<string, number>();
  for (const [k, v] of micros) shares.set(k, total > 0 ? v / total : 0);
  return shares;
}

export async function measurePacketCost(mtu: number, bytes: number): Promise<PacketCost> {
  const session = new Session();
  session.connect();
  try {
    runOnce({ mtu, bytes: Math.min(bytes, 8 << 20) }); // warm-up: compiled code, as in the throughput bench
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    const run = runOnce({ mtu, bytes });
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: HeapNode } };
    await session.post('HeapProfiler.disable');
    const sent = run.segmentsA + run.segmentsB; // every segment sent is received once (the link is lossless)
    const alloc = splitAllocations(profile.head);

    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    runOnce({ mtu, bytes });
    const { profile: cpu } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    await session.post('Profiler.disable');

    const top = <T>(m: Map<string, number>, n: number, f: (k: string, v: number) => T): T[] =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => f(k, v));
    return {
      mtu,
      bytes,
      segmentsSent: sent,
      allocPerSegmentSent: alloc.send / sent,
      allocPerSegmentReceived: alloc.receive / sent,
      allocPerSegmentApplication: alloc.app / sent,
      topAllocators: top(alloc.byFn, 16, (fn, v) => ({ fn, bytesPerSegment: v / sent })),
      topCpu: top(selfTimes(cpu), 12, (fn, share) => ({ fn, share })),
    };
  } finally {
    session.disconnect();
  }
}

export function printPacketCost(c: PacketCost): void {
  console.log(
    `packet cost MTU ${c.mtu} (${c.bytes >> 20} MiB, ${c.segmentsSent} segments): ` +
      `${c.allocPerSegmentSent.toFixed(0)} B of heap objects allocated per segment sent, ` +
      `${c.allocPerSegmentReceived.toFixed(0)} B per segment received, ${c.allocPerSegmentApplication.toFixed(0)} B per segment in the application`,
  );
  console.log('  top allocators (B per segment):');
  for (const a of c.topAllocators) console.log(`    ${a.bytesPerSegment.toFixed(1).padStart(8)}  ${a.fn}`);
  console.log('  top functions by self time:');
  for (const t of c.topCpu) console.log(`    ${(t.share * 100).toFixed(1).padStart(6)} %  ${t.fn}`);
}

async function main(argv: string[]): Promise<void> {
  const specs = { mtu: { type: 'string' }, mib: { type: 'string' }, json: { type: 'string' } } as const;
  const args = benchArgs('packet-cost', argv, specs, USAGE, (v) => ({
    mtu: v.mtu === undefined ? 1500 : integer('--mtu', v.mtu, 68, 65535),
    // At most 2047: the byte count is MiB << 20, an int32.
    mib: v.mib === undefined ? 16 : integer('--mib', v.mib, 1, 2047),
    json: v.json,
  }));
  if (args === undefined) return;
  const { mtu, mib, json } = args;
  const cost = await measurePacketCost(mtu, mib << 20);
  printPacketCost(cost);
  if (json !== undefined) writeFileSync(json, JSON.stringify({ benchmark: 'packet-cost', node: process.version, date: new Date().toISOString(), ...cost }, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
