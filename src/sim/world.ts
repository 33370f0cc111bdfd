import { MemoryLink, type Direction, type PairOptions, type TapEvent } from '../link/memory.js';
import type { ScenarioDocument, TraceEvent } from '../observe/events.js';
import { Stack } from '../stack/stack.js';
import type { TcpConfig } from '../tcp/config.js';
import { VirtualClock } from '../util/virtual-clock.js';
import { flagsToString, parseFlags } from '../wire/flags.js';
import { buildTcpPacket, parseTcpPacket } from '../wire/packet.js';
import { parseAddress } from '../wire/ip.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import type { TcpSegmentOut } from '../wire/tcp.js';

export const ADDR_A = '10.0.0.1';
export const ADDR_B = '10.0.0.2';

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

/**
 * The virtual network every scenario runs in: endpoint A (10.0.0.1) and
 * endpoint B (10.0.0.2) joined by a MemoryLink, one VirtualClock, and a
 * recorder that turns link taps and stack traces into the scenario event
 * contract (DESIGN.md): segments as they go onto the wire (dropped ones too)
 * and both ends' state changes.
 */
export class World {
  readonly clock = new VirtualClock();
  readonly a: Stack;
  readonly b: Stack;
  readonly linkA: MemoryLink;
  readonly linkB: MemoryLink;
  readonly events: TraceEvent[] = [];
  private dropHooks: Array<(seg: ObservedSegment) => boolean> = [];
  private segmentWatchers: Array<(seg: ObservedSegment) => void> = [];

  constructor(opts: WorldOptions = {}) {
    const seed = opts.seed ?? 1;
    [this.linkA, this.linkB] = MemoryLink.pair(this.clock, {
      delayMs: opts.delayMs ?? 10,
      ...opts.link,
      seed,
      drop: (info) => this.shouldDrop(info.packet, info.direction) || (opts.link?.drop?.(info) ?? false),
    });
    const tcp = { tsOffset: 0, ...opts.tcp };
    this.a = new Stack({ clock: this.clock, name: 'A', seed: seed * 2 + 1, tcp: { ...tcp, ...opts.tcpA } });
    this.b = new Stack({ clock: this.clock, name: 'B', seed: seed * 2 + 2, tcp: { ...tcp, ...opts.tcpB } });
    this.a.attach(this.linkA, { address: ADDR_A });
    this.b.attach(this.linkB, { address: ADDR_B });
    this.linkA.onTap((ev) => this.onTap(ev));
    this.linkB.onTap((ev) => this.onTap(ev));
    for (const [stack, name] of [
      [this.a, 'A'],
      [this.b, 'B'],
    ] as const) {
      stack.on('trace', (ev) => {
        if (ev.type === 'state') this.events.push({ t: this.t(), type: 'state', endpoint: name, from: ev.from, to: ev.to });
      });
    }
  }

  /** Milliseconds since the scenario began, rounded to microseconds so output is stable. */
  t(): number {
    return Math.round(this.clock.now() * 1000) / 1000;
  }

  /** Run `fn` at virtual time `t` (ms since start). */
  at(t: number, fn: () => void): void {
    this.clock.schedule(t, fn);
  }

  /** Run the network until nothing is scheduled, bounded by `maxMs` of virtual time. */
  run(maxMs = 3_600_000): void {
    this.clock.runUntilIdle({ maxTime: maxMs });
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

  /** Put a hand-made segment on the wire as if `from` sent it (spoofed source address). */
  inject(from: 'A' | 'B', seg: RawSegment): void {
    const [src, dst] = from === 'A' ? [ADDR_A, ADDR_B] : [ADDR_B, ADDR_A];
    const packet = buildTcpPacket(parseAddress(src)!, parseAddress(dst)!, toSegmentOut(seg));
    (from === 'A' ? this.linkA : this.linkB).send(packet);
  }

  /** Put a hand-made segment on A's side of the link with any source address (a spoofing attacker). */
  injectFrom(srcAddress: string, seg: RawSegment): void {
    const src = parseAddress(srcAddress);
    if (!src) throw new TypeError(`invalid address ${srcAddress}`);
    this.linkA.send(buildTcpPacket(src, parseAddress(ADDR_B)!, toSegmentOut(seg)));
  }

  document(name: string): ScenarioDocument {
    return { scenario: name, endpoints: ['A', 'B'], events: this.events };
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
    for (const w of this.segmentWatchers) w(seg);
    this.events.push({ t: this.t(), type: 'segment', from: seg.from, to: seg.to, flags: flagsToString(seg.flags), seq: seg.seq, ack: seg.ack, len: seg.len, dropped: ev.dropped });
  }
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
  from: 'A' | 'B';
  to: 'A' | 'B';
  flags: number;
  seq: number;
  ack: number;
  len: number;
  window: number;
  srcPort: number;
  dstPort: number;
}

function observe(packet: Uint8Array, direction: Direction): ObservedSegment | undefined {
  const r = parseTcpPacket(packet);
  if (!r.ok) return undefined;
  const { tcp } = r.value;
  const [from, to] = direction === 'a->b' ? (['A', 'B'] as const) : (['B', 'A'] as const);
  return { from, to, flags: tcp.flags, seq: tcp.seq, ack: tcp.ack, len: tcp.payload.length, window: tcp.window, srcPort: tcp.srcPort, dstPort: tcp.dstPort };
}
