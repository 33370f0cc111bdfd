import { ACK, FIN, RST, SYN } from '../wire/flags.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import type { ConnectionSink } from './events.js';
import { EMPTY, segLen, type Segment } from './segment.js';
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

/**
 * TIME_WAIT as a compact record, like Linux's timewait sockets: a few
 * numbers instead of a whole TCB with its queues and estimators. It does
 * what RFC 9293 §3.10.7.4 asks of TIME_WAIT, with RFC 1337 and RFC 6191:
 *  - a retransmitted FIN is ACKed again and the 2MSL timer restarts (C8);
 *  - RST is ignored (RFC 1337, "TIME-WAIT assassination");
 *  - a new SYN may reopen the 4-tuple when its sequence number or timestamp
 *    is newer (`acceptsNewSyn`, RFC 6191); other segments get a rate-limited ACK.
 * On expiry it reports TIME_WAIT → CLOSED and `closed` through the sink.
 */
export class TimeWait {
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
    this.expiresAt = now + s.duration;
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
    const f = seg.flags;
    if (f & RST) return;
    if (f & FIN && seqAdd(seg.seq, seg.payload.length + 1) === this.s.rcvNxt) {
      this.sendAck(now);
      this.expiresAt = now + this.s.duration;
      return;
    }
    if (f & SYN || !this.acceptable(seg)) this.sendAckLimited(now);
  }

  acceptsNewSyn(seg: Segment): boolean {
    if (this.state !== 'TIME_WAIT') return false;
    if (!(seg.flags & SYN) || seg.flags & (ACK | RST)) return false;
    if (this.s.tsOk && seg.options.ts) return seqGt(seg.options.ts.val, this.s.tsRecent);
    return seqGt(seg.seq, this.s.rcvNxt);
  }

  /** An ISS for the next incarnation, above anything this one sent (as Linux: snd_nxt + 65535 + 2). */
  get successorIss(): number {
    return seqAdd(this.s.sndNxt, 65537);
  }

  // What a socket handle may still ask of a connection in TIME_WAIT: it sends and reads nothing more.
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
  info(): ConnectionInfo {
    const i = timeWaitInfo(this.nextDeadline);
    i.state = this.state;
    return i;
  }

  private acceptable(seg: Segment): boolean {
    return segmentAcceptable(seg.seq, segLen(seg), this.s.rcvNxt, this.s.rcvWnd);
  }

  private sendAckLimited(now: number): void {
    if (allowChallengeAck(this, now, this.s.challengeAckLimit)) this.sendAck(now);
  }

  private sendAck(now: number): void {
    const options: TcpOptions = {};
    if (this.s.tsOk) options.ts = { val: (Math.floor(now) + this.s.tsOffset) >>> 0, ecr: this.s.tsRecent };
    this.sink.transmit({ seq: this.s.sndNxt, ack: this.s.rcvNxt, flags: ACK, window: this.s.windowField, options, payload: EMPTY });
  }

  private end(): void {
    this.state = 'CLOSED';
    this.sink.event({ type: 'state', from: 'TIME_WAIT', to: 'CLOSED' });
    this.sink.event({ type: 'closed' });
  }
}
