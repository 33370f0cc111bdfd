/**
 * Spurious retransmission detection and congestion-response undo, as Linux
 * does it (tcp_input.c: tcp_init_undo, tcp_packet_delayed, tcp_may_undo,
 * tcp_check_dsack, tcp_undo_cwnd_reduction).
 *
 * A loss-recovery episode — fast recovery or an RTO — cuts cwnd and
 * ssthresh. If the data was not lost after all (delayed or reordered), the
 * cut was for nothing and is taken back. Two kinds of evidence:
 *
 * - Eifel (RFC 3522, with timestamps): an ACK that moves SND.UNA and echoes a
 *   TSval older than the episode's first retransmission acknowledges the
 *   original transmission, which therefore arrived (Linux tcp_packet_delayed).
 * - D-SACK (RFC 2883, RFC 3708): every retransmission of the episode was
 *   reported as a duplicate: the originals had all arrived (Linux undo_retrans
 *   counting down to zero).
 *
 * The response restores cwnd and ssthresh to their values before the episode
 * (RFC 4015 §3 step (R), Linux tcp_undo_cwnd_reduction: cwnd = max(cwnd,
 * prior cwnd), ssthresh = max(ssthresh, prior ssthresh)).
 *
 * This file holds the episode's bookkeeping and the decisions; the connection
 * calls it at the points Linux does and applies the result.
 */
import type { Dsack } from './dsack.js';
import { seqGe, seqGt, seqLe, seqLt } from './seq.js';

/** Linux's counters for undone episodes (TcpExt). */
export type UndoCounter = 'TCPFullUndo' | 'TCPPartialUndo' | 'TCPDSACKUndo' | 'TCPLossUndo';

/** Linux's counters for D-SACKs received and the ones it ignores. */
export type DsackRecvCounter = 'TCPDSACKRecv' | 'TCPDSACKOfoRecv' | 'TCPDSACKIgnoredOld' | 'TCPDSACKIgnoredNoUndo' | 'TCPDSACKIgnoredDubious';

/** cwnd and ssthresh before the episode's reduction, bytes. */
export interface PriorWindow {
  cwnd: number;
  ssthresh: number;
}

/** What the sender knows when a D-SACK arrives (see `SpuriousUndo.onDsack`). */
export interface DsackContext {
  /** SND.UNA before this ACK (Linux looks at D-SACKs before the ACK moves SND.UNA). */
  priorUna: number;
  /** Segments the D-SACK stands for (dsackSegments). */
  segs: number;
  /** The largest window the peer ever offered (Linux max_window): a longer D-SACK is dubious. */
  maxWindow: number;
  /** Segments retransmitted on this connection so far (Linux total_retrans). */
  totalRetrans: number;
}

export class SpuriousUndo {
  /** SND.UNA when the episode began (Linux undo_marker); undefined when there is nothing to undo. */
  private marker: number | undefined;
  /** The episode's retransmissions not yet D-SACKed (Linux undo_retrans); −1 while none was sent. */
  private retrans = -1;
  /** TSval of the episode's first retransmission (Linux retrans_stamp); undefined once Eifel no longer applies. */
  private stamp: number | undefined;
  private prior: PriorWindow = { cwnd: 0, ssthresh: 0 };
  /** An RTO was part of the episode. */
  private rto = false;
  /** Segments reported duplicate by D-SACK on this connection (Linux dsack_dups). */
  private dsackDups = 0;

  /** An episode can still be undone. */
  get active(): boolean {
    return this.marker !== undefined;
  }

  /** The episode that can be undone included an RTO (counted as TCPSpuriousRTOs when undone). */
  get afterRto(): boolean {
    return this.rto;
  }

  /**
   * A new episode begins at SND.UNA = `una`, before cwnd is cut (Linux tcp_init_undo with prior_cwnd and
   * prior_ssthresh = tcp_current_ssthresh: at least ¾ of cwnd, so an undo never leaves ssthresh below
   * what the window had reached).
   */
  begin(una: number, cwnd: number, ssthresh: number, rto: boolean): void {
    this.marker = una >>> 0;
    this.retrans = -1;
    this.stamp = undefined;
    this.prior = { cwnd, ssthresh: Math.max(ssthresh, Math.floor((cwnd * 3) / 4)) };
    this.rto = rto;
  }

  /** An RTO struck an episode already running (a backed-off RTO, or one during fast recovery): it goes on, now an RTO episode. */
  timedOut(): void {
    if (this.marker !== undefined) this.rto = true;
  }

  /** A segment of the episode was retransmitted; `tsval` is the TSval it carried (Linux tcp_retransmit_skb). */
  retransmitted(tsval: number): void {
    if (this.marker === undefined) return;
    if (this.stamp === undefined) this.stamp = tsval >>> 0;
    if (this.retrans < 0) this.retrans = 0;
    this.retrans++;
  }

  /**
   * RFC 3522 Eifel detection (Linux tcp_packet_delayed): the ACK echoes a TSval (`ecr`) older than the
   * episode's first retransmission, so what it acknowledges is the original transmission.
   */
  delayed(ecr: number | undefined): boolean {
    return this.stamp !== undefined && ecr !== undefined && ecr !== 0 && seqLt(ecr >>> 0, this.stamp);
  }

  /** Linux tcp_may_undo: every retransmission was D-SACKed, or the ACK shows that the original arrived. */
  mayUndo(ecr: number | undefined): boolean {
    return this.marker !== undefined && (this.retrans === 0 || this.delayed(ecr));
  }

  /** Every retransmission of the episode was D-SACKed (Linux tcp_try_undo_dsack's test). */
  get allDsacked(): boolean {
    return this.marker !== undefined && this.retrans === 0;
  }

  /**
   * The episode ended without an undo. ACKs from now on echo later segments, so Eifel no longer
   * applies (Linux clears retrans_stamp in the open state); D-SACKs arriving late still may undo it.
   */
  settle(): void {
    this.stamp = undefined;
  }

  /** Undo: returns the window to restore; the episode is over. */
  take(): PriorWindow {
    this.marker = undefined;
    this.stamp = undefined;
    this.retrans = -1;
    this.rto = false;
    return this.prior;
  }

  /**
   * A D-SACK arrived (RFC 2883 §4, Linux tcp_check_dsack and tcp_dsack_seen). Returns the counters to
   * count and whether the D-SACK was believed. A D-SACK longer than the largest window, or reporting
   * more duplicates than were ever retransmitted, is dubious and ignored: a receiver cannot undo our
   * congestion response by inventing duplicates. A believed D-SACK of the episode's data (above the
   * marker) counts its retransmissions down (Linux counts a D-SACK below SND.UNA this way and one above
   * it per retransmitted segment; synack keeps no per-segment marks, so both are counted by length).
   */
  onDsack(d: Dsack, c: DsackContext): { counters: DsackRecvCounter[]; believed: boolean } {
    const counters: DsackRecvCounter[] = [d.kind === 'old' ? 'TCPDSACKRecv' : 'TCPDSACKOfoRecv'];
    const len = (d.end - d.start) >>> 0;
    this.dsackDups += c.segs;
    if (len > c.maxWindow || this.dsackDups > c.totalRetrans) {
      counters.push('TCPDSACKIgnoredDubious');
      return { counters, believed: false };
    }
    const marker = this.marker;
    if (marker !== undefined && this.retrans > 0 && seqGt(d.end, marker)) this.retrans = Math.max(0, this.retrans - c.segs);
    // Linux tcp_is_sackblock_valid: a D-SACK below SND.UNA is of use only for an episode that can be undone.
    if (seqLe(d.end, c.priorUna)) {
      if (marker === undefined) counters.push('TCPDSACKIgnoredNoUndo');
      else if (!seqGe(d.start, marker) && !seqGt(d.end, marker)) counters.push('TCPDSACKIgnoredOld');
    }
    return { counters, believed: true };
  }
}
