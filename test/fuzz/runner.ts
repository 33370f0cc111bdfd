/**
 * Runs fuzz cases: generate (seeded), replay (a recorded packet list), and
 * shrink (drop injected packets while the same kind of fault remains).
 * A case is a pure function of its seed and, in replay, its packet list:
 * the world (world.ts), the legitimate traffic and the link's impairments all
 * come from the seed, so a printed failure reproduces exactly.
 */
import { Rng } from '../../src/util/rng.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { flagsToString } from '../../src/wire/flags.js';
import { Generator } from './generator.js';
import { findTarget, judgePacket, type CaseFlags } from './judge.js';
import { Invariants } from './invariants.js';
import { entries, entryFor, isTcb } from './probe.js';
import { World, worldConfig, SERVER_PORT } from './world.js';
import { craftPacket, OptionWriter } from './craft.js';
import { SYN } from '../../src/wire/flags.js';

export interface Injection {
  /** Virtual time, ms. */
  t: number;
  to: 'A' | 'B';
  packet: Uint8Array;
  /** The generator marked it a killer (module comment of generator.ts). */
  killer?: boolean;
  label?: string;
}

export interface Fault {
  kind: 'exception' | 'invariant' | 'incomplete' | 'corrupt' | 'leak' | 'runaway';
  message: string;
  t: number;
}

export interface CaseResult {
  seed: number;
  injected: Injection[];
  /** Packets delivered to either stack, legitimate ones included. */
  delivered: number;
  fault: Fault | undefined;
  licensed: boolean;
  labels: Map<string, number>;
}

/** How long the world may take to finish after the last injection (virtual ms): every retry limit fits. */
const SETTLE_MS = 30 * 60_000;
const SETTLE_STEPS = 3_000_000;

export function caseFlags(seed: number): CaseFlags {
  const r = new Rng(seed ^ 0x0f1a65);
  return { allowKill: r.chance(0.1), lies: r.chance(0.15) };
}

/** Run one case: generate up to `budget` injected packets, or replay `replay` exactly. */
export function runCase(seed: number, budget: number, replay?: readonly Injection[], onWorld?: (w: World) => void): CaseResult {
  const cfg = worldConfig(seed);
  const flags = caseFlags(seed);
  const rng = new Rng(seed ^ 0x7a11ed);
  let fault: Fault | undefined;
  let delivered = 0;
  let w!: World;
  const inv = new Invariants((stack) => (stack === w.b ? cfg.backlog + 4 : 3));
  // After every packet: the stack's tables, the TCB the packet reached, and both legitimate TCBs; every TCB every 256 packets.
  const after = (to: 'A' | 'B', packet: Uint8Array): void => {
    delivered++;
    if (fault) return;
    const now = w.clock.now();
    const stack = to === 'A' ? w.a : w.b;
    let p: string | undefined;
    if ((delivered & 255) === 0) p = inv.check(w.a, now) ?? inv.check(w.b, now);
    else {
      p = inv.checkTables(stack);
      const hit = entryFor(stack, packet);
      if (!p && hit) p = inv.checkEntry(stack, hit, now);
      for (const side of ['A', 'B'] as const) {
        const t = p ? undefined : findTarget(w, side);
        if (t) p = inv.checkEntry(side === 'A' ? w.a : w.b, t.entry, now);
      }
    }
    if (p) fault = { kind: 'invariant', message: p, t: now };
  };
  const onThrow = (e: unknown): void => {
    fault ??= { kind: 'exception', message: errorText(e), t: w.clock.now() };
  };
  w = new World(cfg, after, onThrow);
  onWorld?.(w);
  const runTo = (t: number): void => {
    try {
      w.clock.runUntil(t);
    } catch (e) {
      onThrow(e);
    }
  };
  const injected: Injection[] = [];
  const labels = new Map<string, number>();
  let licensed = false;
  let tainted = false;
  const inject = (inj: Injection): void => {
    injected.push(inj);
    // Generated packets carry the generator's verdict (made at this very instant). A replayed one is judged again
    // at arrival: a packet harmless when generated may not be once earlier packets are gone.
    if (inj.killer) licensed = true;
    if (replay) {
      const verdict = judgePacket(w, inj.to, inj.packet, flags);
      if (verdict.killer) licensed = true;
      if (verdict.tainted) tainted = true;
    }
    if (inj.label) labels.set(inj.label, (labels.get(inj.label) ?? 0) + 1);
    (inj.to === 'A' ? w.portA : w.portB).deliver(inj.packet, true);
  };

  if (replay) {
    for (const inj of replay) {
      if (fault) break;
      runTo(inj.t);
      if (fault) break;
      inject({ ...inj, t: w.clock.now() });
    }
  } else {
    const gen = new Generator(w, rng, flags);
    if (cfg.synQueueFull) {
      // A full SYN queue before the client arrives: the listener must answer it with a cookie.
      for (let i = 0; i < cfg.backlog + 2 && !fault; i++) inject({ t: 0, to: 'B', packet: spoofedSyn(w, rng), label: 'LISTEN-filling' });
    }
    while (injected.length < budget && !fault) {
      runTo(w.clock.now() + rng.next() * cfg.delayMs * 0.7);
      if (fault) break;
      if (w.clock.now() > cfg.connectAt && w.done && !legitTcbs(w)) break;
      for (const g of gen.next()) {
        if (fault) break;
        inject({ t: w.clock.now(), to: g.to, packet: g.packet, killer: g.killer, label: g.label });
      }
    }
  }

  if (!fault) {
    try {
      w.clock.runUntilIdle({ maxTime: w.clock.now() + SETTLE_MS, maxSteps: SETTLE_STEPS });
    } catch (e) {
      fault = { kind: 'runaway', message: errorText(e), t: w.clock.now() };
    }
  }
  if (w.cookieHandshakeLost) licensed = true;
  if (!fault) fault = endCheck(w, licensed, tainted);
  if (!fault && (licensed || tainted)) {
    // Whatever a killer did, nothing may stay for ever once the applications give up (a FIN_WAIT_2 whose
    // application still waits for EOF legitimately stays): they close, and the stacks must then empty.
    w.client.socket?.close();
    w.server.socket?.close();
    try {
      w.clock.runUntilIdle({ maxTime: w.clock.now() + SETTLE_MS, maxSteps: SETTLE_STEPS });
    } catch (e) {
      fault = { kind: 'runaway', message: errorText(e), t: w.clock.now() };
    }
    fault ??= leakCheck(w);
  }
  return { seed, injected, delivered, fault, licensed, labels };
}

/** After the world settled: bytes exact, both ends done, nothing left in the tables. */
function endCheck(w: World, licensed: boolean, tainted: boolean): Fault | undefined {
  const t = w.clock.now();
  for (const e of tainted ? [] : [w.client, w.server]) {
    if (e.mismatchAt !== undefined) return { kind: 'corrupt', message: `${e.name} read a wrong byte at stream offset ${e.mismatchAt}`, t };
    if (e.extra > 0) return { kind: 'corrupt', message: `${e.name} read ${e.extra} bytes past the end of the stream`, t };
  }
  if (!licensed) {
    for (const e of [w.client, w.server]) {
      if (!e.complete) {
        return {
          kind: 'incomplete',
          message: `${e.name}: received ${e.received}/${e.inp.length}, wrote ${e.written}/${e.out.length}, eof ${e.eof}, closed ${e.closed}, errors [${e.errors.join(',')}], state ${e.socket?.state ?? 'no socket'}`,
          t,
        };
      }
    }
  }
  return licensed || tainted ? undefined : leakCheck(w);
}

function leakCheck(w: World): Fault | undefined {
  const t = w.clock.now();
  for (const stack of [w.a, w.b]) {
    const left = entries(stack);
    if (left.length > 0) {
      const e = left[0]!;
      const extra = isTcb(e.conn) ? ` SND.UNA ${e.conn.sndUna} SND.NXT ${e.conn.sndNxt} RCV.NXT ${e.conn.rcvNxt}` : '';
      return { kind: 'leak', message: `stack ${stack.name} still holds ${left.length} TCB(s) ${SETTLE_MS / 60_000} min after the last packet, e.g. :${e.localPort}<-:${e.remotePort} ${e.conn.state}${extra}`, t };
    }
  }
  return undefined;
}

function legitTcbs(w: World): boolean {
  for (const e of entries(w.a)) if (e.localPort === w.clientPort) return true;
  for (const e of entries(w.b)) if (e.remotePort === w.clientPort) return true;
  return false;
}

function spoofedSyn(w: World, rng: Rng): Uint8Array {
  const src = w.addrA.slice();
  src[src.length - 1] = 3 + rng.int(250);
  return craftPacket({ src, dst: w.addrB, srcPort: 1024 + rng.int(60000), dstPort: SERVER_PORT, seq: rng.nextU32(), ack: 0, flags: SYN, window: 65535, options: new OptionWriter().mss(1460).sackPermitted().ts(rng.nextU32(), 0).wscale(7).build(), payload: new Uint8Array(0) });
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/**
 * Smallest packet list (by greedy chunk removal) that still gives a fault of
 * the same kind. Bounded by `maxReplays`.
 */
export function shrink(seed: number, injected: readonly Injection[], kind: Fault['kind'], maxReplays = 400): { injected: Injection[]; fault: Fault; replays: number } {
  let cur = injected.slice();
  let best = runCase(seed, 0, cur).fault;
  let replays = 1;
  if (!best || best.kind !== kind) return { injected: cur, fault: best ?? { kind, message: 'did not reproduce on replay', t: 0 }, replays };
  const empty = runCase(seed, 0, []);
  replays++;
  if (empty.fault?.kind === kind) return { injected: [], fault: empty.fault, replays };
  let chunk = Math.max(1, Math.ceil(cur.length / 2));
  while (replays < maxReplays) {
    let removed = false;
    for (let i = 0; i < cur.length && replays < maxReplays; ) {
      const cand = cur.slice(0, i).concat(cur.slice(i + chunk));
      const r = runCase(seed, 0, cand);
      replays++;
      if (r.fault?.kind === kind) {
        cur = cand;
        best = r.fault;
        removed = true;
      } else i += chunk;
    }
    if (chunk === 1 && !removed) break;
    if (!removed) chunk = Math.max(1, Math.floor(chunk / 2));
  }
  return { injected: cur, fault: best, replays };
}

/** One line per injected packet: time, direction, and what the stack would parse of it. */
export function describe(inj: Injection): string {
  const r = parseTcpPacket(inj.packet);
  const head = `t=${inj.t.toFixed(3)} ->${inj.to}${inj.killer ? ' (killer)' : ''}`;
  if (!r.ok) return `${head} malformed (${r.error}), ${inj.packet.length} bytes`;
  const { tcp } = r.value;
  const o = tcp.options;
  const opts = [o.mss !== undefined ? `mss ${o.mss}` : '', o.wscale !== undefined ? `ws ${o.wscale}` : '', o.sackPermitted ? 'sackOK' : '', o.ts ? `ts ${o.ts.val}/${o.ts.ecr}` : '', o.sack ? `sack ${o.sack.map(([l, h]) => `${l}-${h}`).join(' ')}` : ''].filter(Boolean).join(', ');
  return `${head} :${tcp.srcPort}>:${tcp.dstPort} ${flagsToString(tcp.flags) || '-'} seq ${tcp.seq} ack ${tcp.ack} win ${tcp.window} len ${tcp.payload.length}${opts ? ` [${opts}]` : ''}`;
}

/** A failure as JSON that test/fuzz/regressions.test.ts can replay. */
export function regressionJson(seed: number, injected: readonly Injection[], fault: Fault): string {
  return JSON.stringify(
    {
      name: `${fault.kind}: ${fault.message.split('\n')[0]!.slice(0, 120)}`,
      seed,
      packets: injected.map((i) => ({ t: i.t, to: i.to, hex: Buffer.from(i.packet).toString('hex'), ...(i.killer ? { killer: true } : {}) })),
    },
    null,
    1,
  );
}

export interface RegressionCase {
  name: string;
  seed: number;
  packets: Array<{ t: number; to: 'A' | 'B'; hex: string; killer?: boolean }>;
}

export function replayRegression(rc: RegressionCase): CaseResult {
  return runCase(
    rc.seed,
    0,
    rc.packets.map((p) => ({ t: p.t, to: p.to, packet: Uint8Array.from(Buffer.from(p.hex, 'hex')), killer: p.killer })),
  );
}
