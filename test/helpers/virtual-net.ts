/**
 * Two stacks with their node:net API (A = 10.0.0.1, B = 10.0.0.2) on a
 * MemoryLink (1 ms one-way delay unless `link` says otherwise) in virtual
 * time, and a driver that interleaves the virtual clock with Node's queues.
 *
 * Why a driver: the stack runs on the VirtualClock, but stream.Duplex does
 * much of its work on process.nextTick and microtasks (callbacks, 'end',
 * 'close', 'drain', 'error'...). So time is advanced one instant at a time
 * and, between instants, we yield a macrotask (setImmediate) so every tick
 * and promise queued by the streams runs before the network moves on.
 */
import { withNet, type NetStack } from '../../src/net/index.js';
import { twoStacks, type TwoStacks } from './two-stacks.js';

export interface VirtualNet extends Omit<TwoStacks, 'a' | 'b'> {
  a: NetStack;
  b: NetStack;
  /** Let Node's nextTick/microtask/immediate queues run (virtual time does not move). */
  flush(): Promise<void>;
  /** Drive the network until `cond()` holds; throws if it never does within `maxMs` of virtual time. */
  until(cond: () => boolean, opts?: { maxMs?: number; what?: string }): Promise<void>;
  /** Drive the network for `ms` of virtual time. */
  sleep(ms: number): Promise<void>;
  /** Drive until nothing is scheduled (or `maxMs` passes) — e.g. through TIME_WAIT. */
  idle(maxMs?: number): Promise<void>;
}

const MAX_STEPS = 200_000;

export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function virtualNet(opts: NonNullable<Parameters<typeof twoStacks>[0]> = {}): VirtualNet {
  // A 1 ms link by default: every hop is its own instant, so the driver yields to Node's
  // queues between a packet and its answer, as a real network's latency does.
  const n = twoStacks({ ...opts, link: { delayMs: 1, ...opts.link } });
  const clock = n.clock;

  async function until(cond: () => boolean, o: { maxMs?: number; what?: string } = {}): Promise<void> {
    const deadline = clock.now() + (o.maxMs ?? 600_000);
    for (let step = 0; step < MAX_STEPS; step++) {
      await flush();
      if (cond()) return;
      const next = clock.nextAt();
      if (next === undefined) {
        await flush(); // one more round: a tick may have scheduled network work
        if (cond()) return;
        if (clock.nextAt() === undefined) throw new Error(`virtual network went idle at t=${clock.now()} ms before ${o.what ?? 'the condition held'}`);
        continue;
      }
      if (next > deadline) throw new Error(`not reached within ${o.maxMs ?? 600_000} ms of virtual time: ${o.what ?? 'condition'}`);
      clock.runUntil(next);
    }
    throw new Error(`gave up after ${MAX_STEPS} steps: ${o.what ?? 'condition'}`);
  }

  async function sleep(ms: number): Promise<void> {
    const end = clock.now() + ms;
    for (let step = 0; step < MAX_STEPS; step++) {
      await flush();
      const next = clock.nextAt();
      if (next === undefined || next > end) {
        clock.runUntil(end);
        await flush();
        return;
      }
      clock.runUntil(next);
    }
    throw new Error(`sleep(${ms}) gave up after ${MAX_STEPS} steps`);
  }

  async function idle(maxMs = 600_000): Promise<void> {
    const end = clock.now() + maxMs;
    for (let step = 0; step < MAX_STEPS; step++) {
      await flush();
      const next = clock.nextAt();
      if (next === undefined) {
        await flush();
        if (clock.nextAt() === undefined) return;
        continue;
      }
      if (next > end) {
        clock.runUntil(end);
        return;
      }
      clock.runUntil(next);
    }
    throw new Error(`idle() gave up after ${MAX_STEPS} steps`);
  }

  return { ...n, a: withNet(n.a), b: withNet(n.b), flush, until, sleep, idle };
}
