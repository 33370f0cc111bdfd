import { seqGe } from './seq.js';

/**
 * Receive-buffer autotuning: Linux's dynamic right-sizing (DRS,
 * tcp_rcv_space_adjust and the receiver RTT estimate rcv_rtt_est in
 * net/ipv4/tcp_input.c; the idea is Fisk and Feng's "Dynamic right-sizing
 * of TCP flow-control windows", 2001).
 *
 * The receiver cannot see the sender's cwnd, but it sees what the
 * application takes: once per receiver-side RTT it counts the bytes the
 * application read in that RTT. When that grew, the buffer (hence the window
 * offered) is set to about twice it — room for a round trip of data plus a
 * round trip of loss recovery — plus sixteen segments of cushion, and, while
 * the reading rate is still growing (the sender is in slow start), as much
 * again in proportion to the growth, because the window we offer now is used
 * in the next round trip. The buffer only grows (the right edge of the
 * window never moves left, RFC 9293 §3.8.6.2.2), up to `max` (tcp_rmem[2]).
 * A reader slower than the path never reads more than the last measure, so
 * its buffer stays where it is.
 *
 * The receiver's RTT comes from two sources, as in Linux:
 * - timestamps (tcp_rcv_rtt_measure_ts): a full-sized segment echoing a
 *   TSval we sent is at most one RTT younger than that TSval;
 * - without timestamps (tcp_rcv_rtt_measure): the time RCV.NXT takes to
 *   cross one advertised window, an upper bound (the sender may send less
 *   than the window), so only smaller samples are taken.
 *
 * Created on the first in-order data, so a connection that moves nothing
 * holds none of it. Times are ms.
 */
export class ReceiveAutotune {
  /** The receive buffer, bytes (Linux sk_rcvbuf); the window offered is its free space. */
  rcvBuf = 0;
  /** Receiver-side RTT estimate, ms; 0 until a first sample (Linux rcv_rtt_est.rtt_us). */
  rtt = 0;
  /** Bytes the application read in the last measured RTT (Linux rcvq_space.space). */
  space = 0;
  /** Bytes read in all, at the start of the current measure (Linux rcvq_space.seq), and when it started. */
  // Numbers from the start (set in the constructor): V8 keeps a field that was first undefined as a pointer, and a
  // fractional time stored there takes a new heap number each time; a number field is a double updated in place.
  private spaceCopied = 0;
  private spaceTime = 0;
  /** Per-window RTT measure: RCV.NXT that ends the window being timed, and when timing began (-1: not started). */
  private winSeq = 0;
  private winTime = -1;
  /** TSecr of the last timestamp sample: one sample per echoed TSval. */
  private lastTsecr = -1;

  /**
   * `rcvBuf`: the buffer to start from (tcp_rmem[1]); `initialSpace`: the first measure's baseline,
   * as Linux min(window, 10 × advertised MSS) (tcp_init_buffer_space); `copied`: bytes read so far.
   */
  constructor(rcvBuf: number, initialSpace: number, copied: number, now: number) {
    this.rcvBuf = rcvBuf;
    this.space = Math.max(1, initialSpace);
    this.spaceCopied = copied;
    this.spaceTime = now;
  }

  /**
   * In-order data took RCV.NXT to `rcvNxt`: does that end the window being timed (or is none timed yet)? Then
   * the caller calls onInOrderData. Asked per segment, so that onInOrderData's sequence number and time
   * arguments, a heap number each when the call is not inlined, cost that once per window.
   */
  windowEnds(rcvNxt: number): boolean {
    return this.winTime < 0 || seqGe(rcvNxt, this.winSeq);
  }

  /**
   * In-order data took RCV.NXT to `rcvNxt`, ending the window timed (windowEnds), with `rcvWnd` octets of
   * window offered beyond it: time how long RCV.NXT takes to cross the next window.
   */
  onInOrderData(rcvNxt: number, rcvWnd: number, now: number): void {
    // A window's worth arrived in this time: an upper bound of the RTT (win_dep: only a smaller sample counts).
    if (this.winTime >= 0) this.update(Math.max(now - this.winTime, MIN_SAMPLE), true);
    this.winSeq = (rcvNxt + rcvWnd) >>> 0;
    this.winTime = now;
  }

  /**
   * A data segment of `len` octets echoed `ageMs` = now − the TSval it
   * echoes (`tsecr`). Only full-sized segments (`rcvMss`) count: a small one
   * may have waited for the application (Linux tcp_rcv_rtt_measure_ts).
   */
  onTimestampEcho(tsecr: number, ageMs: number, len: number, rcvMss: number): void {
    if (tsecr === this.lastTsecr) return;
    this.lastTsecr = tsecr;
    if (len >= rcvMss && ageMs > 0) this.update(ageMs, false);
  }

  /**
   * The application has read `copied` bytes in all (Linux copied_seq).
   * Once per RTT, measure what it read in that RTT and, when `tune`, grow
   * the buffer to match (at most to `max`). Returns true when it grew.
   */
  onRead(copied: number, now: number, advMss: number, max: number, tune: boolean): boolean {
    if (this.rtt === 0 || now - this.spaceTime < this.rtt) return false;
    const read = copied - this.spaceCopied;
    let grew = false;
    if (read > this.space) {
      if (tune) {
        // Twice a round trip's reading (one RTT of data, one of recovery), plus 16 segments of slack;
        // while the rate grows (slow start), twice as much again per unit of growth.
        let win = 2 * read + 16 * advMss;
        win += 2 * Math.floor((win * (read - this.space)) / this.space);
        const target = Math.min(win, max);
        if (target > this.rcvBuf) {
          this.rcvBuf = target;
          grew = true;
        }
      }
      this.space = read;
    }
    this.spaceCopied = copied;
    this.spaceTime = now;
    return grew;
  }

  /** Linux tcp_rcv_rtt_update: take a smaller sample at once; a larger one is smoothed in (1/8), and only from timestamps. */
  private update(sample: number, windowBased: boolean): void {
    if (this.rtt === 0 || sample < this.rtt) this.rtt = sample;
    else if (!windowBased) this.rtt += (sample - this.rtt) / 8;
  }
}

/** Shortest RTT sample, ms: a window crossed in no virtual time still counts (Linux counts 1 µs). */
const MIN_SAMPLE = 0.001;

/**
 * Send-buffer growth with the congestion window (Linux tcp_sndbuf_expand):
 * room for twice the larger of cwnd and the initial window, in segments —
 * a flight in the network and as much again queued behind it, so the
 * sender keeps up with cwnd growth and fast recovery (Linux's factor 2 for
 * CUBIC) — never less than `current` (the buffer only grows), at most `max`
 * (tcp_wmem[2]).
 *
 * Linux charges each segment of that count its memory footprint, not its
 * payload: the MSS plus header room and the shared-info block, rounded up
 * to a power of two, plus the sk_buff (4352 bytes for a 1448-byte MSS). Its
 * bulk data then sits in 64 KB buffers whose footprint is about their
 * payload, so the buffer holds about that many bytes of data: a fresh
 * connection can queue 2 × 10 × 4352 = 87 040 bytes (`ss -m` shows
 * tb87040). synack counts payload, and charges the same per segment so that
 * it queues what Linux queues.
 */
export function expandedSendBuffer(current: number, cwnd: number, mss: number, initialCwnd: number, max: number): number {
  const segments = Math.max(Math.ceil(cwnd / mss), initialCwnd);
  const want = 2 * segments * segmentCharge(mss);
  return Math.max(current, Math.min(want, max));
}

/** Linux's memory charge per MSS-sized segment (tcp_sndbuf_expand's per_mss), for an MSS of `mss`. */
export function segmentCharge(mss: number): number {
  let size = 1;
  while (size < mss + SEGMENT_OVERHEAD) size *= 2;
  return size + SKB_STRUCT;
}

/** Header room (MAX_TCP_HEADER) plus the aligned skb_shared_info that Linux adds to a segment's payload, x86-64. */
const SEGMENT_OVERHEAD = 320 + 320;
/** The aligned struct sk_buff, x86-64. */
const SKB_STRUCT = 256;

/** Window scale for a receive buffer that may reach `maxBuffer` octets (RFC 7323 §2.3; Linux tcp_select_initial_window). */
export function windowScaleFor(maxBuffer: number, limit: number): number {
  let scale = 0;
  while (scale < limit && maxBuffer / 2 ** scale > 0xffff) scale++;
  return scale;
}
