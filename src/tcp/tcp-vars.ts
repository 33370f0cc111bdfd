import { seqAdd } from './seq.js';

/**
 * The sequence variables of one TCB (RFC 9293 §3.3.1) and what the handshake
 * negotiated, in one small record the pieces of a connection share — the
 * state machine (connection.ts), the handshake, the receiver, the sender and
 * loss recovery — instead of pointing at each other or at the Connection.
 * Each field has one writer named below; everyone may read.
 */
export class TcpVars {
  /** The time of the event being processed (ms): every input sets it first. */
  now: number;

  // Send sequence space (RFC 9293 §3.3.1).
  /** Initial send sequence number. */
  readonly iss: number;
  /** SND.UNA: oldest unacknowledged sequence number (sender). */
  sndUna: number;
  /** SND.NXT: next sequence number to send; pulled back to SND.UNA when a zero window refuses data (sender). */
  sndNxt: number;
  /** Highest sequence number sent + 1, never rewound (BSD snd_max): ACKs are validated against it (RFC 9293 MUST-34). */
  sndMax: number;
  /** SND.WND, scaled (sender; the handshake sets the first one). */
  sndWnd = 0;
  /** SND.WL1 / SND.WL2: segment sequence and acknowledgment of the last window update. */
  sndWl1 = 0;
  sndWl2 = 0;
  /** MAX.SND.WND: the largest window the peer has offered (RFC 5961 §5, RFC 1122 §4.2.3.4). */
  maxSndWnd = 0;

  // Receive sequence space.
  /** Initial receive sequence number (handshake). */
  irs = 0;
  /** RCV.NXT (receiver). */
  rcvNxt = 0;
  /** RCV.NXT + RCV.WND as last advertised (never moves left, §3.8.6.2.2) (receiver). */
  rcvAdvEdge = 0;
  /** RCV.NXT as of the last ACK sent (RFC 7323 §4.3 Last.ACK.sent; Linux rcv_wup). */
  lastAckSent = 0;

  // Negotiated options (handshake.ts).
  sndScale = 0;
  rcvScale = 0;
  wsOk = false;
  sackOk = false;
  tsOk = false;
  /** The first TSval this connection could send (its clock when the TCB was made): no TSecr echoes an older one (ts-echo.ts). */
  readonly tsFirst: number;
  /** TS.Recent and when it was last set (RFC 7323 §4.3, §5.5). */
  tsRecent = 0;
  tsRecentAge = 0;
  /** Largest payload per segment we send (MSS less fixed options). */
  sndMss: number;
  /** The MSS the peer's SYN offered (else the configured default). */
  peerMss: number;
  /** The state allows sending data (ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK): kept by the state machine. */
  sending = false;

  constructor(iss: number, peerMss: number, sndMss: number, now: number, private readonly tsOffset: number) {
    this.iss = iss;
    this.peerMss = peerMss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.sndMax = iss;
    this.sndMss = sndMss;
    this.now = now;
    this.tsFirst = this.tsNow();
  }

  /** The TSval for a segment sent now: the clock plus this connection's random offset (RFC 7323 §5.4). */
  tsNow(): number {
    return (Math.floor(this.now) + this.tsOffset) >>> 0;
  }

  setTsRecent(val: number): void {
    this.tsRecent = val;
    this.tsRecentAge = this.now;
  }

  /** SYN sent: SND.NXT and SND.MAX move past it. */
  synSent(): void {
    this.sndNxt = seqAdd(this.iss, 1);
    this.sndMax = this.sndNxt;
  }
}
