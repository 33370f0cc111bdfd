import { seqAdd, seqGe, seqLe, seqLt } from './seq.js';

/**
 * The segment acceptability test of RFC 9293 §3.10.7.4 (the four-case
 * table): may a segment of `len` octets (SYN and FIN included) starting at
 * `seq` be accepted with RCV.NXT = `rcvNxt` and RCV.WND = `rcvWnd`?
 *
 * One widening, as Linux: a zero-length segment exactly at the right edge
 * (SEG.SEQ = RCV.NXT+RCV.WND) is acceptable, where the table's second row
 * (RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND) would drop it. A peer that has sent
 * all our window allowed has SND.NXT at that edge, so its pure ACKs carry it,
 * and §3.10.7.4 answers an unacceptable segment with an ACK, then "drop the
 * unacceptable segment and return": its ACK field is never processed. The
 * RFC's only allowance is for a zero window ("special allowance should be
 * made to accept valid ACKs, URGs, and RSTs"); Appendix A.2 notes that "the
 * TCP sequence number validation rules can prevent ACK fields from being
 * processed" and leaves the mitigation to implementations
 * (draft-gont-tcpm-tcp-seq-validation). Fuzz case 1118446931 ended in
 * ETIMEDOUT so: both ends' data acknowledged, neither ACK read. Linux:
 * tcp_sequence() (ESTABLISHED...) accepts !after(seq, rcv_nxt + window), and
 * tcp_in_window() (SYN-RECEIVED, TIME-WAIT) ends with `seq == e_win && seq ==
 * end_seq`, which is this rule. With a zero window the edge is RCV.NXT: the
 * table's first row, unchanged. Segments with data keep the table.
 */
export function segmentAcceptable(seq: number, len: number, rcvNxt: number, rcvWnd: number): boolean {
  const hi = seqAdd(rcvNxt, rcvWnd);
  if (len === 0) return seqGe(seq, rcvNxt) && seqLe(seq, hi);
  if (rcvWnd === 0) return false;
  if (seqGe(seq, rcvNxt) && seqLt(seq, hi)) return true;
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
