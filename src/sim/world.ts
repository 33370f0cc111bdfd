import { MemoryLink, type Direction, type PairOptions, type TapEvent } from '../link/memory.js';
import type { Link } from '../link/link.js';
import type { ScenarioDocument, SegmentEvent, SegmentOptions, StateEvent, TraceEvent } from '../observe/events.js';
import { Stack, type StackTraceEvent } from '../stack/stack.js';
import type { StackStats } from '../stack/stats.js';
import type { TcpConfig } from '../tcp/config.js';
import type { TcpState } from '../tcp/state.js';
import { VirtualClock } from '../util/virtual-clock.js';
import { ACK, RST, SYN, ecnFlagsToString, flagsToString, parseFlags } from '../wire/flags.js';
import { ecnName, ipEcn } from '../wire/ecn.js';
import { buildTcpPacket, parseTcpPacket } from '../wire/packet.js';
import { parseAddress } from '../wire/ip.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import type { TcpSegmentOut } from '../wire/tcp.js';
import { transitionCause, type CauseContext } from './cause.js';
import { recoveryNote } from './recovery-notes.js';

export const ADDR_A = '10.0.0.1';
export const ADDR_B = '10.0.0.2';
/** The name of the attacker in documents: the sender of every injected (spoofed) segment. */
export const ATTACKER = 'X';

type Host = 'A' | 'B';

export interface WorldOptions {
  seed?: number;
  /** One-way delay of the link, ms (default 10: RTT 20 ms keeps the ladder readable). */
  delayMs?: number;
  /** Further impairments (loss, reordering, a drop hook …) applied to both directions. */
  link?: Omit<PairOptions, 'seed'>;
  /** TCP options for both stacks, then per stack. */
  tcp?: Partial<TcpConfig>;
  tcpA?: Partial<TcpConfig>;
  tcpB?: Partial<TcpConfig>;
}

/** A raw segment for `inject`: what an attacker (or a test) puts on the wire. */
export interface RawSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  flags: string;
  window?: number;
  payload?: Uint8Array;
  options?: TcpOptions;
}

/** A packet exactly as the trace records it, for pcap: virtual time (ms) and the IP packet's bytes. */
export interface CapturedPacket {
  t: number;
  bytes: Uint8Array;
}

/** What the receiver of a spoofed segment did with it (the `note` on X's segment, and on the reply). */
export const VERDICT = {
  challengeAck: 'challenge ACK',
  outOfWindow: 'dropped: out of window',
  cookie: 'SYN cookie sent',
  synQueue: 'SYN-ACK: half-open in the SYN queue',
  reset: 'accepted: connection reset',
  acceptQueueFull: 'dropped: accept queue full',
  dropped: 'dropped',
} as const;

/**
 * The virtual network every scenario runs in: endpoint A (10.0.0.1) and
 * endpoint B (10.0.0.2) joined by a MemoryLink, one VirtualClock, and a
 * recorder that turns link taps and stack traces into scenario events
 * (docs/events.md): segments as they go onto the wire (dropped ones too, with
 * window, options, SACK blocks and retransmission marks), both ends' state
 * changes with their cause, and the errors the applications see. Segments a
 * scenario injects are the attacker's, endpoint "X".
 */
export class World {
  readonly clock = new VirtualClock();
  readonly a: Stack;
  readonly b: Stack;
  readonly linkA: MemoryLink;
  readonly linkB: MemoryLink;
  readonly events: TraceEvent[] = [];
  /** Every recorded segment's packet, in event order (for `--pcap`). */
  readonly packets: CapturedPacket[] = [];
  /** Settings the scenario changed from the defaults, stated in the document. */
  readonly settings: string[] = [];
  private dropHooks: Array<(seg: ObservedSegment) => boolean> = [];
  private segmentWatchers: Array<(seg: ObservedSegment) => void> = [];
  /** Each packet's event, by identity (the link delivers the very same bytes), to note what its receiver did. */
  private readonly sent = new WeakMap<Uint8Array, SegmentEvent>();
  private injecting = false;
  /** Whether the stack's next transmitted packet is a retransmission (from its trace, just before the link sees it). */
  private readonly rtxNext: Record<Host, boolean> = { A: false, B: false };
  private context: ({ host: Host } & CauseContext) | { kind: 'app' } | undefined;
  private running = false;
  private incompleteAfter: number | undefined;

  constructor(opts: WorldOptions = {}) {
    const seed = opts.seed ?? 1;
    [this.linkA, this.linkB] = MemoryLink.pair(this.clock, {
      delayMs: opts.delayMs ?? 10,
      ...opts.link,
      seed,
      drop: (info) => this.shouldDrop(info.packet, info.direction) || (opts.link?.drop?.(info) ?? false),
    });
    const tcp = { ...opts.tcp };
    this.a = new Stack({ clock: this.clock, name: 'A', seed: seed * 2 + 1, tcp: { ...tcp, ...opts.tcpA } });
    this.b = new Stack({ clock: this.clock, name: 'B', seed: seed * 2 + 2, tcp: { ...tcp, ...opts.tcpB } });
    this.a.attach(this.receiving(this.linkA, 'A'), { address: ADDR_A });
    this.b.attach(this.receiving(this.linkB, 'B'), { address: ADDR_B });
    this.linkA.onTap((ev) => this.onTap(ev));
    this.linkB.onTap((ev) => this.onTap(ev));
    for (const [stack, name] of [
      [this.a, 'A'],
      [this.b, 'B'],
    ] as const) {
      stack.on('trace', (ev) => this.onTrace(stack, name, ev));
    }
  }

  /** Milliseconds since the scenario began, rounded to microseconds so output is stable. */
  t(): number {
    return Math.round(this.clock.now() * 1000) / 1000;
  }

  /** Run `fn` (an application's action) at virtual time `t` (ms since start). */
  at(t: number, fn: () => void): void {
    this.clock.schedule(t, () => this.asApp(fn));
  }

  /** Run the network until nothing is scheduled, bounded by `maxMs` of virtual time (then the document says "incomplete"). */
  run(maxMs = 3_600_000): void {
    this.running = true;
    try {
      this.clock.runUntilIdle({ maxTime: maxMs });
    } finally {
      this.running = false;
    }
    this.incompleteAfter = this.clock.pending() > 0 ? maxMs : undefined;
  }

  /** Advance virtual time by `ms`, running what falls due (timers count as timers, not as the application). */
  advance(ms: number): void {
    this.running = true;
    try {
      this.clock.advance(ms);
    } finally {
      this.running = false;
    }
  }

  /** Drop the first future segment for which `match` is true (once). */
  dropOnce(match: (seg: ObservedSegment) => boolean): void {
    const hook = (seg: ObservedSegment): boolean => {
      if (!match(seg)) return false;
      this.dropHooks = this.dropHooks.filter((h) => h !== hook);
      return true;
    };
    this.dropHooks.push(hook);
  }

  /** Drop every future segment for which `match` is true. */
  dropWhile(match: (seg: ObservedSegment) => boolean): void {
    this.dropHooks.push(match);
  }

  /** Call `fn` for every segment put on the wire. */
  watch(fn: (seg: ObservedSegment) => void): void {
    this.segmentWatchers.push(fn);
  }

  /**
   * The attacker X puts a hand-made segment on the wire towards `to`, with
   * the other endpoint's address as its source (spoofed).
   */
  inject(to: Host, seg: RawSegment): void {
    const [src, dst] = to === 'B' ? [ADDR_A, ADDR_B] : [ADDR_B, ADDR_A];
    this.injectPacket(to, buildTcpPacket(parseAddress(src)!, parseAddress(dst)!, toSegmentOut(seg)));
  }

  /** The attacker X sends a segment to B from any source address (e.g. a SYN flood's random sources). */
  injectFrom(srcAddress: string, seg: RawSegment): void {
    const src = parseAddress(srcAddress);
    if (!src) throw new TypeError(`invalid address ${srcAddress}`);
    this.injectPacket('B', buildTcpPacket(src, parseAddress(ADDR_B)!, toSegmentOut(seg)));
  }

  /** Record an error an application saw outside the stack's own reporting (e.g. connect() throwing EADDRINUSE). */
  recordError(endpoint: Host, code: string): void {
    this.events.push({ t: this.t(), type: 'error', endpoint, code });
  }

  /** State a setting the scenario changed from synack's defaults (shown in the ladder and the JSON). */
  setting(sentence: string): void {
    this.settings.push(sentence);
  }

  document(name: string): ScenarioDocument {
    const attacked = this.events.some((e) => e.type === 'segment' && (e.from === ATTACKER || e.to === ATTACKER));
    const doc: ScenarioDocument = { scenario: name, endpoints: attacked ? ['A', 'B', ATTACKER] : ['A', 'B'], events: this.events };
    if (this.settings.length > 0) doc.settings = [...this.settings];
    if (this.incompleteAfter !== undefined) doc.incomplete = { after: this.incompleteAfter };
    return doc;
  }

  // ---- recording ----

  private asApp(fn: () => void): void {
    const saved = this.context;
    this.context = { kind: 'app' };
    try {
      fn();
    } finally {
      this.context = saved;
    }
  }

  /** The link as the stack sees it: deliveries run in a "receiving this segment" context, so state changes get their cause. */
  private receiving(link: MemoryLink, host: Host): Link {
    return {
      get mtu() {
        return link.mtu;
      },
      send: (packet) => link.send(packet),
      close: () => link.close(),
      onPacket: (handler) =>
        link.onPacket((packet) => {
          const r = parseTcpPacket(packet);
          const saved = this.context;
          if (r.ok) this.context = { host, kind: 'rcv', flags: r.value.tcp.flags, len: r.value.tcp.payload.length };
          const sent = this.sent.get(packet);
          const mark = this.events.length;
          const before = this.stackOf(host).stats();
          try {
            handler(packet);
          } finally {
            this.context = saved;
          }
          if (sent) this.judge(sent, host, mark, before);
          if (sent && sent.note === undefined && r.ok) sent.note = recoveryNote(before, this.stackOf(host).stats(), r.value.tcp.options.ts?.ecr);
        }),
    };
  }

  /**
   * Label what `host` did with a segment it received, from its counters, what it sent and which state it changed
   * meanwhile: every spoofed segment, and any genuine one the receiver dropped or answered with a cookie.
   */
  private judge(seg: SegmentEvent, host: Host, mark: number, before: StackStats): void {
    const stats = this.stackOf(host).stats();
    const after = this.events.slice(mark);
    const reply = after.find((e): e is SegmentEvent => e.type === 'segment' && e.from === host);
    const flags = parseFlags(seg.flags);
    let verdict: string | undefined;
    let replyNote: string | undefined;
    if (stats.SyncookiesSent > before.SyncookiesSent) [verdict, replyNote] = [VERDICT.cookie, 'SYN cookie'];
    else if (stats.ListenOverflows > before.ListenOverflows) verdict = `${VERDICT.acceptQueueFull} (ListenOverflows ${stats.ListenOverflows})`;
    else if (seg.from !== ATTACKER) verdict = undefined;
    else if (flags & RST && after.some((e) => e.type === 'state' && e.endpoint === host && (e.to === 'CLOSED' || e.to === 'LISTEN'))) verdict = VERDICT.reset;
    else if (reply && flags & (RST | SYN) && reply.flags === flagsToString(ACK)) [verdict, replyNote] = [VERDICT.challengeAck, VERDICT.challengeAck];
    else if (reply && flags & SYN && reply.flags === 'SYN,ACK') verdict = VERDICT.synQueue;
    else if (reply) verdict = `answered with ${reply.flags}`;
    else verdict = flags & RST ? VERDICT.outOfWindow : VERDICT.dropped;
    if (verdict !== undefined) seg.note = verdict;
    if (reply && replyNote) reply.note = replyNote;
  }

  private stackOf(host: Host): Stack {
    return host === 'A' ? this.a : this.b;
  }

  private injectPacket(to: Host, packet: Uint8Array): void {
    this.injecting = true;
    try {
      (to === 'B' ? this.linkA : this.linkB).send(packet);
    } finally {
      this.injecting = false;
    }
  }

  private onTrace(stack: Stack, host: Host, ev: StackTraceEvent): void {
    if (ev.type === 'segment' && ev.dir === 'out') {
      this.rtxNext[host] = ev.rtx === true;
    } else if (ev.type === 'state') {
      const ctx: CauseContext = this.context && 'host' in this.context ? (this.context.host === host ? this.context : { kind: 'app' }) : (this.context ?? { kind: this.running ? 'timer' : 'app' });
      const state: StateEvent = { t: this.t(), type: 'state', endpoint: host, from: ev.from, to: ev.to, cause: transitionCause(ev.from, ev.to, ctx), local: ev.local, remote: ev.remote };
      this.events.push(state);
      if (ev.to === 'TIME_WAIT') this.noteTimer(stack, ev.id, state, '2MSL', ev.to);
    } else if (ev.type === 'error') {
      this.events.push({ t: this.t(), type: 'error', endpoint: host, code: ev.code, local: ev.local, remote: ev.remote });
    }
  }

  /** Once the stack has armed it (right after this event), record the timer the new state runs on. */
  private noteTimer(stack: Stack, id: number, state: StateEvent, name: string, inState: TcpState): void {
    this.clock.schedule(this.clock.now(), () => {
      const row = stack.connections().find((r) => r.id === id && r.state === inState);
      if (row?.timerExpiresIn !== undefined) state.timer = { name, ms: Math.round(row.timerExpiresIn * 1000) / 1000 };
    });
  }

  private shouldDrop(packet: Uint8Array, direction: Direction): boolean {
    if (this.dropHooks.length === 0) return false;
    const seg = observe(packet, direction);
    if (!seg) return false;
    return this.dropHooks.some((h) => h(seg));
  }

  private onTap(ev: TapEvent): void {
    const seg = observe(ev.packet, ev.direction);
    if (!seg) return; // a corrupted copy that no longer parses: the receiver drops it too
    const host: Host = ev.direction === 'a->b' ? 'A' : 'B';
    const from = this.injecting ? ATTACKER : seg.from;
    // B's answers to the attacker's made-up source addresses go to X, not to A.
    const to = seg.to === 'A' && !seg.toA ? ATTACKER : seg.to;
    if (!this.injecting) for (const w of this.segmentWatchers) w(seg);
    const event: SegmentEvent = { t: this.t(), type: 'segment', from, to, flags: flagsToString(seg.flags), seq: seg.seq, ack: seg.ack, len: seg.len, win: seg.window, dropped: ev.dropped };
    if (!this.injecting && this.rtxNext[host]) event.rtx = true;
    if (ev.reason === 'path-mtu') event.note = 'dropped: over the path MTU';
    if (seg.sack && seg.sack.length > 0) event.sack = seg.sack.map(([l, r]) => [l, r]);
    const ecn = ecnName(seg.ecn);
    if (ecn !== '') event.ecn = ecn;
    const ecnFlags = ecnFlagsToString(seg.flags);
    if (ecnFlags !== '') event.ecnFlags = ecnFlags;
    if (seg.flags & SYN) {
      const options = synOptions(seg.options);
      if (options) event.options = options;
    }
    this.events.push(event);
    this.packets.push({ t: event.t, bytes: ev.packet.slice() });
    if (!ev.dropped) this.sent.set(ev.packet, event);
  }
}

function synOptions(o: TcpOptions): SegmentOptions | undefined {
  const out: SegmentOptions = {};
  if (o.mss !== undefined) out.mss = o.mss;
  if (o.wscale !== undefined) out.wscale = o.wscale;
  if (o.sackPermitted) out.sackOK = true;
  if (o.ts) out.ts = [o.ts.val, o.ts.ecr];
  return Object.keys(out).length > 0 ? out : undefined;
}

function toSegmentOut(seg: RawSegment): TcpSegmentOut {
  return {
    srcPort: seg.srcPort,
    dstPort: seg.dstPort,
    seq: seg.seq >>> 0,
    ack: (seg.ack ?? 0) >>> 0,
    flags: parseFlags(seg.flags),
    window: seg.window ?? 65535,
    payload: seg.payload,
    options: seg.options,
  };
}

/** A segment seen on the wire, decoded. */
export interface ObservedSegment {
  from: Host;
  to: Host;
  flags: number;
  seq: number;
  ack: number;
  len: number;
  window: number;
  srcPort: number;
  dstPort: number;
  options: TcpOptions;
  sack: Array<[number, number]> | undefined;
  /** The IP ECN codepoint (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE) as it left the sender's queue. */
  ecn: number;
  /** The packet is addressed to A's address (false for B's replies to spoofed sources). */
  toA: boolean;
}

const A_BYTES = parseAddress(ADDR_A)!;

function observe(packet: Uint8Array, direction: Direction): ObservedSegment | undefined {
  const r = parseTcpPacket(packet);
  if (!r.ok) return undefined;
  const { tcp } = r.value;
  const [from, to] = direction === 'a->b' ? (['A', 'B'] as const) : (['B', 'A'] as const);
  const dst = r.value.ip.dst;
  const toA = dst.length === A_BYTES.length && dst.every((b, i) => b === A_BYTES[i]);
  return { from, to, flags: tcp.flags, seq: tcp.seq, ack: tcp.ack, len: tcp.payload.length, window: tcp.window, srcPort: tcp.srcPort, dstPort: tcp.dstPort, options: tcp.options, sack: tcp.options.sack, ecn: ipEcn(r.value.ip), toA };
}
