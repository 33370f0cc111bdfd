/**
 * Floods (issue 10 §3), in-process: two stacks, A (client, 10.0.0.1) and B
 * (server, 10.0.0.2), on a MemoryLink in virtual time; hostile packets are
 * handed straight to a stack's receive path, as a link would.
 *
 *  1. SYN flood from spoofed sources at B's listener: the rate B absorbs,
 *     measured in wall time on this core; then the same rate in virtual time
 *     while a legitimate client connects (its connect time is virtual).
 *  2. ACK flood, and in-window RST/SYN flood, at the sender of an established
 *     bulk transfer: it must finish byte-exact; challenge ACKs stay within the
 *     RFC 5961 §7 limit per second (virtual seconds).
 *  3. 1-byte out-of-order segments over the whole receive window: receive
 *     memory must stay within receiveMemoryBound(SO_RCVBUF) (receive-queue.ts; the fuzzer's bound, R9).
 *
 *   node --expose-gc dist/bench/floods.js [--quick] [--out DIR]    (npm run bench -- --floods)
 * Pin it for stable figures: taskset -c 0 node --expose-gc dist/bench/floods.js
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryLink } from '../src/link/memory.js';
import { Stack } from '../src/stack/stack.js';
import type { TcpSocket } from '../src/stack/socket.js';
import type { TcpConfig } from '../src/tcp/config.js';
import { Rng } from '../src/util/rng.js';
import { VirtualClock } from '../src/util/virtual-clock.js';
import { ACK, RST, SYN } from '../src/wire/flags.js';
import { parseAddress } from '../src/wire/ip.js';
import { craftPacket, OptionWriter } from '../test/fuzz/craft.js';
import { entries, entryCount, isTcb, listeners, memory, tcb } from '../test/fuzz/probe.js';
import { FuzzPort } from '../test/fuzz/world.js';
import { receiveMemoryBound } from '../src/tcp/receive-queue.js';
import { heapBytes } from './heap.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIdx = args.indexOf('--out');
const outDir = resolve(process.cwd(), outIdx >= 0 && args[outIdx + 1] ? args[outIdx + 1]! : 'bench/results');

const A = parseAddress('10.0.0.1')!;
const B = parseAddress('10.0.0.2')!;

interface Pair {
  clock: VirtualClock;
  a: Stack;
  b: Stack;
  portA: FuzzPort;
  portB: FuzzPort;
  /** Packets B sent to addresses that are not A (replies to spoofed sources: routed away, not delivered). */
  awayFromB: { count: number };
}

/** A and B on a 1 ms link; B's replies to anyone but A leave by another route (counted, dropped). */
function pair(tcp: Partial<TcpConfig>, delayMs = 1): Pair {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { delayMs, seed: 1 });
  const raise = (e: unknown): void => {
    throw e;
  };
  const portA = new FuzzPort(la, () => {}, raise);
  const portB = new FuzzPort(lb, () => {}, raise);
  const awayFromB = { count: 0 };
  const toA = (p: Uint8Array): boolean => p[16] === A[0] && p[17] === A[1] && p[18] === A[2] && p[19] === A[3];
  const a = new Stack({ clock, name: 'A', seed: 11, tcp });
  const b = new Stack({ clock, name: 'B', seed: 12, tcp });
  a.attach(portA, { address: '10.0.0.1' });
  b.attach({ mtu: portB.mtu, close: () => portB.close(), onPacket: (h) => portB.onPacket(h), send: (p) => (toA(p) ? portB.send(p) : awayFromB.count++) }, { address: '10.0.0.2' });
  return { clock, a, b, portA, portB, awayFromB };
}

function spoofedSyn(rng: Rng): Uint8Array {
  const src = Uint8Array.of(10, 1 + rng.int(250), rng.int(256), 1 + rng.int(254));
  return craftPacket({ src, dst: B, srcPort: 1024 + rng.int(64000), dstPort: 80, seq: rng.nextU32(), ack: 0, flags: SYN, window: 65535, options: new OptionWriter().mss(1460).sackPermitted().ts(rng.nextU32(), 0).wscale(7).build(), payload: new Uint8Array(0) });
}

// ───────────────────────────── 1. SYN flood ─────────────────────────────

function synFlood(): Record<string, unknown> {
  const rng = new Rng(7);
  const n = quick ? 100_000 : 1_000_000;
  // Prebuilt packets: the figure is the stack's work, not the packet factory's.
  const pool = Array.from({ length: 4096 }, () => spoofedSyn(rng));
  const p = pair({});
  const l = p.b.listen(80, { backlog: 128 });
  l.on('connection', () => {});
  const heap0 = heapBytes();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) p.portB.deliver(pool[i & 4095]!, true);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // CPU time, not wall time: on a shared machine the process is not always on its core.
  const rate = n / (cpuMs / 1000);
  const heap1 = heapBytes();
  const statsB = p.b.stats();
  const tcbs = entryCount(p.b);

  // The same rate in virtual time while a legitimate client connects (connect time is virtual).
  const v = pair({});
  const lv = v.b.listen(80, { backlog: 128 });
  let accepted = 0;
  lv.on('connection', () => accepted++);
  const perMs = Math.max(1, Math.round(rate / 1000));
  let connectedAt: number | undefined;
  let client: TcpSocket | undefined;
  const startAt = 10;
  let flooded = 0;
  for (let ms = 0; ms < 3000 && connectedAt === undefined; ms++) {
    if (ms === startAt) {
      client = v.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
      client.on('connect', () => (connectedAt = v.clock.now()));
    }
    for (let k = 0; k < perMs; k++) v.portB.deliver(pool[(flooded++) & 4095]!, true);
    v.clock.runUntil(ms + 1);
  }
  const legit = { connectedWithinMs: connectedAt === undefined ? null : connectedAt - startAt, virtual: true, accepted, synQueue: listeners(v.b)[0]!.synQueued, backlog: 128, floodedDuringConnect: flooded };
  const r = {
    spoofedSyns: n,
    wallMs,
    cpuMs,
    synPerSecondCpu: rate,
    synPerSecondWall: n / (wallMs / 1000),
    heapBeforeMB: heap0 / 1e6,
    heapAfterMB: heap1 / 1e6,
    tcbsAfter: tcbs,
    synQueueAfter: l.synQueued,
    syncookiesSent: statsB.SyncookiesSent,
    legitimateClient: legit,
  };
  console.log(
    `SYN flood: ${n} spoofed SYNs in ${cpuMs.toFixed(0)} ms of CPU = ${Math.round(rate)} SYN/s on one core (${Math.round(n / (wallMs / 1000))}/s wall); ${tcbs} TCBs held (SYN queue ${l.synQueued}/128), ` +
      `${statsB.SyncookiesSent} cookies; heap ${(heap0 / 1e6).toFixed(1)} -> ${(heap1 / 1e6).toFixed(1)} MB. ` +
      `Legitimate client under ${perMs * 1000} SYN/s (virtual): ${connectedAt === undefined ? 'did NOT connect within 3 s' : `connected in ${connectedAt - startAt} ms (virtual)`}`,
  );
  return r;
}

// ───────────────────────── 2. ACK and RST/SYN floods ─────────────────────────

type FloodKind = 'ack' | 'rst-syn';

/** Bulk transfer A → B while packets spoofed from B's tuple hit A (the sender). */
function transferUnderFlood(kind: FloodKind | 'none'): Record<string, unknown> {
  const total = quick ? 4 << 20 : 32 << 20;
  const perMs = kind === 'none' ? 0 : quick ? 50 : 100; // flood packets per virtual ms
  const tcp: Partial<TcpConfig> = { challengeAckLimit: 10 };
  const p = pair(tcp);
  const rng = new Rng(3);
  let received = 0;
  let server: TcpSocket | undefined;
  let ended = false;
  p.b.listen(80).on('connection', (s) => {
    server = s;
    s.on('readable', () => {
      for (let d = s.read(); d; d = s.read()) received += d.length;
    });
    s.on('end', () => {
      ended = true;
      s.close();
    });
  });
  const client = p.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  const chunk = new Uint8Array(64 * 1024).fill(0x5a);
  let written = 0;
  const pump = (): void => {
    while (written < total) {
      const took = client.write(chunk.subarray(0, Math.min(chunk.length, total - written)));
      written += took;
      if (took === 0) return;
    }
    client.shutdown();
  };
  client.on('connect', pump);
  client.on('writable', pump);
  // Count what A sends without data: challenge ACKs and other bare ACKs (a bulk sender sends little else).
  const bareAcks: number[] = [];
  p.a.on('trace', (e) => {
    if (e.type === 'segment' && e.dir === 'out' && e.len === 0 && e.flags === 'ACK') bareAcks.push(e.t);
  });
  let flood = 0;
  let floodWallMs = 0;
  const heap0 = heapBytes();
  const tStart = performance.now();
  let doneAt: number | undefined;
  for (let ms = 0; ms < 600_000 && doneAt === undefined; ms++) {
    const conn = entries(p.a).find((e) => e.localPort === client.localPort)?.conn;
    if (perMs > 0 && conn && isTcb(conn) && conn.state === 'ESTABLISHED') {
      const v = tcb(conn);
      const t0 = performance.now();
      for (let k = 0; k < perMs; k++) {
        let seq: number;
        let ack: number;
        let flags: number;
        if (kind === 'ack') {
          // ACKs from old to far future: below SND.UNA, in flight, beyond SND.MAX; windows of every size.
          flags = ACK;
          seq = (v.rcvNxt + rng.int(2) * rng.int(65535)) >>> 0;
          const r = rng.int(3);
          ack = r === 0 ? (v.sndUna - rng.int(1 << 20)) >>> 0 : r === 1 ? (v.sndMax + 1 + rng.int(1 << 30)) >>> 0 : rng.nextU32();
        } else {
          // In-window RSTs that are not exact, and in-window SYNs: each earns at most a challenge ACK.
          flags = rng.chance(0.5) ? RST : SYN;
          seq = (v.rcvNxt + 1 + rng.int(Math.max(1, (v.rcvAdvEdge - v.rcvNxt - 1) >>> 0))) >>> 0;
          ack = 0;
        }
        p.portA.deliver(craftPacket({ src: B, dst: A, srcPort: 80, dstPort: client.localPort, seq, ack, flags, window: rng.int(65536), options: new Uint8Array(0), payload: new Uint8Array(0) }), true);
        flood++;
      }
      floodWallMs += performance.now() - t0;
    }
    p.clock.runUntil(ms + 1);
    if (ended && received === total) doneAt = p.clock.now();
  }
  const wallMs = performance.now() - tStart;
  const heap1 = heapBytes();
  // The most bare ACKs in any one virtual second.
  let maxPerSecond = 0;
  for (let i = 0, j = 0; i < bareAcks.length; i++) {
    while (bareAcks[i]! - bareAcks[j]! >= 1000) j++;
    maxPerSecond = Math.max(maxPerSecond, i - j + 1);
  }
  void server;
  const r = {
    flood: kind,
    bytes: total,
    survived: doneAt !== undefined && received === total && errors.length === 0,
    receivedBytes: received,
    errors,
    virtualSeconds: doneAt === undefined ? null : doneAt / 1000,
    goodputMbitVirtual: doneAt === undefined ? null : (total * 8) / 1e6 / (doneAt / 1000),
    floodPackets: flood,
    floodPerSecondVirtual: perMs * 1000,
    floodPerSecondWall: floodWallMs > 0 ? flood / (floodWallMs / 1000) : 0,
    wallMs,
    bareAcksFromSender: bareAcks.length,
    maxBareAcksPerVirtualSecond: maxPerSecond,
    challengeAckLimit: 10,
    heapBeforeMB: heap0 / 1e6,
    heapAfterMB: heap1 / 1e6,
  };
  console.log(
    `${kind === 'none' ? 'no flood (baseline)' : `${kind} flood`}: ${r.survived ? 'transfer survived' : 'transfer did NOT survive'} (${received}/${total} B, ${r.virtualSeconds ?? '-'} s virtual${r.goodputMbitVirtual ? `, ${r.goodputMbitVirtual.toFixed(0)} Mbit/s virtual` : ''})` +
      (kind === 'none' ? '' : `; ${flood} flood packets at ${perMs * 1000}/s virtual, stack took them at ${Math.round(r.floodPerSecondWall)}/s (wall); sender's bare ACKs: ${bareAcks.length}, at most ${maxPerSecond} in one second (limit 10 challenge ACKs/s)`) +
      `; heap ${(heap0 / 1e6).toFixed(1)} -> ${(heap1 / 1e6).toFixed(1)} MB`,
  );
  return r;
}

// ─────────────────────────── 3. 1-byte OOO flood ───────────────────────────

function sliverFlood(adjacent: boolean): Record<string, unknown> {
  const rcvbuf = 256 * 1024;
  const p = pair({ recvBufferSize: rcvbuf });
  let server: TcpSocket | undefined;
  p.b.listen(80).on('connection', (s) => (server = s));
  const client = p.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  p.clock.runUntil(10);
  const e = entries(p.b).find((x) => x.remotePort === client.localPort);
  if (!e || !isTcb(e.conn) || !server) throw new Error('sliver flood: no connection');
  const conn = e.conn;
  const v = tcb(conn);
  const ts = v.tsOk ? new OptionWriter().ts(v.tsRecent, 0).build() : new Uint8Array(0);
  const n = Math.min(quick ? 50_000 : 250_000, Math.max(0, (v.rcvAdvEdge - v.rcvNxt - 1) >>> 0));
  const heap0 = heapBytes();
  const t0 = performance.now();
  let maxRetained = 0;
  let maxIslands = 0;
  const payload = Uint8Array.of(0x61);
  for (let i = 0; i < n; i++) {
    const off = adjacent ? 1 + i : 1 + 2 * i;
    if (!adjacent && off >= n) break;
    const seq = (v.rcvNxt + off) >>> 0;
    p.portB.deliver(craftPacket({ src: A, dst: B, srcPort: client.localPort, dstPort: 80, seq, ack: v.sndUna, flags: ACK, window: 65535, options: ts, payload }), true);
    if ((i & 1023) === 0) {
      p.clock.runUntil(p.clock.now() + 1); // let B's ACKs drain off the link (else they pile up in the bench, not the stack)
      const m = memory(conn, receiveMemoryBound(rcvbuf));
      maxRetained = Math.max(maxRetained, m.rxRetained);
      maxIslands = Math.max(maxIslands, m.oooIslands);
    }
  }
  const wallMs = performance.now() - t0;
  const m = memory(conn, 0);
  maxRetained = Math.max(maxRetained, m.rxRetained);
  const heap1 = heapBytes();
  const bound = receiveMemoryBound(rcvbuf);
  const r = {
    pattern: adjacent ? 'adjacent 1-byte segments after a 1-byte hole (one island)' : 'every other byte (one island each)',
    segments: n,
    wallMs,
    segmentsPerSecond: n / (wallMs / 1000),
    oooIslands: m.oooIslands,
    oooBytes: m.oooBytes,
    maxRetainedBytes: maxRetained,
    boundBytes: bound,
    bounded: maxRetained <= bound,
    heapBeforeMB: heap0 / 1e6,
    heapAfterMB: heap1 / 1e6,
  };
  console.log(
    `1-byte OOO flood, ${r.pattern}: ${n} segments at ${Math.round(r.segmentsPerSecond)}/s (wall); ${m.oooIslands} islands, ${m.oooBytes} B held; ` +
      `receive memory retained at most ${(maxRetained / 1e6).toFixed(2)} MB vs bound ${(bound / 1e6).toFixed(2)} MB: ${r.bounded ? 'bounded' : 'NOT bounded'}; heap ${(heap0 / 1e6).toFixed(1)} -> ${(heap1 / 1e6).toFixed(1)} MB`,
  );
  return r;
}

const started = Date.now();
const results = {
  benchmark: 'floods',
  quick,
  node: process.version,
  date: new Date().toISOString(),
  synFlood: synFlood(),
  transfer: {
    baseline: transferUnderFlood('none'),
    ackFlood: transferUnderFlood('ack'),
    rstSynFlood: transferUnderFlood('rst-syn'),
  },
  sliverFlood: { islands: sliverFlood(false), adjacent: sliverFlood(true) },
  elapsedMs: 0,
};
results.elapsedMs = Date.now() - started;
mkdirSync(outDir, { recursive: true });
const file = resolve(outDir, 'floods.json');
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
console.log(`wrote ${file}`);
