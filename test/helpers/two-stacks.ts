/** Two stacks, A (10.0.0.1) and B (10.0.0.2), joined by a MemoryLink in virtual time. */
import { MemoryLink, type PairOptions } from '../../src/link/memory.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { Stack, type StackTraceEvent } from '../../src/stack/stack.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

export interface TwoStacks {
  clock: VirtualClock;
  a: Stack;
  b: Stack;
  linkA: MemoryLink;
  linkB: MemoryLink;
  trace: StackTraceEvent[];
  /** Run the network until nothing is left to do (bounded in virtual time). */
  settle(maxMs?: number): void;
  /** State transitions of one stack, as "FROM>TO". */
  states(stack: 'A' | 'B'): string[];
}

export function twoStacks(
  opts: {
    link?: PairOptions;
    tcp?: Partial<TcpConfig>;
    /** Per-stack TCP options, merged over `tcp`. */
    tcpA?: Partial<TcpConfig>;
    tcpB?: Partial<TcpConfig>;
    seed?: number;
    v6?: boolean;
    synCookies?: boolean;
  } = {},
): TwoStacks {
  const clock = new VirtualClock();
  const [linkA, linkB] = MemoryLink.pair(clock, { seed: opts.seed ?? 1, ...opts.link });
  const tcpA = opts.tcpA ? { ...opts.tcp, ...opts.tcpA } : opts.tcp;
  const tcpB = opts.tcpB ? { ...opts.tcp, ...opts.tcpB } : opts.tcp;
  const a = new Stack({ clock, name: 'A', seed: (opts.seed ?? 1) * 2 + 1, tcp: tcpA, synCookies: opts.synCookies });
  const b = new Stack({ clock, name: 'B', seed: (opts.seed ?? 1) * 2 + 2, tcp: tcpB, synCookies: opts.synCookies });
  a.attach(linkA, { address: opts.v6 ? 'fd00::1' : '10.0.0.1' });
  b.attach(linkB, { address: opts.v6 ? 'fd00::2' : '10.0.0.2' });
  const trace: StackTraceEvent[] = [];
  a.on('trace', (e) => trace.push(e));
  b.on('trace', (e) => trace.push(e));
  return {
    clock,
    a,
    b,
    linkA,
    linkB,
    trace,
    settle(maxMs = 600_000) {
      clock.runUntilIdle({ maxTime: clock.now() + maxMs });
    },
    states(stack) {
      return trace.flatMap((e) => (e.type === 'state' && e.stack === stack ? [`${e.from}>${e.to}`] : []));
    },
  };
}

/** Everything a socket has ready to read, decoded as UTF-8. */
export function readAll(s: TcpSocket): string {
  const dec = new TextDecoder();
  let out = '';
  for (let d = s.read(); d; d = s.read()) out += dec.decode(d);
  return out;
}
