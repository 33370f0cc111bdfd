import { seqAdd, seqGe, seqLt } from './seq.js';

/**
 * The segment acceptability test of RFC 9293 §3.10.7.4 (the four-case
 * table): may a segment of `len` octets (SYN and FIN included) starting at
 * `seq` be accepted with RCV.NXT = `rcvNxt` and RCV.WND = `rcvWnd`?
 */
export function segmentAcceptable(seq: number, len: number, rcvNxt: number, rcvWnd: number): boolean {
  if (rcvWnd === 0) return len === 0 && seq === rcvNxt;
  const hi = seqAdd(rcvNxt, rcvWnd);
  if (seqGe(seq, rcvNxt) && seqLt(seq, hi)) return true;
  if (len === 0) return false;
  const last = seqAdd(seq, len - 1);
  return seqGe(last, rcvNxt) && seqLt(last, hi);
}

/** Per-connection state of the challenge-ACK rate limit (RFC 5961 §7). */
export interface ChallengeLimit {
  challengeWindowStart: number;
  challengeCount: number;
}

/** May one more challenge (or out-of-window) ACK go out now? At most `limit` per second; counts it when allowed. */
export function allowChallengeAck(state: ChallengeLimit, now: number, limit: number): boolean {
  if (now - state.challengeWindowStart >= 1000) {
    state.challengeWindowStart = now;
    state.challengeCount = 0;
  }
  if (state.challengeCount >= limit) return false;
  state.challengeCount++;
  return true;
}
