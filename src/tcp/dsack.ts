/**
 * D-SACK (RFC 2883): a receiver reports a duplicate segment it received in
 * the first SACK block of its next ACK, so the sender learns that a
 * retransmission was unnecessary.
 *
 * Receiver side (`DsackReport`): the one D-SACK block owed to the peer, as
 * Linux keeps it (tp->duplicate_sack; tcp_dsack_set, tcp_dsack_extend). It is
 * sent once, first, before the usual SACK blocks (RFC 2883 §4).
 *
 * Sender side (`findDsack`): whether an ACK's first SACK block is a D-SACK,
 * by RFC 2883 §4's two tests as Linux's tcp_check_dsack applies them.
 */
import { seqDiff, seqGt, seqLt } from './seq.js';

/** A SACK block [start, end) as the option carries it. */
export type SackBlock = [number, number];

/** Linux's counters for D-SACKs sent: for data below RCV.NXT, or duplicating queued out-of-order data. */
export type DsackSentCounter = 'TCPDSACKOldSent' | 'TCPDSACKOfoSent';

/** The D-SACK block the next ACK carries (receiver side). */
export class DsackReport {
  private block: SackBlock | undefined;

  get pending(): boolean {
    return this.block !== undefined;
  }

  /**
   * Report the duplicate [start, end), replacing a block not yet sent (Linux tcp_dsack_set). The
   * counter says which kind it was: below RCV.NXT (`rcvNxt` as it stands once the segment is taken) or
   * above it, duplicating out-of-order data.
   */
  set(start: number, end: number, rcvNxt: number): DsackSentCounter | undefined {
    if (!seqLt(start, end)) return undefined;
    this.block = [start >>> 0, end >>> 0];
    return seqLt(start, rcvNxt) ? 'TCPDSACKOldSent' : 'TCPDSACKOfoSent';
  }

  /**
   * Add the duplicate [start, end) to the pending block when it overlaps or touches it, else start a
   * new one if none is pending (Linux tcp_dsack_extend, tcp_sack_extend): one D-SACK block per ACK.
   */
  extend(start: number, end: number, rcvNxt: number): DsackSentCounter | undefined {
    const b = this.block;
    if (b === undefined) return this.set(start, end, rcvNxt);
    if (!seqLt(start, end) || seqGt(start, b[1]) || seqGt(b[0], end)) return undefined;
    if (seqLt(start, b[0])) b[0] = start >>> 0;
    if (seqGt(end, b[1])) b[1] = end >>> 0;
    return undefined;
  }

  /** The block for the ACK being built, then forgotten: each duplicate is reported once (RFC 2883 §4). */
  take(): SackBlock | undefined {
    const b = this.block;
    this.block = undefined;
    return b;
  }
}

/** A D-SACK block an ACK carried (sender side). */
export interface Dsack {
  start: number;
  end: number;
  /**
   * 'old': the block lies below the ACK's cumulative acknowledgement (RFC 2883 §4 case 1, Linux
   * TCPDSACKRecv); 'ofo': it lies within the second SACK block, a duplicate of data the receiver
   * holds out of order (case 2, TCPDSACKOfoRecv).
   */
  kind: 'old' | 'ofo';
}

/**
 * RFC 2883 §4: the first SACK block of an ACK is a D-SACK when it starts below
 * the ACK's cumulative acknowledgement, or when it lies inside the second
 * block (Linux tcp_check_dsack). Anything else is an ordinary SACK block.
 */
export function findDsack(blocks: ReadonlyArray<readonly [number, number]>, ack: number): Dsack | undefined {
  const first = blocks[0];
  if (first === undefined) return undefined;
  const start = first[0] >>> 0;
  const end = first[1] >>> 0;
  if (!seqLt(start, end)) return undefined;
  if (seqLt(start, ack)) return { start, end, kind: 'old' };
  const second = blocks[1];
  if (second === undefined) return undefined;
  if (seqGt(end, second[1] >>> 0) || seqLt(start, second[0] >>> 0)) return undefined;
  return { start, end, kind: 'ofo' };
}

/** Segments a D-SACK block stands for (Linux tcp_dsack_seen: one per MSS, rounded up). */
export function dsackSegments(d: Dsack, mss: number): number {
  return Math.max(1, Math.ceil(seqDiff(d.end, d.start) / Math.max(1, mss)));
}

