import type { Clock } from '../util/clock.js';
import type { Link } from './link.js';
import { MemoryLink, type PairOptions } from './memory.js';

/**
 * Put the MemoryLink impairment model (loss, duplication, reordering, delay,
 * jitter, rate, corruption) between a stack and any other link — e.g. a TUN
 * device, since this kernel has no netem. It is a bump in the wire: the stack
 * talks to one end of a MemoryLink pair, and the other end relays to `inner`,
 * so both directions pass through the impairments.
 */
export function impairedLink(inner: Link, clock: Clock, opts: Omit<PairOptions, 'mtu'>): MemoryLink {
  const [toStack, toInner] = MemoryLink.pair(clock, { ...opts, mtu: inner.mtu });
  toInner.onPacket((packet) => inner.send(packet));
  inner.onPacket((packet) => toInner.send(packet));
  const close = toStack.close.bind(toStack);
  toStack.close = () => {
    close();
    inner.close();
  };
  return toStack;
}
