/**
 * A scripted peer for one sans-IO Connection in virtual time, in the style of
 * smoltcp's socket tests: `send` is what the peer puts on the wire, `recv`
 * asserts what our side must put on the wire next.
 */
import assert from 'node:assert/strict';
import { Connection } from '../../src/tcp/connection.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import type { ConnCounter, ConnEvent } from '../../src/tcp/events.js';
import type { OutSegment, Segment } from '../../src/tcp/segment.js';
import { copyOutSegment } from '../../src/tcp/out-segment.js';
import type { TcpState } from '../../src/tcp/state.js';
import { ecnFlagsToString, flagsToString, parseFlags } from '../../src/wire/flags.js';
import type { TcpOptions } from '../../src/wire/tcp-options.js';

export interface SegSpec {
  flags: string;
  seq?: number;
  ack?: number;
  window?: number;
  payload?: Uint8Array | string;
  len?: number;
  options?: TcpOptions;
  /** IP ECN codepoint (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE): what the segment arrives with, or must be sent with (Not-ECT = absent or 0). */
  ecn?: number;
}

export interface TcpTestOptions {
  isn?: number;
  peerIsn?: number;
  /**
   * Connection config; by default MSS 1460, no WS/SACK/TS so segments stay short to assert, and
   * delayed ACKs off so every ACK shows up at once (test delayed ACK by passing `delayedAck: true`).
   */
  cfg?: Partial<TcpConfig>;
}

const BASE_CFG: Partial<TcpConfig> = { windowScaling: false, sack: false, timestamps: false, delayedAck: false };

export class TcpTest {
  now = 0;
  conn: Connection | undefined;
  readonly out: OutSegment[] = [];
  readonly events: ConnEvent[] = [];
  /** MIB counters the connection counted (TcpExt names). */
  readonly counts: Partial<Record<ConnCounter, number>> = {};
  readonly isn: number;
  readonly peerIsn: number;
  readonly cfg: Partial<TcpConfig>;
  private listening = false;

  constructor(o: TcpTestOptions = {}) {
    this.isn = o.isn ?? 1000;
    this.peerIsn = o.peerIsn ?? 5000;
    this.cfg = { ...BASE_CFG, ...o.cfg };
  }

  private sink = {
    transmit: (seg: OutSegment) => void this.out.push(copyOutSegment(seg)), // valid during the call only: keep a copy
    event: (ev: ConnEvent) => void this.events.push(ev),
    count: (c: ConnCounter, n = 1) => void (this.counts[c] = (this.counts[c] ?? 0) + n),
  };

  readonly user = {
    connect: (): void => {
      this.conn = Connection.connect(this.cfg, this.isn, this.sink, this.now);
    },
    listen: (): void => {
      this.listening = true;
    },
    send: (data: Uint8Array | string): number => this.c.send(bytes(data), this.now),
    read: (max?: number): Uint8Array | null => this.c.read(this.now, max),
    shutdown: (): void => this.c.shutdown(this.now),
    close: (): void => this.c.close(this.now),
    abort: (): void => this.c.abort(this.now),
  };

  get c(): Connection {
    assert.ok(this.conn, 'no connection yet');
    return this.conn;
  }

  /** The peer sends a segment to us. */
  send(spec: SegSpec): void {
    const seg: Segment = {
      seq: (spec.seq ?? 0) >>> 0,
      ack: (spec.ack ?? 0) >>> 0,
      flags: parseFlags(spec.flags),
      window: spec.window ?? 65535,
      options: spec.options ?? {},
      payload: bytes(spec.payload ?? ''),
    };
    if (spec.ecn !== undefined) seg.ecn = spec.ecn;
    if (!this.conn && this.listening) {
      this.conn = Connection.accept(seg, this.cfg, this.isn, this.sink, this.now);
      return;
    }
    this.c.onSegment(seg, this.now);
  }

  /** Assert the next segment we sent. Fields not given are not checked. */
  recv(spec: SegSpec): OutSegment {
    const seg = this.out.shift();
    assert.ok(seg, `expected ${describeSpec(spec)} but nothing was sent`);
    const got = describe(seg);
    assert.equal(flagsToString(seg.flags), flagsToString(parseFlags(spec.flags)), `flags: got ${got}`);
    assert.equal(ecnFlagsToString(seg.flags), ecnFlagsToString(parseFlags(spec.flags)), `ECN flags: got ${got}`);
    if (spec.ecn !== undefined) assert.equal(seg.ecn ?? 0, spec.ecn, `IP ECN codepoint: got ${got}`);
    if (spec.seq !== undefined) assert.equal(seg.seq, spec.seq >>> 0, `seq: got ${got}`);
    if (spec.ack !== undefined) assert.equal(seg.ack, spec.ack >>> 0, `ack: got ${got}`);
    if (spec.window !== undefined) assert.equal(seg.window, spec.window, `window: got ${got}`);
    if (spec.len !== undefined) assert.equal(seg.payload.length, spec.len, `len: got ${got}`);
    if (spec.payload !== undefined) assert.deepEqual([...seg.payload], [...bytes(spec.payload)], `payload: got ${got}`);
    if (spec.options !== undefined) assert.deepEqual(seg.options, spec.options, `options: got ${got}`);
    return seg;
  }

  recvNothing(): void {
    assert.equal(this.out.length, 0, `expected nothing sent, got ${this.out.map(describe).join(' | ')}`);
  }

  expectState(s: TcpState): void {
    assert.equal(this.conn?.state ?? 'CLOSED', s);
  }

  /** State transitions seen so far, as "FROM>TO". */
  transitions(): string[] {
    return this.events.flatMap((e) => (e.type === 'state' ? [`${e.from}>${e.to}`] : []));
  }

  errors(): string[] {
    return this.events.flatMap((e) => (e.type === 'error' ? [e.code] : []));
  }

  hasEvent(type: ConnEvent['type']): boolean {
    return this.events.some((e) => e.type === type);
  }

  /** Move virtual time forward, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      const d = this.conn?.nextDeadline;
      if (d === undefined || d > end || this.conn?.state === 'CLOSED') break;
      this.now = Math.max(this.now, d);
      this.conn!.onTimer(this.now);
    }
    this.now = end;
  }

  /** Standard active open to ESTABLISHED (the peer offers MSS 1460 only); clears the output. */
  establishActive(window = 65535): void {
    this.user.connect();
    this.recv({ flags: 'SYN', seq: this.isn });
    this.send({ flags: 'SYN,ACK', seq: this.peerIsn, ack: this.isn + 1, window, options: { mss: 1460 } });
    this.recv({ flags: 'ACK', seq: this.isn + 1, ack: this.peerIsn + 1 });
    this.expectState('ESTABLISHED');
  }

  /** Standard passive open to ESTABLISHED; clears the output. */
  establishPassive(window = 65535): void {
    this.user.listen();
    this.send({ flags: 'SYN', seq: this.peerIsn, window, options: { mss: 1460 } });
    this.recv({ flags: 'SYN,ACK', seq: this.isn, ack: this.peerIsn + 1 });
    this.send({ flags: 'ACK', seq: this.peerIsn + 1, ack: this.isn + 1, window });
    this.expectState('ESTABLISHED');
  }
}

export function tcpTest(o?: TcpTestOptions): TcpTest {
  return new TcpTest(o);
}

export function bytes(x: Uint8Array | string): Uint8Array {
  return typeof x === 'string' ? new TextEncoder().encode(x) : x;
}

function describe(s: Segment): string {
  const ecnFlags = ecnFlagsToString(s.flags);
  const ecn = s.ecn ? ` ecn=${s.ecn}` : '';
  return `<${flagsToString(s.flags)}${ecnFlags ? `+${ecnFlags}` : ''} seq=${s.seq} ack=${s.ack} win=${s.window} len=${s.payload.length}${ecn}>`;
}

function describeSpec(s: SegSpec): string {
  return `<${s.flags} seq=${s.seq ?? '?'} ack=${s.ack ?? '?'}>`;
}
