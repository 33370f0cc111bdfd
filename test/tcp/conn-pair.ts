/**
 * Two sans-IO Connections wired back to back in virtual time, no stack and no
 * link: A opens actively with ISS `issA`, B is created from A's SYN with ISS
 * `issB`. Segments are delivered in order, one at a time; when none is in
 * flight, time jumps to the earliest deadline. Fast enough for property tests
 * that open 10^5 connections.
 */
import { Connection } from '../../src/tcp/connection.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import type { ConnEvent, ConnectionSink } from '../../src/tcp/events.js';
import type { OutSegment } from '../../src/tcp/segment.js';
import { copyOutSegment } from '../../src/tcp/out-segment.js';
import type { TcpState } from '../../src/tcp/state.js';

export interface Side {
  conn: Connection | undefined;
  events: ConnEvent[];
  received: Uint8Array[];
}

export class ConnPair {
  now = 0;
  readonly a: Side = { conn: undefined, events: [], received: [] };
  readonly b: Side = { conn: undefined, events: [], received: [] };
  /** Segments on the wire: [to, segment]. */
  private readonly wire: Array<['a' | 'b', OutSegment]> = [];
  segments = 0;

  constructor(
    readonly issA: number,
    readonly issB: number,
    readonly cfgA: Partial<TcpConfig> = {},
    readonly cfgB: Partial<TcpConfig> = cfgA,
  ) {}

  private sink(from: 'a' | 'b'): ConnectionSink {
    const side = this[from];
    return {
      transmit: (seg) => void this.wire.push([from === 'a' ? 'b' : 'a', copyOutSegment(seg)]), // valid during the call only
      event: (ev) => {
        side.events.push(ev);
        if (ev.type === 'readable') {
          // Read at once, as an application that keeps up.
          for (let d = side.conn?.read(this.now); d; d = side.conn?.read(this.now)) side.received.push(d.slice());
        }
      },
    };
  }

  open(): void {
    this.a.conn = Connection.connect(this.cfgA, this.issA, this.sink('a'), this.now);
  }

  /** Deliver segments and fire timers until nothing is left or `untilMs` of virtual time has passed. */
  run(untilMs = 600_000, maxSegments = 100_000): void {
    const end = this.now + untilMs;
    for (let guard = 0; guard < maxSegments; guard++) {
      const next = this.wire.shift();
      if (next) {
        this.segments++;
        const [to, seg] = next;
        const side = this[to];
        if (!side.conn && to === 'b') {
          if (seg.flags === 0x02) side.conn = Connection.accept(seg, this.cfgB, this.issB, this.sink('b'), this.now);
          continue;
        }
        if (side.conn && side.conn.state !== 'CLOSED') side.conn.onSegment(seg, this.now);
        continue;
      }
      let due: number | undefined;
      let who: Side | undefined;
      for (const s of [this.a, this.b]) {
        const d = s.conn && s.conn.state !== 'CLOSED' ? s.conn.nextDeadline : undefined;
        if (d !== undefined && (due === undefined || d < due)) {
          due = d;
          who = s;
        }
      }
      if (due === undefined || due > end || !who) break;
      this.now = Math.max(this.now, due);
      who.conn!.onTimer(this.now);
    }
  }

  /** Run only until the wire is quiet (no timers). */
  drain(): void {
    this.run(0);
  }

  static bytes(side: Side): Uint8Array {
    const n = side.received.reduce((s, c) => s + c.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of side.received) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export interface ExchangeResult {
  ok: boolean;
  why?: string;
}

/**
 * Open A→B with the given ISNs, send `size` bytes each way, close both, and
 * check that each side got the other's bytes exactly and both ended cleanly
 * (A in TIME_WAIT or CLOSED, B CLOSED) without an error, within bounded virtual time.
 */
export function openExchange(issA: number, issB: number, cfg: Partial<TcpConfig> = {}, size = 3000): ExchangeResult {
  const p = new ConnPair(issA, issB, cfg);
  p.open();
  p.drain();
  if (p.a.conn?.state !== 'ESTABLISHED' || p.b.conn?.state !== 'ESTABLISHED') {
    return { ok: false, why: `not established: A ${p.a.conn?.state} B ${p.b.conn?.state}` };
  }
  const dataA = pattern(size, issA);
  const dataB = pattern(size, issB);
  p.a.conn.send(dataA, p.now);
  p.b.conn.send(dataB, p.now);
  p.run(10_000);
  p.a.conn.close(p.now);
  p.run(10_000);
  p.b.conn.close(p.now);
  p.run(10_000);
  const gotB = ConnPair.bytes(p.b);
  const gotA = ConnPair.bytes(p.a);
  if (!equal(gotB, dataA)) return { ok: false, why: `B received ${gotB.length}/${size} bytes` };
  if (!equal(gotA, dataB)) return { ok: false, why: `A received ${gotA.length}/${size} bytes` };
  const sa = p.a.conn.state as TcpState;
  const sb = p.b.conn.state as TcpState;
  if (sa !== 'TIME_WAIT' && sa !== 'CLOSED') return { ok: false, why: `A ended in ${sa}` };
  if (sb !== 'CLOSED') return { ok: false, why: `B ended in ${sb}` };
  const errs = [...p.a.events, ...p.b.events].filter((e) => e.type === 'error');
  if (errs.length > 0) return { ok: false, why: `error ${JSON.stringify(errs)}` };
  return { ok: true };
}

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
