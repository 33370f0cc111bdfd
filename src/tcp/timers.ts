/**
 * The deadlines of one TCB, absolute ms on the connection's clock, undefined
 * when off. Only Connection arms the ones that end in a state change; the
 * pieces arm their own (named below). Two more deadlines live with the state
 * they serve: the tail-loss probe's (tail-loss-probe.ts) and RACK's
 * reordering timer (rack.ts); TIME_WAIT's 2MSL lives in time-wait.ts.
 *
 * Plain `number | undefined` fields, not number fields with a NaN for "off" (unset.ts): V8 gives every
 * double field a heap number of its own in each object, 16 B, so six of them made an idle TCB 96 B larger
 * (1,098 B, over issue 11's 1,024). As they are, a fractional deadline stored takes a new heap number, a
 * few bytes per ACK on the data path (the retransmission and delayed-ACK timers are re-armed per segment).
 */
export class Timers {
  /** Retransmission timer (RFC 6298): the SYN, the SYN-ACK, data or FIN unacknowledged. */
  rtxAt: number | undefined = undefined;
  /** Orphaned FIN_WAIT_2 reaper (Linux tcp_fin_timeout). */
  closeAt: number | undefined = undefined;
  /** Persist timer (RFC 9293 §3.8.6.1): zero-window probes, sender SWS override (sender.ts). */
  persistAt: number | undefined = undefined;
  /** Delayed ACK (RFC 1122 §4.2.3.2) (receiver.ts); may outlive the ACK it was armed for: it then fires idly. */
  delackAt: number | undefined = undefined;
  /** Keepalive (RFC 1122 §4.2.3.6). */
  keepAt: number | undefined = undefined;
  /** Expiries of the retransmission timer since the last ACK of new data (the backoff count Linux calls retransmits). */
  rtxCount = 0;
  /** The deadline last handed out by Connection.nextDeadline (lazy re-arming). */
  wakeAt: number | undefined = undefined;

  /** Every timer here off (the TCB is gone or in TIME_WAIT). */
  stopAll(): void {
    this.rtxAt = this.closeAt = this.persistAt = this.delackAt = this.keepAt = undefined;
  }
}
