import type { Clock } from '../util/clock.js';
import type { Link } from './link.js';
import { MemoryLink, type PairOptions, type TapEvent } from './memory.js';

/**
 * Put the MemoryLink impairment model (loss, duplication, reordering, delay,
 * jitter, rate, corruption) between a stack and any other link — e.g. a TUN
 * device, since this kernel has no netem. It is a bump in the wire: the stack
 * talks to one end of a MemoryLink pair, and the other end relays to `inner`,
 * so both directions pass through the impairments.
 */
export function impairedLink(inner: Link, clock: Clock, opts: Omit<PairOptions, 'mtu'> & { tap?: (ev: TapEvent, from: 'stack' | 'inner') => void }): MemoryLink {
  const { tap, ...pair } = opts;
  const [toStack, toInner] = MemoryLink.pair(clock, { ...pair, mtu: inner.mtu });
  if (tap) {
    // Both directions: what the stack sends (toStack's taps) and what comes in from `inner` (toInner's).
    toStack.onTap((ev) => tap(ev, 'stack'));
    toInner.onTap((ev) => tap(ev, 'inner'));
  }
  toInner.onPacket((packet) => inner.send(packet));
  inner.onPacket((packet) => toInner.send(packet));
  const close = toStack.close.bind(toStack);
  toStack.close = () => {
    close();
    inner.close();
  };
  return toStack;
}
