/**
 * One line per event, as it happens, for `synack serve|connect|fetch
 * --trace`: every state change and every segment of every connection, in
 * the vocabulary of the scenario ladder (state names, "SYN,ACK seq=… ack=…
 * len=…" labels from ladder.ts, "✕ lost"), with synack's end always on the
 * left and an arrow that shows the direction:
 *
 * ```
 *    0.000 ms  10.9.0.2:80 ← 10.9.0.1:41234  SYN seq=3999 win=64240
 *    0.052 ms  10.9.0.2:80 · 10.9.0.1:41234  LISTEN → SYN_RCVD
 *    0.061 ms  10.9.0.2:80 → 10.9.0.1:41234  SYN,ACK seq=77 ack=4000 win=65535
 *  210.410 ms  10.9.0.2:80 → 10.9.0.1:41234  PSH,ACK seq=78 ack=4000 win=502 len=5 rtx
 *  210.410 ms  10.9.0.2:80 → 10.9.0.1:41234  ✕ lost PSH,ACK seq=78 ack=4000 len=5 (the link's impairment)
 * ```
 *
 * Pure: formats events, prints nothing.
 */
import type { StackTraceEvent } from '../stack/stack.js';
import { segmentLabel } from './ladder.js';

/** A packet the link layer dropped (impairment, queue), already parsed. */
export interface LinkDrop {
  t: number;
  /** 'out': synack sent it; 'in': it was on its way to synack. */
  dir: 'in' | 'out';
  local: string;
  remote: string;
  flags: string;
  seq: number;
  ack: number;
  len: number;
  reason: string;
}

const DROP_REASONS: Record<string, string> = {
  loss: "the link's impairment",
  queue: 'the rate queue is full',
  mtu: 'larger than the MTU',
  hook: 'dropped by a hook',
  closed: 'the link is closed',
};

/** "   12.345 ms" — milliseconds since `t0`, three decimals, right-aligned. */
export function liveTime(t: number, t0: number): string {
  return `${(t - t0).toFixed(3).padStart(10)} ms`;
}

/** One line for a stack trace event (no newline). */
export function formatTraceLine(ev: StackTraceEvent, t0: number): string {
  const time = liveTime(ev.t, t0);
  if (ev.type === 'state') return `${time}  ${ev.local} · ${ev.remote}  ${ev.from} → ${ev.to}`;
  if (ev.type === 'drop') return `${time}  ✕ dropped a packet: ${ev.reason}`;
  if (ev.type === 'error') return `${time}  ${ev.local} · ${ev.remote}  ✕ ${ev.code}`;
  const [from, to] = ev.dir === 'out' ? [ev.local, ev.remote] : [ev.remote, ev.local];
  const label = segmentLabel({ t: ev.t, type: 'segment', from, to, flags: ev.flags, seq: ev.seq, ack: ev.ack, len: ev.len, dropped: false, win: ev.window, ...(ev.rtx ? { rtx: true as const } : {}) });
  return `${time}  ${ev.local} ${ev.dir === 'out' ? '→' : '←'} ${ev.remote}  ${label}`;
}

/** One line for a packet the link dropped. */
export function formatLinkDrop(d: LinkDrop, t0: number): string {
  const [from, to] = d.dir === 'out' ? [d.local, d.remote] : [d.remote, d.local];
  const label = segmentLabel({ t: d.t, type: 'segment', from, to, flags: d.flags, seq: d.seq, ack: d.ack, len: d.len, dropped: true });
  return `${liveTime(d.t, t0)}  ${d.local} ${d.dir === 'out' ? '→' : '←'} ${d.remote}  ✕ lost ${label} (${DROP_REASONS[d.reason] ?? d.reason})`;
}
