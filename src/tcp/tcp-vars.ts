import { writableConfig, type TcpConfig } from './config.js';
import type { ConnectionSink } from './events.js';
import { seqAdd } from './seq.js';
import { Timers } from './timers.js';
import { tsEchoRtt } from './ts-echo.js';
import { withBit } from './bits.js';

/**
 * The sequence variables of one TCB (RFC 9293 §3.3.1) and what the handshake
 * negotiated, in one small record the pieces of a connection share — the
 * state machine (connection.ts), the handshake, the receiver, the sender and
 * loss recovery — instead of pointing at each other or at the Connection.
 * Each field has one writer named below; everyone may read. The TCB's
 * deadlines (timers.ts) are fields of the same record: a Timers of its own
 * cost every connection an object header and a pointer in each piece. So are
 * the connection's configuration and its sink, which every piece reads: one
 * pointer each here, not one in each piece.
 */
const WS_OK = 1;
const SACK_OK = 2;
const TS_OK = 4;
const SENDING = 8;
/** The two window scale shifts (0–14, RFC 7323 §2.3), 4 bits each above the flags. */
const SND_SCALE_SHIFT = 4;
const RCV_SCALE_SHIFT = 8;
const SCALE_MASK = 0xf;

export class TcpVars extends Timers {
  /**
   * The time of the event being processed (ms): every input sets it first. A number from the start (the constructor
   * sets it): a field declared without one holds undefined first, and V8 then stores every fractional time in a new
   * heap number — one per segment (issue 11); a number field is a double updated in place.
   */
  now = 0;
  /**
   * The connection's configuration (config.ts): a shared one until the connection changes a setting, then a
   * copy of its own over it (ownConfig).
   */
  cfg: TcpConfig;
  /** Where the connection's segments, events and counters go (events.ts). */
  readonly sink: ConnectionSink;

  // The 32-bit sequence numbers and timestamps below are kept as int32 (`x | 0`) and read back as uint32
  // (`x >>> 0`) through accessors: V8 keeps a small integer inside the object, but a uint32 above 2^31 in a
  // plain field becomes a boxed HeapNumber, 16 B more per field and per connection (half of them, at random).
  private iss32: number;
  private una32: number;
  private nxt32: number;
  private max32: number;
  private wl1_32 = 0;
  private wl2_32 = 0;
  private irs32 = 0;
  private rcvNxt32 = 0;
  private advEdge32 = 0;
  private lastAck32 = 0;
  private tsRecent32 = 0;
  private readonly tsOffset32: number;
  private readonly tsFirst32: number;

  // Send sequence space (RFC 9293 §3.3.1).
  /** Initial send sequence number. */
  get iss(): number {
    return this.iss32 >>> 0;
  }
  /** SND.UNA: oldest unacknowledged sequence number (sender). */
  get sndUna(): number {
    return this.una32 >>> 0;
  }
  set sndUna(x: number) {
    this.una32 = x | 0;
  }
  /** SND.NXT: next sequence number to send; pulled back to SND.UNA when a zero window refuses data (sender). */
  get sndNxt(): number {
    return this.nxt32 >>> 0;
  }
  set sndNxt(x: number) {
    this.nxt32 = x | 0;
  }
  /** Highest sequence number sent + 1, never rewound (BSD snd_max): ACKs are validated against it (RFC 9293 MUST-34). */
  get sndMax(): number {
    return this.max32 >>> 0;
  }
  set sndMax(x: number) {
    this.max32 = x | 0;
  }
  /** SND.WND, scaled (sender; the handshake sets the first one). */
  sndWnd = 0;
  /** SND.WL1 / SND.WL2: segment sequence and acknowledgment of the last window update. */
  get sndWl1(): number {
    return this.wl1_32 >>> 0;
  }
  set sndWl1(x: number) {
    this.wl1_32 = x | 0;
  }
  get sndWl2(): number {
    return this.wl2_32 >>> 0;
  }
  set sndWl2(x: number) {
    this.wl2_32 = x | 0;
  }
  /** MAX.SND.WND: the largest window the peer has offered (RFC 5961 §5, RFC 1122 §4.2.3.4). */
  maxSndWnd = 0;

  // Receive sequence space.
  /** Initial receive sequence number (handshake). */
  get irs(): number {
    return this.irs32 >>> 0;
  }
  set irs(x: number) {
    this.irs32 = x | 0;
  }
  /** RCV.NXT (receiver). */
  get rcvNxt(): number {
    return this.rcvNxt32 >>> 0;
  }
  set rcvNxt(x: number) {
    this.rcvNxt32 = x | 0;
  }
  /** RCV.NXT + RCV.WND as last advertised (never moves left, §3.8.6.2.2) (receiver). */
  get rcvAdvEdge(): number {
    return this.advEdge32 >>> 0;
  }
  set rcvAdvEdge(x: number) {
    this.advEdge32 = x | 0;
  }
  /** RCV.NXT as of the last ACK sent (RFC 7323 §4.3 Last.ACK.sent; Linux rcv_wup). */
  get lastAckSent(): number {
    return this.lastAck32 >>> 0;
  }
  set lastAckSent(x: number) {
    this.lastAck32 = x | 0;
  }

  // Negotiated options (handshake.ts).
  /** Window scaling, SACK and timestamps in use (negotiated), `sending`, and the two scale shifts: bits of one small integer (one field, not six). */
  private bits = 0;
  /** The peer's window scale shift (Snd.Wind.Shift, RFC 7323 §2.3). */
  get sndScale(): number {
    return (this.bits >> SND_SCALE_SHIFT) & SCALE_MASK;
  }
  set sndScale(shift: number) {
    this.bits = (this.bits & ~(SCALE_MASK << SND_SCALE_SHIFT)) | ((shift & SCALE_MASK) << SND_SCALE_SHIFT);
  }
  /** Our window scale shift (Rcv.Wind.Shift). */
  get rcvScale(): number {
    return (this.bits >> RCV_SCALE_SHIFT) & SCALE_MASK;
  }
  set rcvScale(shift: number) {
    this.bits = (this.bits & ~(SCALE_MASK << RCV_SCALE_SHIFT)) | ((shift & SCALE_MASK) << RCV_SCALE_SHIFT);
  }
  get wsOk(): boolean {
    return (this.bits & WS_OK) !== 0;
  }
  set wsOk(on: boolean) {
    this.bits = withBit(this.bits, WS_OK, on);
  }
  get sackOk(): boolean {
    return (this.bits & SACK_OK) !== 0;
  }
  set sackOk(on: boolean) {
    this.bits = withBit(this.bits, SACK_OK, on);
  }
  get tsOk(): boolean {
    return (this.bits & TS_OK) !== 0;
  }
  set tsOk(on: boolean) {
    this.bits = withBit(this.bits, TS_OK, on);
  }
  /** The first TSval this connection could send (its clock when the TCB was made): no TSecr echoes an older one (ts-echo.ts). */
  get tsFirst(): number {
    return this.tsFirst32 >>> 0;
  }
  /** TS.Recent and when it was last set (RFC 7323 §4.3, §5.5). */
  get tsRecent(): number {
    return this.tsRecent32 >>> 0;
  }
  set tsRecent(x: number) {
    this.tsRecent32 = x | 0;
  }
  tsRecentAge = 0;
  /** sndMss and peerMss, 16 bits each (an MSS option is 16 bits; ours is at most 65495), as one int32. */
  private mss32: number;
  /** Largest payload per segment we send (MSS less fixed options). */
  get sndMss(): number {
    return this.mss32 & 0xffff;
  }
  set sndMss(mss: number) {
    this.mss32 = (this.mss32 & ~0xffff) | (mss & 0xffff);
  }
  /** The MSS the peer's SYN offered (else the configured default, as an MSS option: at most 65535). */
  get peerMss(): number {
    return this.mss32 >>> 16;
  }
  set peerMss(mss: number) {
    this.mss32 = (this.mss32 & 0xffff) | (Math.min(mss, 0xffff) << 16);
  }
  /** The state allows sending data (ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK): kept by the state machine. */
  get sending(): boolean {
    return (this.bits & SENDING) !== 0;
  }
  set sending(on: boolean) {
    this.bits = withBit(this.bits, SENDING, on);
  }

  constructor(cfg: TcpConfig, sink: ConnectionSink, iss: number, peerMss: number, sndMss: number, now: number, tsOffset: number) {
    super();
    this.cfg = cfg;
    this.sink = sink;
    this.tsOffset32 = tsOffset | 0;
    this.iss32 = iss | 0;
    this.mss32 = 0;
    this.peerMss = peerMss;
    this.una32 = iss | 0;
    this.nxt32 = iss | 0;
    this.max32 = iss | 0;
    this.sndMss = sndMss;
    this.now = now;
    this.tsFirst32 = this.tsNow32();
  }

  /** This connection's TSval offset (RFC 7323 §5.4: random per connection; config.ts tsOffset). */
  get tsOffset(): number {
    return this.tsOffset32 >>> 0;
  }

  /** The configuration for the connection to change a setting in: its own from now on (config.ts writableConfig). */
  ownConfig(): TcpConfig {
    return (this.cfg = writableConfig(this.cfg));
  }

  /** The TSval for a segment sent now: the clock plus this connection's random offset (RFC 7323 §5.4). */
  tsNow(): number {
    return this.tsNow32() >>> 0;
  }

  /** tsNow as an int32 (the same low 32 bits): what modulo-2^32 arithmetic takes without boxing (see echoAge). */
  private tsNow32(): number {
    return (Math.floor(this.now) + this.tsOffset32) | 0;
  }

  /**
   * The age (ms) of the TSval an arriving timestamp option's TSecr echoes, an RTT sample (RFC 7323 §4.1), or undefined:
   * timestamps off, no TSecr (absent, or 0), or one this connection cannot have sent (ts-echo.ts).
   */
  echoAge(ts: { readonly ecr: number } | undefined): number | undefined {
    if (!this.tsOk || ts === undefined || ts.ecr === 0) return undefined;
    // The option's pair is passed, not its TSecr, and the values go on as int32s (seqDiff, modulo 2^32, reads them
    // the same): an unsigned value above 2^31 passed to a call that is not inlined is boxed, a heap number per ACK
    // (issue 11).
    return tsEchoRtt(ts.ecr | 0, this.tsNow32(), this.tsFirst32);
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
