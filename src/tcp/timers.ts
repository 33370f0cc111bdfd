import { kept, shown, UNSET } from './unset.js';

/**
 * The deadlines of one TCB, absolute ms on the connection's clock, undefined
 * when off. Only Connection arms the ones that end in a state change; the
 * pieces arm their own (named below). Two more deadlines live with the state
 * they serve: the tail-loss probe's (tail-loss-probe.ts) and RACK's
 * reordering timer (rack.ts); TIME_WAIT's 2MSL lives in time-wait.ts.
 *
 * Each deadline is kept in a number field, UNSET when off, and shown through
 * an accessor as undefined then (unset.ts): the retransmission timer is
 * re-armed on every ACK, and a field that also held undefined took a new heap
 * number each time (issue 11).
 */
export class Timers {
  private rtxMs = UNSET;
  private closeMs = UNSET;
  private persistMs = UNSET;
  private delackMs = UNSET;
  private keepMs = UNSET;
  private wakeMs = UNSET;
  /** Expiries of the retransmission timer since the last ACK of new data (the backoff count Linux calls retransmits). */
  rtxCount = 0;

  /** Retransmission timer (RFC 6298): the SYN, the SYN-ACK, data or FIN unacknowledged. */
  get rtxAt(): number | undefined {
    return shown(this.rtxMs);
  }
  set rtxAt(t: number | undefined) {
    this.rtxMs = kept(t);
  }

  /** Orphaned FIN_WAIT_2 reaper (Linux tcp_fin_timeout). */
  get closeAt(): number | undefined {
    return shown(this.closeMs);
  }
  set closeAt(t: number | undefined) {
    this.closeMs = kept(t);
  }

  /** Persist timer (RFC 9293 §3.8.6.1): zero-window probes, sender SWS override (sender.ts). */
  get persistAt(): number | undefined {
    return shown(this.persistMs);
  }
  set persistAt(t: number | undefined) {
    this.persistMs = kept(t);
  }

  /** Delayed ACK (RFC 1122 §4.2.3.2) (receiver.ts); may outlive the ACK it was armed for: it then fires idly. */
  get delackAt(): number | undefined {
    return shown(this.delackMs);
  }
  set delackAt(t: number | undefined) {
    this.delackMs = kept(t);
  }

  /** Keepalive (RFC 1122 §4.2.3.6). */
  get keepAt(): number | undefined {
    return shown(this.keepMs);
  }
  set keepAt(t: number | undefined) {
    this.keepMs = kept(t);
  }

  /** The deadline last handed out by Connection.nextDeadline (lazy re-arming). */
  get wakeAt(): number | undefined {
    return shown(this.wakeMs);
  }
  set wakeAt(t: number | undefined) {
    this.wakeMs = kept(t);
  }

  /** Every timer here off (the TCB is gone or in TIME_WAIT). */
  stopAll(): void {
    this.rtxMs = this.closeMs = this.persistMs = this.delackMs = this.keepMs = UNSET;
  }
}
