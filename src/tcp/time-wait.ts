import { ACK, FIN, RST, SYN } from '../wire/flags.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import type { ConnectionSink } from './events.js';
import { EMPTY, segLen, type OutSegment, type Segment } from './segment.js';
import { seqAdd, seqGt } from './seq.js';
import { allowChallengeAck, segmentAcceptable } from './acceptability.js';
import type { TcpState } from './state.js';
import { timeWaitInfo, type ConnectionInfo } from './info.js';

/** What a connection hands over when it enters TIME_WAIT. */
export interface TimeWaitSnapshot {
  sndNxt: number;
  rcvNxt: number;
  /** Window field to advertise in our ACKs (already scaled). */
  windowField: number;
  /** Receive window in bytes, for the acceptability test. */
  rcvWnd: number;
  tsOk: boolean;
  tsRecent: number;
  tsOffset: number;
  /** 2×MSL, ms. */
  duration: number;
  challengeAckLimit: number;
}

// ── TIME_WAIT's rules, in one place for every form a TIME_WAIT entry takes (this record, the stack's table) ──

/** What TIME_WAIT does with a segment (RFC 9293 §3.10.7.4 with RFC 1337). */
export const enum TimeWaitAction {
  /** Nothing: a RST (RFC 1337, "TIME-WAIT assassination"), or an acceptable segment that needs no answer. */
  Ignore = 0,
  /** A retransmitted FIN: ACK it again and restart the 2MSL timer (C8). */
  AckRestart = 1,
  /** A SYN or an unacceptable segment: an ACK, rate-limited (RFC 5961 §7). */
  AckLimited = 2,
}

export function timeWaitAction(seg: Segment, rcvNxt: number, rcvWnd: number): TimeWaitAction {
  const f = seg.flags;
  if (f & RST) return TimeWaitAction.Ignore;
  if (f & FIN && seqAdd(seg.seq, seg.payload.length + 1) === rcvNxt) return TimeWaitAction.AckRestart;
  if (f & SYN || !segmentAcceptable(seg.seq, segLen(seg), rcvNxt, rcvWnd)) return TimeWaitAction.AckLimited;
  return TimeWaitAction.Ignore;
}

/** RFC 6191: may this SYN end TIME_WAIT and open a new incarnation? A newer timestamp when both use them, else a higher sequence number. */
export function timeWaitAcceptsSyn(seg: Segment, tsOk: boolean, tsRecent: number, rcvNxt: number): boolean {
  if (!(seg.flags & SYN) || seg.flags & (ACK | RST)) return false;
  if (tsOk && seg.options.ts) return seqGt(seg.options.ts.val, tsRecent);
  return seqGt(seg.seq, rcvNxt);
}

/** An ISS for the next incarnation, above anything this one sent (as Linux: snd_nxt + 65535 + 2). */
export function timeWaitSuccessorIss(sndNxt: number): number {
  return seqAdd(sndNxt, 65537);
}

/** The ACK TIME_WAIT sends: SND.NXT, RCV.NXT, the last window, and a timestamp when they were negotiated. */
export function timeWaitAck(now: number, sndNxt: number, rcvNxt: number, windowField: number, tsOk: boolean, tsOffset: number, tsRecent: number): OutSegment {
  const options: TcpOptions = {};
  if (tsOk) options.ts = { val: (Math.floor(now) + tsOffset) >>> 0, ecr: tsRecent };
  return { seq: sndNxt, ack: rcvNxt, flags: ACK, window: windowField, options, payload: EMPTY };
}

/** What a socket handle may still ask of a connection in TIME_WAIT, in any form: it sends and reads nothing more. */
export abstract class TimeWaitSocketCalls {
  send(): number {
    return 0;
  }
  read(): Uint8Array | null {
    return null;
  }
  shutdown(): void {}
  close(): void {}
  setNoDelay(): void {}
  setKeepAlive(): void {}
  get writableBytes(): number {
    return 0;
  }
  get readableBytes(): number {
    return 0;
  }
  get eof(): boolean {
    return true;
  }
}

/**
 * TIME_WAIT as a compact record, like Linux's timewait sockets: a few
 * numbers instead of a whole TCB with its queues and estimators. It does
 * what RFC 9293 §3.10.7.4 asks of TIME_WAIT, with RFC 1337 and RFC 6191:
 *  - a retransmitted FIN is ACKed again and the 2MSL timer restarts (C8);
 *  - RST is ignored (RFC 1337, "TIME-WAIT assassination");
 *  - a new SYN may reopen the 4-tuple when its sequence number or timestamp
 *    is newer (`acceptsNewSyn`, RFC 6191); other segments get a rate-limited ACK.
 * On expiry it reports TIME_WAIT → CLOSED and `closed` through the sink.
 *
 * A Connection uses this record while it is in TIME_WAIT itself; the stack
 * moves the record into its typed-array table (stack/time-wait-table.ts),
 * which applies the same rules (the functions above) to its rows.
 */
export class TimeWait extends TimeWaitSocketCalls {
  state: TcpState = 'TIME_WAIT';
  expiresAt: number;
  /** RFC 5961 §7 rate limit state (see acceptability.ts). */
  challengeWindowStart = -Infinity;
  challengeCount = 0;

  constructor(
    private readonly s: TimeWaitSnapshot,
    /** Where replies and the final events go; the stack re-points it when it drops the full TCB. */
    public sink: ConnectionSink,
    now: number,
  ) {
    super();
    this.expiresAt = now + s.duration;
  }

  /** What this record holds (read by the stack when it moves the record into its table). */
  get snapshot(): Readonly<TimeWaitSnapshot> {
    return this.s;
  }

  get nextDeadline(): number | undefined {
    return this.state === 'TIME_WAIT' ? this.expiresAt : undefined;
  }

  get sndNxt(): number {
    return this.s.sndNxt;
  }

  get rcvNxt(): number {
    return this.s.rcvNxt;
  }

  onTimer(now: number): void {
    if (this.state === 'TIME_WAIT' && now >= this.expiresAt) this.end();
  }

  /** End TIME_WAIT early (abort, or a reopening SYN took the 4-tuple). Sends nothing (RFC 9293 §3.10.5). */
  abort(): void {
    if (this.state === 'TIME_WAIT') this.end();
  }

  onSegment(seg: Segment, now: number): void {
    if (this.state !== 'TIME_WAIT') return;
    const action = timeWaitAction(seg, this.s.rcvNxt, this.s.rcvWnd);
    if (action === TimeWaitAction.AckRestart) {
      this.sendAck(now);
      this.expiresAt = now + this.s.duration;
    } else if (action === TimeWaitAction.AckLimited && allowChallengeAck(this, now, this.s.challengeAckLimit)) {
      this.sendAck(now);
    }
  }

  acceptsNewSyn(seg: Segment): boolean {
    return this.state === 'TIME_WAIT' && timeWaitAcceptsSyn(seg, this.s.tsOk, this.s.tsRecent, this.s.rcvNxt);
  }

  /** An ISS for the next incarnation, above anything this one sent (as Linux: snd_nxt + 65535 + 2). */
  get successorIss(): number {
    return timeWaitSuccessorIss(this.s.sndNxt);
  }

  info(): ConnectionInfo {
    const i = timeWaitInfo(this.nextDeadline);
    i.state = this.state;
    return i;
  }

  private sendAck(now: number): void {
    const s = this.s;
    this.sink.transmit(timeWaitAck(now, s.sndNxt, s.rcvNxt, s.windowField, s.tsOk, s.tsOffset, s.tsRecent));
  }

  private end(): void {
    this.state = 'CLOSED';
    this.sink.event({ type: 'state', from: 'TIME_WAIT', to: 'CLOSED' });
    this.sink.event({ type: 'closed' });
  }
}
