/**
 * Two stacks with their node:net API (A = 10.0.0.1, B = 10.0.0.2) on a
 * MemoryLink driven by the RealClock: for code with its own wall-clock timers
 * (node:http). Call close() at the end: it resets what is left (TIME_WAIT
 * included) so no timer keeps the process alive.
 */
import { MemoryLink, type PairOptions } from '../../src/link/memory.js';
import { createStack } from '../../src/index.js';
import type { NetStack } from '../../src/net/index.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { RealClock } from '../../src/util/real-clock.js';

export interface RealNet {
  clock: RealClock;
  a: NetStack;
  b: NetStack;
  linkA: MemoryLink;
  linkB: MemoryLink;
  close(): void;
}

export function realNet(opts: { link?: PairOptions; tcp?: Partial<TcpConfig> } = {}): RealNet {
  const clock = new RealClock();
  const [linkA, linkB] = MemoryLink.pair(clock, { seed: 7, ...opts.link });
  const a = createStack({ clock, name: 'A', seed: 1, tcp: opts.tcp });
  const b = createStack({ clock, name: 'B', seed: 2, tcp: opts.tcp });
  a.attach(linkA, { address: '10.0.0.1' });
  b.attach(linkB, { address: '10.0.0.2' });
  return {
    clock,
    a,
    b,
    linkA,
    linkB,
    close() {
      a.close();
      b.close();
      linkA.close();
    },
  };
}
