/**
 * Anatomy of an idle established TCB: what the heap holds per connection, by object kind.
 *
 *   node --expose-gc dist/bench/tcb-anatomy.js [--connections N] [--exchange] [--fields NAME,...]
 *
 * Builds N idle established connections between two in-process stacks (as bench/scale.ts does),
 * takes a V8 heap snapshot before and after, and prints the difference per TCB (each connection has
 * two: one per end) grouped by snapshot node type and constructor name, largest first. With
 * --exchange each connection first carries one byte each way (a request and its response, both
 * read), so the figure is that of a connection gone idle after use rather than one just opened. With
 * --fields NAME,... it also lists the fields of one object of each constructor NAME (e.g. Connection,
 * TcpSocket): each edge, what it points to and that object's own size, so a reader sees which
 * field holds which object.
 */
import { getHeapSnapshot } from 'node:v8';
import { MemoryLink } from '../src/link/memory.js';
import { Stack } from '../src/stack/stack.js';
import type { TcpSocket } from '../src/stack/socket.js';
import { VirtualClock } from '../src/util/virtual-clock.js';
import { benchArgsOk } from './args.js';

const args = process.argv.slice(2);
const USAGE = 'usage: node --expose-gc dist/bench/tcb-anatomy.js [--connections N] [--exchange] [--fields CONSTRUCTOR,...]';
if (!benchArgsOk('bench/tcb-anatomy', args, { connections: { type: 'string' }, exchange: { type: 'boolean' }, fields: { type: 'string' } }, USAGE)) process.exit();
const nArg = args.indexOf('--connections');
const N = nArg >= 0 ? Number(args[nArg + 1]) : 5000;
if (!Number.isInteger(N) || N < 1 || N > 60_000) throw new Error('--connections must be an integer in 1..60000');
const exchange = args.includes('--exchange');
const fArg = args.indexOf('--fields');
const fieldsOf = fArg >= 0 ? (args[fArg + 1] ?? '').split(',').filter((x) => x !== '') : [];

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

async function snapshot(): Promise<Snapshot> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const chunks: string[] = [];
  for await (const c of getHeapSnapshot()) chunks.push(String(c));
  return JSON.parse(chunks.join('')) as Snapshot;
}

/**
 * A census of the heap now, the snapshot it was read from let go on return: read at the top level, the
 * parsed snapshot (~13 MB of node and edge arrays) stayed reachable from the module's frame and was
 * counted in the next snapshot as ~400 B of arrays per TCB.
 */
async function censusNow(): Promise<Map<string, Row>> {
  return census(await snapshot());
}

interface Row {
  count: number;
  bytes: number;
}

/** Where each field of a node sits in the snapshot's flat `nodes` array. */
function nodeLayout(s: Snapshot): { width: number; iType: number; iName: number; iSize: number; iEdges: number; types: string[] } {
  const f = s.snapshot.meta.node_fields;
  return { width: f.length, iType: f.indexOf('type'), iName: f.indexOf('name'), iSize: f.indexOf('self_size'), iEdges: f.indexOf('edge_count'), types: s.snapshot.meta.node_types[0] };
}

/** Count and self size of every node, keyed by "type name" (strings and code keyed by type only). */
function census(s: Snapshot): Map<string, Row> {
  const { width, iType, iName, iSize, types } = nodeLayout(s);
  const out = new Map<string, Row>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]!]!;
    const byName = type === 'object' || type === 'closure' || type === 'array' || type === 'hidden' || type === 'object shape' || type === 'native';
    const key = byName ? `${type} ${s.strings[s.nodes[i + iName]!]!.slice(0, 60)}` : type;
    const row = out.get(key) ?? { count: 0, bytes: 0 };
    row.count++;
    row.bytes += s.nodes[i + iSize]!;
    out.set(key, row);
  }
  return out;
}

/** The edges of the first object named `ctor`: field name, target kind and the target's own size. */
function fields(s: Snapshot, ctor: string): string[] {
  const { width, iType, iName, iSize, iEdges, types } = nodeLayout(s);
  const ef = s.snapshot.meta.edge_fields;
  const ew = ef.length;
  const eType = ef.indexOf('type');
  const eName = ef.indexOf('name_or_index');
  const eTo = ef.indexOf('to_node');
  const etypes = s.snapshot.meta.edge_types[0];
  let edge = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const count = s.nodes[i + iEdges]!;
    if (types[s.nodes[i + iType]!] === 'object' && s.strings[s.nodes[i + iName]!] === ctor) {
      const lines = [`${ctor}: ${s.nodes[i + iSize]} B itself, ${count} edges`];
      for (let e = edge; e < edge + count * ew; e += ew) {
        const et = etypes[s.edges[e + eType]!]!;
        if (et === 'weak' || et === 'shortcut') continue;
        const name = et === 'element' || et === 'hidden' ? `[${s.edges[e + eName]}]` : s.strings[s.edges[e + eName]!];
        const to = s.edges[e + eTo]!;
        const tt = types[s.nodes[to + iType]!];
        const tn = s.strings[s.nodes[to + iName]!]!.slice(0, 40);
        lines.push(`  ${et.padEnd(8)} ${String(name).padEnd(24)} -> ${tt} ${tn} (${s.nodes[to + iSize]} B)`);
      }
      return lines;
    }
    edge += count * ew;
  }
  return [`${ctor}: none found`];
}

const clock = new VirtualClock();
const [la, lb] = MemoryLink.pair(clock, { seed: 1 });
const tcp = { sendBufferSize: 16 * 1024, recvBufferSize: 16 * 1024 };
const a = new Stack({ clock, name: 'A', seed: 1, tcp, maxTimeWait: N, maxOrphans: N });
const b = new Stack({ clock, name: 'B', seed: 2, tcp, maxTimeWait: N, maxOrphans: N });
a.attach(la, { address: '10.0.0.1' });
b.attach(lb, { address: '10.0.0.2' });
const accepted: TcpSocket[] = [];
b.listen(1000, { backlog: 1 << 20 }).on('connection', (sock) => accepted.push(sock));
const clients: TcpSocket[] = [];
// Warm up with one connection so that code, maps and per-stack tables exist in both snapshots.
clients.push(a.connect({ remoteAddress: '10.0.0.2', remotePort: 1000, localPort: 1999 }));
clock.runUntilIdle({ maxTime: clock.now() + 100 });
await censusNow(); // the first snapshot makes caches of its own: keep them out of the difference
const before = await censusNow();
for (let i = 0; i < N; i++) {
  clients.push(a.connect({ remoteAddress: '10.0.0.2', remotePort: 1000, localPort: 2000 + i }));
  if ((i + 1) % 5000 === 0) clock.runUntilIdle({ maxTime: clock.now() + 1 });
}
clock.runUntilIdle({ maxTime: clock.now() + 100 });
let answered = 0;
if (exchange) {
  // Polled, not driven by 'readable' listeners: a listener per socket (a closure, its context and the
  // emitter's map and array, ~300 B) is the application's memory, not the TCB's.
  const one = new Uint8Array([1]);
  for (const c of clients) c.write(one);
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  for (const s of accepted) if (s.read()) s.write(one);
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  for (const c of clients) if (c.read()) answered++;
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
}
const established = clients.filter((c) => c.state === 'ESTABLISHED').length;
const snap = await snapshot();
const after = census(snap);
const tcbs = 2 * N;
const rows: [string, number, number][] = [];
let total = 0;
for (const [key, r] of after) {
  const p = before.get(key) ?? { count: 0, bytes: 0 };
  const bytes = (r.bytes - p.bytes) / tcbs;
  const count = (r.count - p.count) / tcbs;
  total += bytes;
  if (Math.abs(bytes) >= 1) rows.push([key, count, bytes]);
}
rows.sort((x, y) => y[2] - x[2]);
if (exchange) console.log(`${answered}/${N + 1} connections carried a byte each way`);
console.log(`${established}/${N + 1} established; per TCB (${tcbs} TCBs), heap snapshot difference by kind:`);
console.log(`${'bytes'.padStart(7)} ${'count'.padStart(6)}  kind`);
for (const [key, count, bytes] of rows) console.log(`${bytes.toFixed(0).padStart(7)} ${count.toFixed(2).padStart(6)}  ${key}`);
console.log(`${total.toFixed(0).padStart(7)}         total`);
for (const ctor of fieldsOf) console.log(fields(snap, ctor).join('\n'));
if (clients.length + accepted.length < 0) console.log('keep alive');
