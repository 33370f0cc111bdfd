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
import { kept, shown, UNSET } from './unset.js';

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
 * A RackAck to refill for every ACK (one shared by all connections: RACK reads it during the call only). The
 * times are number fields, UNSET when absent, shown as undefined through the accessors (unset.ts).
 */
export class RackInputs implements RackAck {
  now = 0;
  una = 0;
  blocks: ReadonlyArray<readonly [number, number]> | undefined = undefined;
  inRecovery = false;
  dupThresh = 3;
  private echoedAtMs = UNSET;
  private minRttMs = UNSET;
  private srttMs = UNSET;

  get echoedAt(): number | undefined {
    return shown(this.echoedAtMs);
  }
  set echoedAt(t: number | undefined) {
    this.echoedAtMs = kept(t);
  }
  get minRtt(): number | undefined {
    return shown(this.minRttMs);
  }
  set minRtt(t: number | undefined) {
    this.minRttMs = kept(t);
  }
  get srtt(): number | undefined {
    return shown(this.srttMs);
  }
  set srtt(t: number | undefined) {
    this.srttMs = kept(t);
  }
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
  /**
   * The times and RTTs below are kept in number fields, UNSET when absent, and shown through accessors as
   * undefined then (unset.ts: no heap number per ACK, issue 11).
   */
  private atMs = UNSET;
  private rttMs = UNSET;
  private minRttMs = UNSET;
  private sackedSentAtMs = UNSET;

  /** When the reordering timer fires (RFC 8985 §6.3), absolute ms; undefined when not armed. */
  get at(): number | undefined {
    return shown(this.atMs);
  }
  set at(t: number | undefined) {
    this.atMs = kept(t);
  }
  /** RACK.reordering_seen. */
  reorderingSeen = false;
  /** RACK.reo_wnd_mult. */
  reoWndMult = 1;
  /** RACK.reo_wnd_persist. */
  reoWndPersist = 0;
  /** RACK.rtt: RTT of the most recently sent segment delivered (ms); undefined before the first. */
  get rtt(): number | undefined {
    return shown(this.rttMs);
  }
  set rtt(t: number | undefined) {
    this.rttMs = kept(t);
  }
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
  get minRtt(): number | undefined {
    return shown(this.minRttMs);
  }
  set minRtt(t: number | undefined) {
    this.minRttMs = kept(t);
  }
  /**
   * When the most recently sent of the records the last ACK newly SACKed was sent, among those sent only
   * once (Karn), else undefined: the ACK's RTT sample when nothing else gives one (Linux sack_rtt_us,
   * tcp_ack_update_rtt). Linux measures from the earliest (first_sackt); after lost ACKs that reads the
   * wait for a surviving ACK as RTT — 3 s samples on a 5 ms path at 20 % loss, an RTO of 3 s after them —
   * so, like RACK.rtt (RFC 8985 §6.2 step 2) and Linux's ca_rtt (last_sackt), the newest one measures the path.
   */
  get sackedSentAt(): number | undefined {
    return shown(this.sackedSentAtMs);
  }
  set sackedSentAt(t: number | undefined) {
    this.sackedSentAtMs = kept(t);
  }

  // RACK.xmit_ts, as the place in send order of the most recently sent segment delivered (the send order
  // decides, see ORDER below; RACK.rtt holds what the RFC derives from the time).
  private xmitOrder = -1;
  /** Transmissions so far: each onSend stamps its records with the next number. */
  private sendCount = 0;
  /** RACK.fack: the highest end_seq delivered, when `fackSet` (not until something is); a number field always, as the times above. */
  private fack = 0;
  private fackSet = false;
  /** RACK.dsack_round: SND.NXT when the last D-SACK grew the window; undefined when none is pending. */
  private dsackRound: number | undefined;
  private reoWnd = 0;
  /** Between an RTO (onRto) and the end of its recovery (onRecoveryEnd): Linux's TCP_CA_Loss. */
  private afterRto = false;

  /**
   * The records, ascending by sequence number, live in slots [head, len) of one Float64Array, STRIDE numbers
   * a record: SEQ, END, TIME, ORDER (see below), FLAGS. One typed array, not five JS arrays: a cumulative ACK
   * only moves `head`, and the delivered prefix is reclaimed by one copyWithin when an append needs the room —
   * no allocation per ACK on the data path. The array exists only while records do (EMPTY otherwise): an idle
   * connection keeps none (R9).
   *
   * ORDER is the send order of a record's last transmission. RFC 8985's RACK_sent_after breaks a tie between
   * equal send times by sequence number, which takes a retransmission sent in the same clock tick as (after)
   * higher original segments for the older one; with a millisecond clock (and on loopback) that tie is
   * common. The order of transmission decides instead — what the RFC's tie-break approximates and
   * what Linux's time-sorted send queue gives.
   */
  private r: Float64Array = EMPTY;
  private len = 0;
  private head = 0;
  /**
   * Keep the records array (emptied) once every record is delivered, for the next flight, instead of letting
   * it go and regrowing it from one record: set by an owner that drops the whole Rack when the connection goes
   * idle (Sender.releaseRackIfIdle), so a bulk transfer whose flights drain now and then keeps one array.
   */
  keepArray = false;

  constructor(
    /** The connection's scoreboard, read at each use: the connection creates it lazily and drops it once empty. */
    private readonly scoreboard: () => SackScoreboard,
    private readonly count: (c: RackCounter) => void = () => {},
  ) {}

  /** Records held (for tests and memory bounds). */
  get records(): number {
    return this.len - this.head;
  }

  /**
   * Nothing here a Rack made afresh would lack but min_RTT and the reordering-window memory (reordering_seen,
   * reo_wnd_mult, reo_wnd_persist), which the sender keeps when it lets this go (Sender.releaseRackIfIdle): no
   * records (all delivered), no reordering timer, no loss marks or SACKed records, no RTO recovery and no
   * D-SACK round pending. The other fields rebuild as a fresh Rack holds them, field by field:
   * - sendCount, xmitOrder: the send order only ranks records against each other, and every record comes
   *   after the release, above the old xmitOrder as above the fresh −1;
   * - RACK.rtt: set only together with xmitOrder (delivered), and detectLoss judges only records at or below
   *   xmitOrder: until a record sent after the release is delivered (which sets both) it judges none, with
   *   the old RACK.rtt as without one;
   * - RACK.fack: ≤ SND.UNA once all is delivered, and only compared with record ends above SND.UNA;
   * - sackedSentAt: per ACK; reo_wnd: recomputed before it is used (detectLoss).
   */
  get idle(): boolean {
    return this.len === this.head && this.at === undefined && !this.afterRto && this.lostBytes === 0 && this.segsSacked === 0 && this.dsackRound === undefined;
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
    // New data (the common case): past every record, so no search.
    if (this.len === this.head || seqGe(seq, this.r[(this.len - 1) * STRIDE + END])) {
      this.append(seq, end, now, order, fin ? FIN : 0);
      return;
    }
    let i = this.firstEndingAfter(seq);
    let cursor = seq;
    while (seqLt(cursor, end)) {
      const n = this.len;
      if (i >= n) {
        this.append(cursor, end, now, order, fin ? FIN : 0);
        return;
      }
      if (seqLt(cursor, this.r[i * STRIDE + SEQ])) {
        // A gap no record covers (e.g. records merged away): a fresh record for it.
        const stop = seqLt(end, this.r[i * STRIDE + SEQ]) ? end : this.r[i * STRIDE + SEQ];
        if (this.records < MAX_RACK_RECORDS) {
          this.insert(i, cursor, stop, now, order, 0);
          i++;
        }
        cursor = stop;
        continue;
      }
      // Record i holds `cursor`: cut it to [cursor, end) where there is room, then mark it sent again.
      if (seqLt(this.r[i * STRIDE + SEQ], cursor) && this.records < MAX_RACK_RECORDS) {
        this.split(i, cursor);
        i++;
      }
      if (seqGt(this.r[i * STRIDE + END], end) && this.records < MAX_RACK_RECORDS) this.split(i, end);
      this.unmarkLost(i);
      this.r[i * STRIDE + TIME] = now;
      this.r[i * STRIDE + ORDER] = order;
      this.r[i * STRIDE + FLAGS] |= RETRANS | (fin && this.r[i * STRIDE + END] === end ? FIN : 0);
      cursor = this.r[i * STRIDE + END];
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
    while (this.head < this.len && seqLe(this.r[this.head * STRIDE + END], a.una)) {
      const f = this.r[this.head * STRIDE + FLAGS];
      if (!(f & SACKED)) reordered = this.delivered(this.head, a, true) || reordered;
      this.unmarkLost(this.head);
      if (f & SACKED) this.segsSacked--;
      this.head++;
    }
    if (this.head < this.len && seqLt(this.r[this.head * STRIDE + SEQ], a.una)) {
      if (this.r[this.head * STRIDE + FLAGS] & LOST) this.lostBytes -= seqDiff(a.una, this.r[this.head * STRIDE + SEQ]);
      this.r[this.head * STRIDE + SEQ] = a.una;
    }
    this.compact();
    // Selectively acknowledged records, block by block in ascending order.
    this.sackedSentAt = undefined;
    if (a.blocks !== undefined && a.blocks.length > 0 && this.records > 0) {
      const blocks = a.blocks.length === 1 ? a.blocks : [...a.blocks].sort((x, y) => seqDiff(x[0], y[0]));
      for (const [s, e] of blocks) {
        for (let i = this.firstEndingAfter(s); i < this.len && seqLt(this.r[i * STRIDE + SEQ], e); i++) {
          if (this.r[i * STRIDE + FLAGS] & SACKED) continue;
          if (this.holeIn(this.r[i * STRIDE + SEQ], this.sackableEnd(i)) !== undefined) continue; // not all of it SACKed yet
          this.unmarkLost(i);
          const f = this.r[i * STRIDE + FLAGS];
          if (!(f & RETRANS) && !(this.sackedSentAtMs >= this.r[i * STRIDE + TIME])) this.sackedSentAtMs = this.r[i * STRIDE + TIME];
          this.r[i * STRIDE + FLAGS] = f | SACKED;
          this.segsSacked++;
          reordered = this.delivered(i, a, false) || reordered;
        }
      }
    }
    if (this.fackSet && seqLt(this.fack, a.una)) this.fack = a.una;
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
    for (let i = this.head; i < this.len; i++) this.r[i * STRIDE + FLAGS] &= ~LOST;
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
    for (let i = this.firstEndingAfter(from); i < this.len; i++) {
      if ((this.r[i * STRIDE + FLAGS] & (LOST | SACKED)) !== LOST) continue;
      const start = seqLt(this.r[i * STRIDE + SEQ], from) ? from : this.r[i * STRIDE + SEQ];
      const stop = this.sackableEnd(i);
      const hole = this.holeIn(start, stop);
      // A hole reaching the end of the data takes the FIN along.
      if (hole !== undefined) return { seq: hole.seq, end: hole.end === stop ? this.r[i * STRIDE + END] : hole.end };
    }
    return undefined;
  }

  /**
   * RFC 8985 §6.2 step 2 (RACK_update) and step 3 (RACK_detect_reordering) for record i, newly delivered
   * (`cumulative`: by SND.UNA, else by SACK). Returns true when it shows reordering.
   */
  private delivered(i: number, a: RackAck, cumulative: boolean): boolean {
    const t = this.r[i * STRIDE + TIME];
    const end = this.r[i * STRIDE + END];
    const order = this.r[i * STRIDE + ORDER];
    const retrans = (this.r[i * STRIDE + FLAGS] & RETRANS) !== 0;
    // Step 3: delivered below the highest delivered, never retransmitted: the network reordered it.
    const below = this.fackSet && seqLt(end, this.fack);
    let reordered = below && !retrans;
    if (!this.fackSet || seqGt(end, this.fack)) {
      this.fack = end;
      this.fackSet = true;
    }
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
    for (let i = this.head; i < this.len; i++) {
      const f = this.r[i * STRIDE + FLAGS];
      if (f & (SACKED | LOST)) continue;
      const t = this.r[i * STRIDE + TIME];
      if (this.r[i * STRIDE + ORDER] > this.xmitOrder) {
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
        this.r[i * STRIDE + FLAGS] = f | LOST;
        this.lostBytes += seqDiff(this.r[i * STRIDE + END], this.r[i * STRIDE + SEQ]);
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
    const end = this.r[i * STRIDE + END];
    if (!(this.r[i * STRIDE + FLAGS] & FIN)) return end;
    const dataEnd = (end - 1) >>> 0;
    return dataEnd === this.r[i * STRIDE + SEQ] ? end : dataEnd;
  }

  private unmarkLost(i: number): void {
    const f = this.r[i * STRIDE + FLAGS];
    if (!(f & LOST)) return;
    this.r[i * STRIDE + FLAGS] = f & ~LOST;
    this.lostBytes -= seqDiff(this.r[i * STRIDE + END], this.r[i * STRIDE + SEQ]);
  }

  private append(seq: number, end: number, now: number, order: number, flags: number): void {
    const last = this.len - 1;
    if (this.records >= MAX_RACK_RECORDS && last >= this.head) {
      // At the cap: the last record grows to cover the new octets and takes their (later) send time.
      this.unmarkLost(last);
      if (this.r[last * STRIDE + FLAGS] & SACKED) this.segsSacked--;
      this.r[last * STRIDE + FLAGS] = flags;
      this.r[last * STRIDE + END] = end;
      this.r[last * STRIDE + TIME] = now;
      this.r[last * STRIDE + ORDER] = order;
      return;
    }
    if ((this.len + 1) * STRIDE > this.r.length) this.makeRoom();
    this.put(this.len++, seq, end, now, order, flags);
  }

  /** A new record at index i, the records from i on moving up one; indices below i stay valid. */
  private insert(i: number, seq: number, end: number, now: number, order: number, flags: number): void {
    if ((this.len + 1) * STRIDE > this.r.length) this.grow(this.r);
    this.r.copyWithin((i + 1) * STRIDE, i * STRIDE, this.len * STRIDE);
    this.len++;
    this.put(i, seq, end, now, order, flags);
  }

  private put(i: number, seq: number, end: number, now: number, order: number, flags: number): void {
    const r = this.r;
    const k = i * STRIDE;
    r[k + SEQ] = seq;
    r[k + END] = end;
    r[k + TIME] = now;
    r[k + ORDER] = order;
    r[k + FLAGS] = flags;
  }

  /**
   * Room for one more record at the end (indices change: only append calls it): reclaim the delivered prefix
   * when it is at least as large as what is live, else grow. Either way the array holds at most about twice
   * the live records (MAX_RACK_RECORDS bounds those).
   */
  private makeRoom(): void {
    const r = this.r;
    if (this.head > 0 && this.head >= this.len - this.head) {
      r.copyWithin(0, this.head * STRIDE, this.len * STRIDE);
      this.len -= this.head;
      this.head = 0;
      return;
    }
    this.grow(r);
  }

  /** Double the array, keeping every record at its index. */
  private grow(r: Float64Array): void {
    const next = new Float64Array(Math.max(INITIAL_RECORDS * STRIDE, 2 * r.length));
    next.set(r.subarray(0, this.len * STRIDE));
    this.r = next;
  }

  /** Cut record i at `at` (strictly inside it) into [seq, at) and [at, end), both keeping its time and flags. */
  private split(i: number, at: number): void {
    const end = this.r[i * STRIDE + END];
    this.r[i * STRIDE + END] = at;
    this.insert(i + 1, at, end, this.r[i * STRIDE + TIME], this.r[i * STRIDE + ORDER], this.r[i * STRIDE + FLAGS]);
    this.r[i * STRIDE + FLAGS] &= ~FIN;
  }

  /** Index of the first record (from head) whose end lies after `x`; len if none. */
  private firstEndingAfter(x: number): number {
    let lo = this.head;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqLe(this.r[mid * STRIDE + END], x)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Everything delivered: release the array (an idle connection holds none) — unless `keepArray`: then keep it,
   * emptied, for the next flight.
   */
  private compact(): void {
    if (this.head === this.len && this.head > 0) {
      if (!this.keepArray) this.clearRecords();
      else this.len = this.head = 0;
    }
  }

  private clearRecords(): void {
    this.r = EMPTY;
    this.len = 0;
    this.head = 0;
  }
}

// Record layout in Rack's array.
const SEQ = 0;
const END = 1;
const TIME = 2;
const ORDER = 3;
const FLAGS = 4;
const STRIDE = 5;
/**
 * Records the array starts with (it doubles from there): one, 40 bytes, which V8 keeps inside its heap (typed
 * arrays up to 64 bytes) — a request/response connection sends a record or two between idle spells, and a
 * 640-byte start was the largest allocation of a short connection's TCP (bench/conn-rate profile).
 */
const INITIAL_RECORDS = 1;

/** The array of a Rack without records: shared and empty (append and insert allocate first). */
const EMPTY = new Float64Array(0);
