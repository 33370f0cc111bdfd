/**
 * What a passive observer knows about one end of a TCP connection: its
 * state path (with the time of each transition) and the sequence numbers it
 * has used. Transitions caused by a segment the observer saw go out but
 * cannot know arrived (a pure ACK, a RST) are *tentative*: if the endpoint
 * later sends something its new state could not send — a FIN retransmitted
 * from "CLOSED", a SYN-ACK retransmitted from "ESTABLISHED" — the segment
 * evidently never arrived and the tentative transitions are undone.
 */
import type { TcpState } from '../../tcp/state.js';

export interface Transition {
  t: number;
  from: TcpState;
  to: TcpState;
  /** Why the observer believes it without having seen it directly. */
  inferred?: string;
}

export class PassiveEndpoint {
  /** undefined until the first evidence: the state of a passive end before its SYN-ACK is unknown. */
  state: TcpState | undefined;
  readonly path: Transition[] = [];
  /** Index in `path` of the first transition not yet confirmed by this endpoint's own sending. */
  private tentativeFrom = -1;

  isn: number | undefined;
  /** Highest sequence number sent + 1 (SYN and FIN count). */
  sndNxt: number | undefined;
  /** Sequence number of our FIN (the FIN occupies finSeq). */
  finSeq: number | undefined;
  /** Latest acknowledgment number sent (= RCV.NXT as this end saw it). */
  lastAck: number | undefined;
  /** Sent a SYN-ACK in reply to a SYN it did not send itself. */
  passive = false;
  /** Time TIME_WAIT was entered or its timer restarted by a re-ACKed FIN. */
  timeWaitSince: number | undefined;
  fin2Since: number | undefined;
  /** Capture time of the last segment this end sent. */
  lastSeenSend = -Infinity;
  /** The peer's consecutive retransmissions/probes with nothing sent by us in between. */
  unanswered = 0;
  firstUnansweredT = 0;
  unresponsiveSince: number | undefined;
  synCount = 0;
  synTimes: number[] = [];

  constructor(readonly name: string) {}

  /** Move to `to` at `t` (no-op when already there). */
  go(t: number, to: TcpState, opts: { tentative?: boolean; inferred?: string } = {}): void {
    const from = this.state ?? (to === 'SYN_RCVD' ? 'LISTEN' : 'CLOSED');
    if (from === to && this.state !== undefined) return;
    if (opts.tentative && this.tentativeFrom < 0) this.tentativeFrom = this.path.length;
    const tr: Transition = { t, from, to };
    if (opts.inferred) tr.inferred = opts.inferred;
    this.path.push(tr);
    this.state = to;
    if (to === 'TIME_WAIT') this.timeWaitSince = t;
    if (to === 'FIN_WAIT_2') this.fin2Since = t;
  }

  get hasTentative(): boolean {
    return this.tentativeFrom >= 0;
  }

  /** Undo the newest tentative transition; false if none is left. */
  undoOne(): boolean {
    if (this.tentativeFrom < 0 || this.path.length <= this.tentativeFrom) {
      this.tentativeFrom = -1;
      return false;
    }
    const tr = this.path.pop()!;
    this.state = tr.from;
    if (this.path.length <= this.tentativeFrom) this.tentativeFrom = -1;
    if (tr.to === 'TIME_WAIT') this.timeWaitSince = undefined;
    if (tr.to === 'FIN_WAIT_2') this.fin2Since = undefined;
    return true;
  }

  confirm(): void {
    this.tentativeFrom = -1;
  }

  /** State at time t (the state before the first transition after t). */
  stateAt(t: number): TcpState | undefined {
    let s: TcpState | undefined = this.path.length > 0 ? this.path[0].from : this.state;
    for (const tr of this.path) {
      if (tr.t > t) break;
      s = tr.to;
    }
    return s;
  }
}
