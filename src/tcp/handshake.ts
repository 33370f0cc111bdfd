import { ACK, SYN } from '../wire/flags.js';
import type { TcpOptions } from '../wire/tcp-options.js';
import { windowScaleFor } from './buffer-autotune.js';
import type { CongestionControl } from './congestion.js';
import type { TcpConfig } from './config.js';
import type { Ecn } from './ecn.js';
import type { PathMtu } from './pmtu.js';
import { EMPTY, type OutSegment, type Segment } from './segment.js';
import { seqAdd, seqGt, seqLe } from './seq.js';
import type { TcpVars } from './tcp-vars.js';

/**
 * The three-way handshake's rules that are not state changes (those are the
 * state machine's, connection.ts): the options we offer and what the peer's
 * SYN lets us use (RFC 7323, RFC 2018, RFC 9293 §3.7.1 MSS), the SYN and
 * SYN-ACK we build, what a SYN or SYN-ACK tells us (IRS, the first window),
 * and SND.MSS as the peer, we and the path allow.
 */

/** RFC 7323 §2.3: the largest window scale shift. */
export const WS_MAX = 14;
/** NOP NOP TS(10): the room the timestamp option takes in every segment once negotiated. */
export const TS_OPTION_LEN = 12;

/**
 * The window scale our SYN offers. As Linux (tcp_select_initial_window): it suits the largest buffer the
 * window may come from, tcp_rmem[2] when the buffer autotunes, the fixed SO_RCVBUF otherwise.
 */
export function initialRcvScale(cfg: TcpConfig): number {
  if (!cfg.windowScaling) return 0;
  // Every connection of a stack asks with the same buffer size: the last answer is kept.
  const buffer = cfg.recvBufferSize ?? cfg.rmem[2];
  if (buffer !== lastScaleBuffer) {
    lastScale = windowScaleFor(buffer, WS_MAX);
    lastScaleBuffer = buffer;
  }
  return lastScale;
}

let lastScaleBuffer = NaN;
let lastScale = 0;

/** Options negotiation from the peer's SYN (O10): each option only when both sides offer it. */
export function negotiate(v: TcpVars, cfg: TcpConfig, pmtu: PathMtu, cc: CongestionControl, o: TcpOptions): void {
  v.wsOk = cfg.windowScaling && o.wscale !== undefined;
  if (v.wsOk) {
    v.sndScale = Math.min(o.wscale!, WS_MAX); // RFC 7323 §2.3: values above 14 are treated as 14
  } else {
    v.sndScale = 0;
    v.rcvScale = 0;
  }
  v.sackOk = cfg.sack && o.sackPermitted === true;
  v.tsOk = cfg.timestamps && o.ts !== undefined;
  if (v.tsOk) v.setTsRecent(o.ts!.val);
  if (o.mss !== undefined && o.mss > 0) v.peerMss = o.mss;
  pmtu.setMax(Math.min(v.peerMss, cfg.mss));
  syncMss(v, cfg, pmtu, cc);
  cc.setMss(v.sndMss);
}

/** SND.MSS from the peer's MSS, ours and the path's, less the fixed options (Linux tcp_sync_mss). */
export function syncMss(v: TcpVars, cfg: TcpConfig, pmtu: PathMtu, cc: CongestionControl): void {
  const mss = Math.max(1, Math.min(v.peerMss, cfg.mss, pmtu.mss) - (v.tsOk ? TS_OPTION_LEN : 0));
  if (mss === v.sndMss) return;
  v.sndMss = mss;
  cc.setMss(mss);
}

/**
 * Our SYN (active open) or SYN-ACK, with the receive window `window` (never scaled in a SYN, RFC 7323
 * §2.2). A SYN-ACK offers only what the peer's SYN offered (RFC 7323 §1.3, RFC 2018 §2); `rtx`: sent
 * again on timeout (ECN: RFC 3168 §6.1.1.1, no ECE/CWR on a retransmitted SYN).
 */
export function synSegment(v: TcpVars, cfg: TcpConfig, ecn: Ecn, withAck: boolean, rtx: boolean, window: number): OutSegment {
  const options: TcpOptions = { mss: cfg.mss };
  const offerWs = withAck ? v.wsOk : cfg.windowScaling;
  const offerSack = withAck ? v.sackOk : cfg.sack;
  const offerTs = withAck ? v.tsOk : cfg.timestamps;
  if (offerSack) options.sackPermitted = true;
  if (offerTs) options.ts = { val: v.tsNow(), ecr: withAck ? v.tsRecent : 0 };
  if (offerWs) options.wscale = v.rcvScale;
  const seg: OutSegment = {
    seq: v.iss,
    ack: withAck ? v.rcvNxt : 0,
    flags: withAck ? SYN | ACK | ecn.synAckFlags() : SYN | ecn.synFlags(cfg.ecn, rtx),
    window,
    options,
    payload: EMPTY,
  };
  if (rtx) seg.rtx = true;
  return seg;
}

/** The peer's SYN fixes IRS; RCV.NXT is past it (data carried on a SYN is not accepted, no TFO, as Linux). */
export function takeSyn(v: TcpVars, syn: Segment): void {
  v.irs = syn.seq >>> 0;
  v.rcvNxt = seqAdd(v.irs, 1);
}

/** The peer's first window, from its SYN or SYN-ACK: never scaled there (RFC 7323 §2.2). SND.WL2 = `wl2`. */
export function takeSynWindow(v: TcpVars, syn: Segment, wl2: number): void {
  v.sndWnd = syn.window;
  v.maxSndWnd = Math.max(v.maxSndWnd, v.sndWnd);
  v.sndWl1 = syn.seq;
  v.sndWl2 = wl2;
}

/** SYN_SENT (RFC 9293 §3.10.7.3 "first"): an ACK is acceptable only when ISS < SEG.ACK =< SND.NXT (else O7). */
export function synSentAckAcceptable(v: TcpVars, ack: number): boolean {
  return !(seqLe(ack, v.iss) || seqGt(ack, v.sndNxt));
}
