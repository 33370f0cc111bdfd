import type { TcpState } from '../tcp/state.js';

/**
 * The scenario/trace event format, documented for users in docs/events.md.
 * `t` is milliseconds since the start of the run; seq/ack are absolute 32-bit values;
 * flags is the comma list in the order SYN,FIN,RST,PSH,ACK,URG. Readers ignore
 * fields they do not know, so optional fields may be added without breaking them.
 */
export interface StateEvent {
  t: number;
  type: 'state';
  endpoint: string;
  from: TcpState;
  to: TcpState;
  /**
   * What made the transition happen, in RFC 9293 Figure 5's words where the
   * figure has the arc ("rcv SYN", "CLOSE", "timeout=2MSL"), else e.g.
   * "rcv RST", "timeout", "ABORT" (see docs/events.md for the list).
   */
  cause?: string;
  /** A timer the new state runs on, e.g. { name: "2MSL", ms: 60000 } on entering TIME_WAIT. */
  timer?: { name: string; ms: number };
  /** Which connection of the endpoint: its local and remote "addr:port" ("*:80" and "*:*" for a listener). */
  local?: string;
  remote?: string;
}

/** TCP options as a SYN carried them. */
export interface SegmentOptions {
  mss?: number;
  wscale?: number;
  sackOK?: true;
  /** Timestamps option: [TSval, TSecr]. */
  ts?: [number, number];
}

export interface SegmentEvent {
  t: number;
  type: 'segment';
  from: string;
  to: string;
  flags: string;
  seq: number;
  ack: number;
  len: number;
  /** The window field as sent in the header (before scaling). Always present in synack's output. */
  win?: number;
  dropped: boolean;
  /** The sender retransmitted this sequence space. */
  rtx?: true;
  /** SACK blocks [left, right) as sent (RFC 2018). */
  sack?: Array<[number, number]>;
  /** Options of a SYN (mss, wscale, sackOK, TS). */
  options?: SegmentOptions;
  /** What the receiver did with it, or why it was sent, e.g. "challenge ACK", "dropped: out of window". */
  note?: string;
  /** The IP ECN field as it went on the wire (RFC 3168 §5), when not Not-ECT: "ECT(0)", "ECT(1)" or "CE" (a marking queue sets CE). */
  ecn?: 'ECT(0)' | 'ECT(1)' | 'CE';
  /** The TCP ECN flags, which `flags` leaves out: "ECE", "CWR" or "ECE,CWR" (RFC 3168 §6.1). */
  ecnFlags?: string;
}

/** An error the application saw, named as Node names it (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EADDRINUSE …). */
export interface ErrorEvent {
  t: number;
  type: 'error';
  endpoint: string;
  code: string;
  /** The connection, as on state events (absent when the error came before there was one, e.g. EADDRINUSE). */
  local?: string;
  remote?: string;
}

export type TraceEvent = StateEvent | SegmentEvent | ErrorEvent;

export interface ScenarioDocument {
  scenario: string;
  endpoints: string[];
  events: TraceEvent[];
  /** Settings the scenario changed from synack's defaults, one sentence each. */
  settings?: string[];
  /** Present when the run stopped at its time cap with work still pending: the cap in ms. */
  incomplete?: { after: number };
}
