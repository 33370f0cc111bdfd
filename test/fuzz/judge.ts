/**
 * What a correct TCP may do with one injected segment, judged against the
 * live TCBs at the instant it arrives (RFC 9293 §3.10.7, RFC 5961, RFC 7323,
 * and Linux where it is stricter). The generator uses it to make packets that
 * cannot legitimately break the transfer; a replay (shrinking, regression
 * tests) uses it again, because a packet that was harmless when generated may
 * not be once earlier packets are removed.
 *
 *  - rejected: a correct stack drops it (at most answering with an ACK, or a
 *    RST the peer ignores);
 *  - killer: a correct stack may let it end or derail the connection — an
 *    exact-sequence RST; a SYN that SYN_SENT, SYN_RCVD or TIME_WAIT may take;
 *    a FIN, an ACK or data the legitimate peer never sent; a TSval newer
 *    than the peer's clock on a segment that may be taken; a SACK block for
 *    data the peer does not hold (when the case does not allow lies);
 *  - tainted: bytes other than the peer's stream that may be taken (the
 *    receiver would deliver them: no stack can tell).
 */
import { segmentAcceptable } from '../../src/tcp/acceptability.js';
import type { TimeWait } from '../../src/tcp/time-wait.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../../src/tcp/seq.js';
import { ACK, FIN, RST, SYN } from '../../src/wire/flags.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { isTcb, lookup, tcb, tsNow, type EntryView, type TcbView } from './probe.js';
import { SERVER_PORT, streamByte, type StreamSpec, type World } from './world.js';

export interface CaseFlags {
  /** May make killer packets. */
  allowKill: boolean;
  /** May send SACK blocks for data the peer does not hold (on packets that may be accepted). */
  lies: boolean;
}

/** The legitimate connection's TCB on one side: the full one or the TIME_WAIT record. */
export interface Target {
  side: 'A' | 'B';
  entry: EntryView;
  view: TcbView | undefined;
  tw: TimeWait | undefined;
}

export function findTarget(w: World, side: 'A' | 'B'): Target | undefined {
  if (w.clientPort === 0) return undefined;
  // The stack's own demux lookup: O(1), as the packet path does it.
  const e = side === 'A' ? lookup(w.a, w.clientPort, w.addrB, SERVER_PORT) : lookup(w.b, SERVER_PORT, w.addrA, w.clientPort);
  if (!e) return undefined;
  if (isTcb(e.conn)) return { side, entry: e, view: tcb(e.conn), tw: undefined };
  return { side, entry: e, view: undefined, tw: e.conn };
}

interface TwSnapshot {
  rcvWnd: number;
  tsRecent: number;
  tsOk: boolean;
}

/** The numbers the judge and the generator read of a target, whichever form it has. */
export interface TargetNumbers {
  state: string;
  rcvNxt: number;
  wnd: number;
  sndUna: number;
  sndNxt: number;
  sndMax: number;
  maxSndWnd: number;
  tsOk: boolean;
  tsRecent: number;
  /** What the peer has received: an ACK above it acknowledges something the peer never got. */
  safeHi: number;
  /** The TSval the peer would send now. */
  peerTs: number;
}

export function numbers(t: Target, peer: Target | undefined, now: number): TargetNumbers {
  const v = t.view;
  const tw = t.tw ? (t.tw as unknown as { s: TwSnapshot }).s : undefined;
  const sndNxt = v ? v.sndNxt : t.tw!.sndNxt;
  const sndUna = v ? v.sndUna : sndNxt;
  const sndMax = v ? v.sndMax : sndNxt;
  const pv = peer?.view;
  const peerRcv = pv && pv.state !== 'SYN_SENT' ? pv.rcvNxt : peer?.tw?.rcvNxt;
  const safeHi = peerRcv !== undefined && seqLe(peerRcv, sndMax) && seqGe(peerRcv, sndUna) ? peerRcv : sndUna;
  const tsRecent = v ? v.tsRecent : tw!.tsRecent;
  const peerTw = peer?.tw ? (peer.tw as unknown as { s: { tsOffset: number } }).s : undefined;
  return {
    state: v ? v.state : 'TIME_WAIT',
    rcvNxt: v ? v.rcvNxt : t.tw!.rcvNxt,
    wnd: v ? Math.max(0, seqDiff(v.rcvAdvEdge, v.rcvNxt)) : tw!.rcvWnd,
    sndUna,
    sndNxt,
    sndMax,
    maxSndWnd: v ? v.maxSndWnd : 65535,
    tsOk: v ? v.tsOk : tw!.tsOk,
    tsRecent,
    safeHi,
    peerTs: pv ? tsNow(pv, now) : peerTw ? (Math.floor(now) + peerTw.tsOffset) >>> 0 : tsRecent,
  };
}

export interface SegmentFields {
  seq: number;
  ack: number;
  flags: number;
  payload: Uint8Array;
  ts: { val: number; ecr: number } | undefined;
  sack: ReadonlyArray<readonly [number, number]> | undefined;
}

export interface Verdict {
  rejected: boolean;
  killer: boolean;
  tainted: boolean;
  why: string;
}

/** The stream the peer sends, and how much of it the peer has sent (octets from its ISS + 1). */
export function peerStream(w: World, peer: Target | undefined): { spec: StreamSpec; base: number; sent: number } | undefined {
  const pv = peer?.view;
  if (!pv || pv.state === 'SYN_SENT') return undefined;
  const spec = peer!.side === 'A' ? w.client.out : w.server.out;
  const base = seqAdd(pv.iss, 1);
  return { spec, base, sent: Math.min(spec.length, Math.max(0, seqDiff(pv.sndMax, base))) };
}

/** The peer's real out-of-order islands (what its SACK blocks may truthfully say). */
export function peerIslands(peer: Target | undefined): Array<[number, number]> {
  if (!peer?.view) return [];
  const ooo = (peer.entry.conn as unknown as { rcv: { ooo: { sackBlocks?(max: number): Array<[number, number]> } } }).rcv.ooo;
  return ooo.sackBlocks ? ooo.sackBlocks(4) : [];
}

export function judgeSegment(w: World, t: Target, peer: Target | undefined, s: SegmentFields, flags: CaseFlags): Verdict {
  const n = numbers(t, peer, w.clock.now());
  const f = s.flags;
  const len = s.payload.length + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0);
  const seqOk = n.wnd === 0 && len > 0 ? s.seq === n.rcvNxt : segmentAcceptable(s.seq, len, n.rcvNxt, n.wnd);
  const ackOk = !seqGt(s.ack, n.sndMax) && !seqLt(s.ack, seqAdd(n.sndUna, -Math.max(n.maxSndWnd, 1)));
  const v = (rejected: boolean, killer: boolean, why: string, tainted = false): Verdict => ({ rejected, killer, tainted, why });
  if (n.state === 'TIME_WAIT') return f & SYN ? v(false, true, 'SYN in TIME_WAIT may open a new incarnation') : v(true, false, 'TIME_WAIT');
  if (n.state === 'SYN_SENT') {
    const ackAcceptable = (f & ACK) !== 0 && seqGt(s.ack, t.view!.iss) && seqLe(s.ack, n.sndNxt);
    if (f & SYN && (!(f & ACK) || ackAcceptable)) return v(false, true, 'SYN taken in SYN_SENT');
    if (f & RST && ackAcceptable) return v(false, true, 'RST acknowledging our SYN');
    return v(true, false, 'SYN_SENT ignores it');
  }
  if (f & RST) return seqOk && s.seq === n.rcvNxt ? v(false, true, 'exact-sequence RST') : v(true, false, 'RST not at RCV.NXT');
  if (f & SYN) {
    if (n.state !== 'SYN_RCVD') return v(true, false, 'SYN: challenge ACK');
    if (!(s.seq === t.view!.irs && !(f & ACK))) return v(false, true, 'SYN in SYN_RCVD');
    // The peer's SYN again: only its TSval matters.
  } else {
    if (!seqOk) {
      // A duplicate that ends at or after the last ACK sent still gives TS.Recent its TSval, as Linux (tcp_sequence
      // accepts end_seq >= rcv_wup; RFC 7323 §4.3: SEG.SEQ <= Last.ACK.sent) — connection.ts takes it the same way.
      // A TSval from the future planted so makes PAWS drop the peer's segments: a killer, as when taken in window.
      const tv = t.view;
      const end = seqAdd(s.seq, s.payload.length);
      const takesTs =
        tv !== undefined && s.payload.length > 0 && (f & ACK) !== 0 && ackOk && !seqLt(s.ack, n.sndUna) &&
        seqLe(end, n.rcvNxt) && seqGe(end, tv.lastAckSent) && seqLe(s.seq, tv.lastAckSent);
      if (takesTs && n.tsOk && s.ts && seqGt(s.ts.val, n.peerTs)) return v(false, true, 'TSval newer than the peer clock on a duplicate ending at the last ACK sent');
      return v(true, false, 'outside the window');
    }
    if (!(f & ACK)) return v(true, false, 'no ACK');
    if (!ackOk) return v(true, false, 'ACK outside [SND.UNA - MAX.SND.WND, SND.MAX]');
    if (n.state === 'SYN_RCVD' && !(seqGt(s.ack, n.sndUna) && seqLe(s.ack, n.sndNxt))) return v(true, false, 'SYN_RCVD: unacceptable ACK');
  }
  // It may be taken: is it something the peer could have sent?
  if (n.tsOk && s.ts && seqGt(s.ts.val, n.peerTs)) return v(false, true, 'TSval newer than the peer clock');
  if (f & SYN) return v(false, false, 'retransmitted SYN');
  if (seqGt(s.ack, n.safeHi)) return v(false, true, 'ACK of something the peer never received');
  if (f & FIN) {
    const fin = peer?.view ? peer.view.finSeq : peer?.tw ? seqAdd(peer.tw.sndNxt, -1) : undefined;
    if (fin === undefined || seqAdd(s.seq, s.payload.length) !== fin) return v(false, true, 'FIN where the peer has none');
  }
  if (s.payload.length > 0) {
    const ps = peerStream(w, peer);
    for (let k = 0; k < s.payload.length; k++) {
      const at = seqAdd(s.seq, k);
      if (seqLt(at, n.rcvNxt)) continue; // a duplicate: trimmed
      const off = ps ? seqDiff(at, ps.base) : -1;
      if (!ps || off < 0 || off >= ps.sent) return v(false, true, 'data the peer has not sent', true);
      if (s.payload[k] !== streamByte(ps.spec, off)) return v(false, true, 'bytes other than the stream', true);
    }
  }
  if (!flags.lies && s.sack && s.sack.length > 0) {
    const real = peerIslands(peer);
    const lie = s.sack.some(([a, b]) => seqLt(a, b) && seqLt(a, n.sndMax) && seqGt(b, n.sndUna) && !real.some(([ra, rb]) => seqLe(ra, a) && seqGe(rb, b)));
    if (lie) return v(false, true, 'SACK block for data the peer does not hold');
  }
  return v(false, false, 'may be taken');
}

/** Judge a whole packet as it would arrive at stack `to` now. */
export function judgePacket(w: World, to: 'A' | 'B', packet: Uint8Array, flags: CaseFlags): Verdict {
  const r = parseTcpPacket(packet);
  const none: Verdict = { rejected: true, killer: false, tainted: false, why: 'malformed or not for the connection' };
  if (!r.ok) return none;
  const { ip, tcp } = r.value;
  const fromPeer = to === 'A' ? w.addrB : w.addrA;
  const toUs = to === 'A' ? w.addrA : w.addrB;
  if (!sameBytes(ip.src, fromPeer) || !sameBytes(ip.dst, toUs)) return none;
  const legit = w.clientPort !== 0 && (to === 'A' ? tcp.srcPort === SERVER_PORT && tcp.dstPort === w.clientPort : tcp.srcPort === w.clientPort && tcp.dstPort === SERVER_PORT);
  if (!legit) return none;
  const t = findTarget(w, to);
  if (!t) {
    // The listener, from the client's own tuple: a SYN it takes is a second client.
    if (to === 'B' && tcp.flags & SYN && !(tcp.flags & (ACK | RST))) return { rejected: false, killer: true, tainted: false, why: 'SYN from the client tuple at the listener' };
    return none;
  }
  const peer = findTarget(w, to === 'A' ? 'B' : 'A');
  return judgeSegment(w, t, peer, { seq: tcp.seq, ack: tcp.ack, flags: tcp.flags, payload: tcp.payload, ts: tcp.options.ts, sack: tcp.options.sack }, flags);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

