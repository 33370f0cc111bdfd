/**
 * Tail Loss Probe (RFC 8985 §7), as Linux does it by default
 * (net.ipv4.tcp_early_retrans = 3; tcp_schedule_loss_probe, tcp_send_loss_probe).
 *
 * When data is outstanding and no ACK comes back, a sender with nothing
 * more to send would otherwise wait for the RTO. TLP arms a probe timeout
 * (PTO) of about two round trips instead; when it fires, one segment goes
 * out — new data if the peer's window allows, else the last segment again —
 * so that its ACK, with SACK, shows the lost tail and starts fast recovery.
 *
 * This file holds the decisions (when, how long, which segment, what the
 * probe's ACK means); the connection owns the timer and the sending.
 */
import { seqAdd, seqDiff, seqGe, seqLt, seqMax } from './seq.js';

/**
 * Linux adds TCP_TIMEOUT_MIN (2 jiffies, 2 ms at HZ=1000) to 2·SRTT as a
 * cushion for a delayed ACK when more than one segment is in flight.
 */
export const PTO_CUSHION_MS = 2;

/** RFC 8985 §7.2: the PTO when no RTT sample exists yet (1 s, Linux TCP_TIMEOUT_INIT). */
export const PTO_NO_SRTT_MS = 1000;

export interface PtoInputs {
  /** Smoothed RTT, ms; undefined before the first sample. */
  srtt: number | undefined;
  /** Data octets in flight (SND.NXT − SND.UNA, less what is SACKed). */
  flight: number;
  /** Sender MSS: a flight below two MSS may sit behind a delayed ACK. */
  mss: number;
  /**
   * Worst-case delayed-ACK time (RFC 8985 §7.2 WCDelAckT, 200 ms recommended). Linux adds
   * tcp_rto_min (200 ms) here, so the connection passes its rtoMin.
   */
  wcDelAck: number;
  /** Time left until the retransmission timer fires, ms: the PTO never goes beyond it. */
  rtoLeft: number;
}

/**
 * RFC 8985 §7.2 PTO: 2·SRTT (+ WCDelAckT when the flight may wait for a
 * delayed ACK, else Linux's 2 ms cushion), at most the time left to the RTO.
 *
 * The RFC and Linux add WCDelAckT when one segment is in flight (Linux
 * packets_out == 1), because a Linux receiver ACKs at once as soon as more
 * than one MSS is unacknowledged. A receiver that follows RFC 5681 §4.2 to the
 * letter (synack's own) may hold its ACK until two full-sized segments have
 * arrived, so a flight of less than 2·MSS gets the allowance too: otherwise a
 * short last segment after a full one draws a spurious probe on a fast path.
 */
export function probeTimeout(p: PtoInputs): number {
  return pto(p.srtt, p.flight, p.mss, p.wcDelAck, p.rtoLeft);
}

/** probeTimeout with its inputs as arguments: no object per call on the send and ACK paths. */
function pto(srtt: number | undefined, flight: number, mss: number, wcDelAck: number, rtoLeft: number): number {
  let t: number;
  if (srtt === undefined) t = PTO_NO_SRTT_MS;
  else t = 2 * srtt + (flight < 2 * mss ? wcDelAck : PTO_CUSHION_MS);
  return Math.max(0, Math.min(t, rtoLeft));
}

/** What TailLossProbe.onAck needs of the SACK scoreboard. */
export interface SackedLookup {
  isSacked(seq: number): boolean;
}

/** The last segment sent, for a probe that retransmits (RFC 8985 §7.3): [seq, seq + len). */
export function lastSegment(sndUna: number, sentEnd: number, room: number): { seq: number; len: number } {
  const seq = seqMax(sndUna, seqAdd(sentEnd, -room));
  return { seq, len: Math.max(0, seqDiff(sentEnd, seq)) };
}

/**
 * The state of one connection's loss probing: the armed PTO deadline and the
 * probe in flight (RFC 8985 TLP.end_seq; at most one probe per flight, as
 * Linux since 5.9).
 */
export class TailLossProbe {
  /** When the probe timer fires (absolute ms), undefined when not armed. */
  at: number | undefined;
  /** SND.NXT after the probe went out (TLP.end_seq); undefined when no probe is outstanding. */
  private endSeq: number | undefined;
  /** First octet of the probe segment. */
  private probeSeq = 0;

  get outstanding(): boolean {
    return this.endSeq !== undefined;
  }

  /** Arm (or re-arm) the PTO at `now + pto`. */
  arm(now: number, pto: number): void {
    this.at = now + pto;
  }

  /** Arm (or re-arm) the PTO at `now` + probeTimeout of these inputs (see PtoInputs). */
  armFor(now: number, srtt: number | undefined, flight: number, mss: number, wcDelAck: number, rtoLeft: number): void {
    this.at = now + pto(srtt, flight, mss, wcDelAck, rtoLeft);
  }

  cancel(): void {
    this.at = undefined;
  }

  /** True when the PTO is due at `now` (and disarms it). */
  due(now: number): boolean {
    if (this.at === undefined || now < this.at) return false;
    this.at = undefined;
    return true;
  }

  /** A probe [seq, …) went out and SND.NXT is now `sndNxt`. */
  sent(seq: number, sndNxt: number): void {
    this.probeSeq = seq;
    this.endSeq = sndNxt;
  }

  /**
   * An ACK arrived. If it delivered the probe — cumulatively, or by SACK
   * (`sacks.isSacked(probeSeq)`; the scoreboard itself, no closure per ACK) — the episode ends. A probe that was SACKed over
   * holes below it means those holes are lost: everything below the probe was
   * sent at least a PTO (≥ 2·SRTT) earlier and is still missing one round trip
   * after the probe left, which is RACK's verdict (RFC 8985 §6.2:
   * xmit_ts + RACK.rtt + reo_wnd ≤ now, with reo_wnd ≤ PTO). Returns the
   * sequence below which the holes are lost, or undefined.
   */
  onAck(ack: number, sacks: SackedLookup): number | undefined {
    if (this.endSeq === undefined) return undefined;
    if (seqGe(ack, this.endSeq)) {
      this.endSeq = undefined;
      return undefined;
    }
    if (seqLt(ack, this.probeSeq) && sacks.isSacked(this.probeSeq)) {
      this.endSeq = undefined;
      return this.probeSeq;
    }
    return undefined;
  }
}
