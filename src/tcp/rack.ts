/**
 * RACK: time-based loss detection (RFC 8985 §6), as Linux does it by default
 * on SACK connections (net.ipv4.tcp_recovery = 1; tcp_recovery.c).
 *
 * A segment is lost when a segment sent after it has been delivered (ACKed or
 * SACKed) and more than RACK.rtt + reo_wnd has passed since it was sent: time,
 * not a count of duplicate ACKs, decides. So one lost segment followed by a
 * single SACKed one is recovered about a quarter RTT later instead of at the
 * RTO, a lost retransmission is found like any other loss, and reordering
 * shorter than the reordering window costs no spurious retransmission.
 *
 * This file holds the per-segment transmit records and the RACK state; the
 * connection calls `onSend` for every segment it transmits, `onAck` for every
 * acceptable ACK, owns the reordering timer's deadline (`at`) and retransmits
 * what `nextLost` returns. The SACK scoreboard stays the one record of what
 * the peer holds; the records here only add what it lacks (when each segment
 * was last sent, whether it was retransmitted, whether RACK deemed it lost).
 */
import type { SackScoreboard } from './sack-scoreboard.js';
import { seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';

/**
 * Most transmit records kept. One record per segment in flight (a 4 MB send
 * buffer is ~2900 full-sized segments); beyond the cap a new segment is merged
 * into the last record, which then takes the later send time — a later time
 * only delays RACK's verdict on those octets, it never makes one spurious (R9).
 */
export const MAX_RACK_RECORDS = 4096;

/** RFC 8985 §6.2 step 4: recoveries without D-SACK after which reo_wnd_mult falls back to 1 (Linux TCP_RACK_RECOVERY_THRESH). */
export const REO_WND_PERSIST = 16;

/** Largest reo_wnd multiplier (Linux caps reo_wnd_steps at 0xFF); reo_wnd never exceeds SRTT anyway. */
const MAX_REO_WND_MULT = 255;

// Record flags (Linux keeps the same facts in skb->sacked: TCPCB_SACKED_ACKED, TCPCB_LOST, TCPCB_RETRANS).
const SACKED = 1;
const LOST = 2;
const RETRANS = 4;
/** The record ends with our FIN. A receiver SACKs data, not the FIN (synack's does not), but the FIN came in the same packet. */
const FIN = 8;

/** Counters RACK reports, named as Linux's TcpExt counters. */
export type RackCounter = 'TCPSACKReorder' | 'TCPLostRetransmit';

/** What one acceptable ACK tells RACK. */
export interface RackAck {
  now: number;
  /** SND.UNA after this ACK. */
  una: number;
  /** The ACK's SACK blocks (RFC 2018), as sent: unsorted, possibly a D-SACK block among them. */
  blocks: ReadonlyArray<readonly [number, number]> | undefined;
  /** When the TSval this ACK echoes was sent (ms), if it carried a timestamp: the RFC 8985 §6.2 step 2 filter. */
  echoedAt: number | undefined;
  /** Minimum RTT seen (ms), undefined before the first sample. */
  minRtt: number | undefined;
  /** Smoothed RTT (ms), undefined before the first sample. */
  srtt: number | undefined;
  /** In fast recovery or RTO recovery (Linux icsk_ca_state ≥ TCP_CA_Recovery). */
  inRecovery: boolean;
  /** DupThresh (RFC 6675; Linux tp->reordering starts there). */
  dupThresh: number;
}


/**
 * RFC 8985 §6.2 step 4 RACK_update_reo_wnd, the window itself: 0 while no
 * reordering was ever seen and either recovery is under way or DupThresh
 * segments are SACKed (then RACK acts as fast as DupThresh would); else
 * reo_wnd_mult · min_RTT / 4, at most SRTT (Linux tcp_rack_reo_wnd).
 */
export function reorderingWindow(p: {
  reorderingSeen: boolean;
  inRecovery: boolean;
  segsSacked: number;
  dupThresh: number;
  mult: number;
  minRtt: number | undefined;
  srtt: number | undefined;
}): number {
  if (!p.reorderingSeen && (p.inRecovery || p.segsSacked >= p.dupThresh)) return 0;
  const minRtt = p.minRtt ?? p.srtt ?? 0;
  return Math.min((p.mult * minRtt) / 4, p.srtt ?? Infinity);
}

/** One connection's RACK state and transmit records. */
export class Rack {
  /** When the reordering timer fires (RFC 8985 §6.3), absolute ms; undefined when not armed. */
  at: number | undefined;
  /** RACK.reordering_seen. */
  reorderingSeen = false;
  /** RACK.reo_wnd_mult. */
  reoWndMult = 1;
  /** RACK.reo_wnd_persist. */
  reoWndPersist = 0;
  /** RACK.rtt: RTT of the most recently sent segment delivered (ms); undefined before the first. */
  rtt: number | undefined;
  /** Octets of the records RACK marked lost and nothing has retransmitted yet (Linux lost_out − retransmitted). */
  lostBytes = 0;
  /** Records the peer SACKed (RACK.segs_sacked; Linux sacked_out). */
  segsSacked = 0;
  /**
   * RACK.min_RTT as RACK measures it (ms): the least time from a never-retransmitted record's send to the ACK
   * that delivered it (Karn). Linux takes min_rtt from the send times of its skbs in microseconds
   * (tcp_ack_update_rtt, tcp_rack_advance), not from TSecr: an RTT sample from timestamps has the TSval clock's
   * 1 ms granularity, so below 1 ms it reads 0, which made reo_wnd = min_RTT/4 = 0 and RACK declared a hole lost
   * at the very first SACK — recovery (and PRR's cut) before the window's new data went out. Undefined before
   * the first sample; the connection's min_RTT stands in until then.
   */
  minRtt: number | undefined;

  // RACK.xmit_ts and the segment's place in send order: the most recently sent segment delivered.
  private xmitTs = -Infinity;
  private xmitOrder = -1;
  /** Transmissions so far: each onSend stamps its records with the next number. */
  private sendCount = 0;
  /** RACK.fack: the highest end_seq delivered; undefined until something is. */
  private fack: number | undefined;
  /** RACK.dsack_round: SND.NXT when the last D-SACK grew the window; undefined when none is pending. */
  private dsackRound: number | undefined;
  private reoWnd = 0;
  /** Between an RTO (onRto) and the end of its recovery (onRecoveryEnd): Linux's TCP_CA_Loss. */
  private afterRto = false;

  // The records, ascending by sequence number, live in [head, seqs.length) of five parallel arrays.
  // Arrays exist only while records do (NONE otherwise): an idle connection keeps none (R9).
  private seqs: number[] = NONE;
  private ends: number[] = NONE;
  private times: number[] = NONE;
  /**
   * Send order of each record's last transmission. RFC 8985's RACK_sent_after breaks a tie between equal
   * send times by sequence number, which takes a retransmission sent in the same clock tick as (after)
   * higher original segments for the older one; with a millisecond clock (and on loopback) that tie is
   * common. The order of transmission decides instead — what the RFC's tie-break approximates and
   * what Linux's time-sorted send queue gives.
   */
  private orders: number[] = NONE;
  private flags: number[] = NONE;
  private head = 0;

  constructor(
    /** The connection's scoreboard, read at each use: the connection creates it lazily and drops it once empty. */
    private readonly scoreboard: () => SackScoreboard,
    private readonly count: (c: RackCounter) => void = () => {},
  ) {}

  /** Records held (for tests and memory bounds). */
  get records(): number {
    return this.seqs.length - this.head;
  }

  /** The reordering window (ms) as last computed (when a segment was last judged). */
  get reorderingWindow(): number {
    return this.reoWnd;
  }

  /** Forget every record: nothing sent is in flight any more (the connection rewound SND.NXT). */
  clear(): void {
    this.clearRecords();
    this.lostBytes = 0;
    this.segsSacked = 0;
    this.at = undefined;
    this.afterRto = false;
  }

  /**
   * [seq, end) went on the wire at `now` (end includes a FIN). Octets sent
   * before are retransmissions: their records take the new time, are flagged
   * retransmitted and are no longer lost (RFC 8985 §6.1 Segment.xmit_ts,
   * Segment.retransmitted). `fin`: the segment carried our FIN (its last octet).
   */
  onSend(seq: number, end: number, now: number, fin = false): void {
    if (!seqLt(seq, end)) return;
    const order = this.sendCount++;
    let i = this.firstEndingAfter(seq);
    let cursor = seq;
    while (seqLt(cursor, end)) {
      const n = this.seqs.length;
      if (i >= n) {
        this.append(cursor, end, now, order, fin ? FIN : 0);
        return;
      }
      if (seqLt(cursor, this.seqs[i]!)) {
        // A gap no record covers (e.g. records merged away): a fresh record for it.
        const stop = seqLt(end, this.seqs[i]!) ? end : this.seqs[i]!;
        if (this.records < MAX_RACK_RECORDS) {
          this.insert(i, cursor, stop, now, order, 0);
          i++;
        }
        cursor = stop;
        continue;
      }
      // Record i holds `cursor`: cut it to [cursor, end) where there is room, then mark it sent again.
      if (seqLt(this.seqs[i]!, cursor) && this.records < MAX_RACK_RECORDS) {
        this.split(i, cursor);
        i++;
      }
      if (seqGt(this.ends[i]!, end) && this.records < MAX_RACK_RECORDS) this.split(i, end);
      this.unmarkLost(i);
      this.times[i] = now;
      this.orders[i] = order;
      this.flags[i]! |= RETRANS | (fin && this.ends[i] === end ? FIN : 0);
      cursor = this.ends[i]!;
      i++;
    }
  }

  /**
   * RFC 8985 §6.2 steps 1–5 for one acceptable ACK (after the scoreboard and
   * SND.UNA took it): update RACK from every newly delivered segment, detect
   * reordering, adapt the window, mark losses and arm or stop the reordering
   * timer. Returns the number of records newly marked lost.
   */
  onAck(a: RackAck): number {
    if (this.dsackRound !== undefined && seqGe(a.una, this.dsackRound)) this.dsackRound = undefined;
    let reordered = false;
    // Cumulatively acknowledged records, lowest first.
    while (this.head < this.seqs.length && seqLe(this.ends[this.head]!, a.una)) {
      const f = this.flags[this.head]!;
      if (!(f & SACKED)) reordered = this.delivered(this.head, a, true) || reordered;
      this.unmarkLost(this.head);
      if (f & SACKED) this.segsSacked--;
      this.head++;
    }
    if (this.head < this.seqs.length && seqLt(this.seqs[this.head]!, a.una)) {
      if (this.flags[this.head]! & LOST) this.lostBytes -= seqDiff(a.una, this.seqs[this.head]!);
      this.seqs[this.head] = a.una;
    }
    this.compact();
    // Selectively acknowledged records, block by block in ascending order.
    if (a.blocks !== undefined && a.blocks.length > 0 && this.records > 0) {
      const blocks = a.blocks.length === 1 ? a.blocks : [...a.blocks].sort((x, y) => seqDiff(x[0], y[0]));
      for (const [s, e] of blocks) {
        for (let i = this.firstEndingAfter(s); i < this.seqs.length && seqLt(this.seqs[i]!, e); i++) {
          if (this.flags[i]! & SACKED) continue;
          if (this.holeIn(this.seqs[i]!, this.sackableEnd(i)) !== undefined) continue; // not all of it SACKed yet
          this.unmarkLost(i);
          this.flags[i]! |= SACKED;
          this.segsSacked++;
          reordered = this.delivered(i, a, false) || reordered;
        }
      }
    }
    if (this.fack !== undefined && seqLt(this.fack, a.una)) this.fack = a.una;
    if (reordered) {
      this.reorderingSeen = true;
      this.count('TCPSACKReorder'); // as Linux (tcp_check_sack_reordering): once per ACK that shows it
    }
    return this.detectLoss(a);
  }

  /**
   * RFC 8985 §6.3: the reordering timer fired. Run loss detection again with
   * the same inputs an ACK would give; returns the records newly marked lost.
   */
  onTimeout(a: Omit<RackAck, 'blocks' | 'echoedAt'>): number {
    this.at = undefined;
    return this.detectLoss(a);
  }

  /** True when the reordering timer is due at `now`. */
  due(now: number): boolean {
    return this.at !== undefined && now >= this.at;
  }

  /**
   * RFC 8985 §6.2 step 4: the latest ACK carried a D-SACK (RFC 2883). The first
   * one in a round trip grows reo_wnd by min_RTT/4 (reo_wnd_mult + 1) and keeps
   * it for 16 recoveries; more D-SACKs before SND.UNA passes `sndNxt` (the
   * round's end) change nothing. Called by D-SACK detection.
   */
  onDsack(sndNxt: number): void {
    if (this.dsackRound !== undefined) return;
    this.dsackRound = sndNxt;
    this.reoWndMult = Math.min(MAX_REO_WND_MULT, this.reoWndMult + 1);
    this.reoWndPersist = REO_WND_PERSIST;
  }

  /** RFC 8985 §6.2 step 4: fast or RTO recovery ended; after 16 without D-SACK the window is reset. */
  onRecoveryEnd(): void {
    this.afterRto = false;
    this.reoWndPersist--;
    if (this.reoWndPersist <= 0) {
      this.reoWndPersist = 0;
      this.reoWndMult = 1;
    }
  }

  /**
   * The retransmission timer fired: go-back-N resends everything not SACKed,
   * so the loss marks go. The SACK marks stay although the scoreboard forgets
   * them (RFC 2018 §8 reneging): those segments were delivered once, and
   * delivering them again would count as reordering (as Linux keeps
   * TCPCB_SACKED_ACKED across tcp_enter_loss unless it sees reneging).
   */
  onRto(): void {
    this.afterRto = true;
    for (let i = this.head; i < this.seqs.length; i++) this.flags[i]! &= ~LOST;
    this.lostBytes = 0;
    this.at = undefined;
  }

  /**
   * The first octets RACK marked lost that are not SACKed, from `from` on:
   * [seq, end) within one record, for the connection to retransmit (Linux
   * tcp_xmit_retransmit_queue goes through the lost marks in sequence order).
   */
  nextLost(from: number): { seq: number; end: number } | undefined {
    if (this.lostBytes <= 0) return undefined;
    for (let i = this.firstEndingAfter(from); i < this.seqs.length; i++) {
      if ((this.flags[i]! & (LOST | SACKED)) !== LOST) continue;
      const start = seqLt(this.seqs[i]!, from) ? from : this.seqs[i]!;
      const stop = this.sackableEnd(i);
      const hole = this.holeIn(start, stop);
      // A hole reaching the end of the data takes the FIN along.
      if (hole !== undefined) return { seq: hole.seq, end: hole.end === stop ? this.ends[i]! : hole.end };
    }
    return undefined;
  }

  /**
   * RFC 8985 §6.2 step 2 (RACK_update) and step 3 (RACK_detect_reordering) for record i, newly delivered
   * (`cumulative`: by SND.UNA, else by SACK). Returns true when it shows reordering.
   */
  private delivered(i: number, a: RackAck, cumulative: boolean): boolean {
    const t = this.times[i]!;
    const end = this.ends[i]!;
    const order = this.orders[i]!;
    const retrans = (this.flags[i]! & RETRANS) !== 0;
    // Step 3: delivered below the highest delivered, never retransmitted: the network reordered it.
    const below = this.fack !== undefined && seqLt(end, this.fack);
    let reordered = below && !retrans;
    if (this.fack === undefined || seqGt(end, this.fack)) this.fack = end;
    // Step 2: a retransmitted segment's ACK may be for the original: skip the sample when it came back faster
    // than any round trip can (min_RTT rule, all Linux's tcp_rack_advance applies), or when the timestamp echoes
    // an earlier transmission. The timestamp rule only holds for a cumulative ACK: an ACK for out-of-order data
    // echoes the TSval of the last in-order segment (RFC 7323 §4.3), older than any SACKed retransmission.
    const rtt = a.now - t;
    if (retrans) {
      const byTs = cumulative && a.echoedAt !== undefined && a.echoedAt < Math.floor(t);
      const minRtt = this.minRtt ?? a.minRtt;
      const byMinRtt = minRtt !== undefined && rtt < minRtt;
      // The original, not the retransmission, filled a hole below RACK.fack: the network reordered it. Step 3
      // cannot see that (the segment was retransmitted); Linux does (tcp_try_undo_partial: tcp_packet_delayed,
      // then tcp_check_sack_reordering), and so must RACK, or a reordering path never earns a reordering window
      // until D-SACK (RFC 2883) reports the needless retransmission. With timestamps only the echo proves it (as
      // Linux's tcp_packet_delayed): min_RTT includes the receiver's ACK delay, which the ACK of a hole-filling
      // retransmission (sent at once, RFC 5681 §4.2) does not, so on a sub-ms path a lost segment's retransmission
      // routinely comes back "faster than min_RTT" — the sample is still skipped, but that is no reordering.
      // After an RTO a late original says the ACKs were lost or late, not that the network reordered data
      // (Linux checks reordering in tcp_try_undo_partial, never in tcp_try_undo_loss).
      if (byTs || byMinRtt) return cumulative && below && (byTs || a.echoedAt === undefined) && !this.afterRto;
    } else if (this.minRtt === undefined || rtt < this.minRtt) {
      this.minRtt = rtt;
    }
    // RACK.rtt follows RACK.xmit_ts: the RTT of the most recently *sent* segment delivered, so that an older
    // segment SACKed in the same ACK does not lengthen the wait measured from a newer one.
    if (order >= this.xmitOrder) {
      this.xmitTs = t;
      this.xmitOrder = order;
      this.rtt = rtt;
    }
    return reordered;
  }

  /**
   * RFC 8985 §6.2 step 5 (RACK_detect_loss) and §6.3: every record not yet
   * delivered and sent before RACK's segment is lost once RACK.rtt + reo_wnd
   * has passed since it was sent; for the others the timer is armed for when
   * the last of them would be. Records sent once are in send order, so the
   * walk stops at the first of them sent after RACK's segment (everything
   * beyond it was first sent later still).
   */
  private detectLoss(a: Omit<RackAck, 'blocks' | 'echoedAt'>): number {
    this.at = undefined;
    if (this.rtt === undefined) return 0;
    let timeout = 0;
    let marked = 0;
    let reoWnd = -1; // computed at the first record to judge: most ACKs find none
    for (let i = this.head; i < this.seqs.length; i++) {
      const f = this.flags[i]!;
      if (f & (SACKED | LOST)) continue;
      const t = this.times[i]!;
      if (this.orders[i]! > this.xmitOrder) {
        if (f & RETRANS) continue;
        break;
      }
      if (reoWnd < 0) {
        reoWnd = this.reoWnd = reorderingWindow({
          reorderingSeen: this.reorderingSeen,
          inRecovery: a.inRecovery,
          segsSacked: this.segsSacked,
          dupThresh: a.dupThresh,
          mult: this.reoWndMult,
          minRtt: this.minRtt ?? a.minRtt,
          srtt: a.srtt,
        });
      }
      const remaining = t + this.rtt + reoWnd - a.now;
      if (remaining <= 0) {
        this.flags[i] = f | LOST;
        this.lostBytes += seqDiff(this.ends[i]!, this.seqs[i]!);
        marked++;
        if (f & RETRANS) this.count('TCPLostRetransmit');
      } else if (remaining > timeout) {
        timeout = remaining;
      }
    }
    if (timeout > 0) this.at = a.now + timeout;
    return marked;
  }

  /** The first unSACKed octets in [from, stop), or undefined when the scoreboard covers all of it. */
  private holeIn(from: number, stop: number): { seq: number; end: number } | undefined {
    const hole = this.scoreboard().nextHole(from, stop); // may lie beyond `stop` when a higher island exists
    if (hole === undefined || !seqLt(hole.seq, stop)) return undefined;
    return { seq: hole.seq, end: seqLt(hole.end, stop) ? hole.end : stop };
  }

  /** Where SACK coverage of record i must reach: its end, or just its data when it also carries the FIN. */
  private sackableEnd(i: number): number {
    const end = this.ends[i]!;
    if (!(this.flags[i]! & FIN)) return end;
    const dataEnd = (end - 1) >>> 0;
    return dataEnd === this.seqs[i] ? end : dataEnd;
  }

  private unmarkLost(i: number): void {
    const f = this.flags[i]!;
    if (!(f & LOST)) return;
    this.flags[i] = f & ~LOST;
    this.lostBytes -= seqDiff(this.ends[i]!, this.seqs[i]!);
  }

  private append(seq: number, end: number, now: number, order: number, flags: number): void {
    const last = this.seqs.length - 1;
    if (this.records >= MAX_RACK_RECORDS && last >= this.head) {
      // At the cap: the last record grows to cover the new octets and takes their (later) send time.
      this.unmarkLost(last);
      if (this.flags[last]! & SACKED) this.segsSacked--;
      this.flags[last] = flags;
      this.ends[last] = end;
      this.times[last] = now;
      this.orders[last] = order;
      return;
    }
    if (this.seqs === NONE) this.allocate();
    this.seqs.push(seq);
    this.ends.push(end);
    this.times.push(now);
    this.orders.push(order);
    this.flags.push(flags);
  }

  private insert(i: number, seq: number, end: number, now: number, order: number, flags: number): void {
    if (this.seqs === NONE) this.allocate();
    this.seqs.splice(i, 0, seq);
    this.ends.splice(i, 0, end);
    this.times.splice(i, 0, now);
    this.orders.splice(i, 0, order);
    this.flags.splice(i, 0, flags);
  }

  /** Cut record i at `at` (strictly inside it) into [seq, at) and [at, end), both keeping its time and flags. */
  private split(i: number, at: number): void {
    const end = this.ends[i]!;
    this.ends[i] = at;
    this.insert(i + 1, at, end, this.times[i]!, this.orders[i]!, this.flags[i]!);
    this.flags[i]! &= ~FIN;
  }

  /** Index of the first record (from head) whose end lies after `x`; seqs.length if none. */
  private firstEndingAfter(x: number): number {
    let lo = this.head;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqLe(this.ends[mid]!, x)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drop the delivered records from the arrays' front once they are the larger part (amortized O(1)). */
  private compact(): void {
    if (this.head === this.seqs.length) {
      if (this.head > 0) this.clearRecords();
      return;
    }
    if (this.head < 64 || this.head * 2 < this.seqs.length) return;
    const n = this.seqs.length - this.head;
    for (const arr of [this.seqs, this.ends, this.times, this.orders, this.flags]) {
      arr.copyWithin(0, this.head);
      arr.length = n;
    }
    this.head = 0;
  }

  private clearRecords(): void {
    this.seqs = this.ends = this.times = this.orders = this.flags = NONE;
    this.head = 0;
  }

  private allocate(): void {
    this.seqs = [];
    this.ends = [];
    this.times = [];
    this.orders = [];
    this.flags = [];
  }
}

/** The arrays of a Rack without records: shared, never written (append and insert allocate first). */
const NONE: number[] = Object.freeze([]) as unknown as number[];
