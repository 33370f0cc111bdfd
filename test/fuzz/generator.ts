/**
 * Structure-aware packet generator. It reads the live TCBs (probe.ts) and
 * aims segments at their windows: sequence numbers at, inside, just outside
 * and far from the receive window; ACKs at, below and above the send window;
 * SACK blocks inside and outside it; timestamps old, current and new;
 * every flag combination; malformed and extreme options; truncated and
 * damaged packets; IPv4 and IPv6 (as the world is).
 *
 * Each packet is classified against what RFC 9293/5961/7323 let a correct
 * TCP do with it, so the end-of-case check can demand a byte-exact transfer:
 *  - "rejected": a correct stack drops it (at most answering with an ACK or
 *    a RST the peer ignores): then anything goes (random payload, a future TSval,
 *    lying SACK blocks);
 *  - "killer": a correct stack may let it end or derail the connection (an
 *    exact-sequence RST, a SYN that a SYN_SENT/SYN_RCVD/TIME_WAIT TCB may take,
 *    a FIN or an ACK the legitimate peer never sent). Killers are made only in
 *    cases that allow them; such a case then only needs to end cleanly;
 *  - otherwise it may be accepted: then its payload is the legitimate stream's
 *    bytes at that position (and only bytes the peer has sent), its TSval not
 *    newer than the peer's clock, its FIN at the peer's FIN, its ACK at most
 *    what the peer has received.
 */
import { Rng } from '../../src/util/rng.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../../src/tcp/seq.js';
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../../src/wire/flags.js';
import { craftPacket, damage, malformedOptions, OptionWriter } from './craft.js';
import { listeners, tsNow } from './probe.js';
import { findTarget, judgePacket, judgeSegment, numbers, peerIslands, peerStream, type CaseFlags, type SegmentFields, type Target, type Verdict } from './judge.js';
import { SERVER_PORT, streamBytes, type World } from './world.js';

export interface Generated {
  to: 'A' | 'B';
  packet: Uint8Array;
  /** Coverage label: the target's state (LISTEN-empty, LISTEN-full, CLOSED-port, ...). */
  label: string;
  killer: boolean;
}

const TWO_20 = 1 << 20;
const TWO_29 = 1 << 29;

export class Generator {
  constructor(
    private readonly w: World,
    private readonly rng: Rng,
    private readonly flags: CaseFlags,
  ) {}

  private target(side: 'A' | 'B'): Target | undefined {
    return findTarget(this.w, side);
  }

  next(): Generated[] {
    const r = this.rng;
    const roll = r.int(100);
    if (roll < 1) return this.sliverBurst();
    if (roll < 12) return [this.toListener()];
    if (roll < 16) return [this.toClosedPort()];
    const side: 'A' | 'B' = r.chance(0.5) ? 'A' : 'B';
    const g = this.toConnection(side);
    if (r.chance(0.05)) return [{ ...g, packet: damage(g.packet, r), label: 'damaged', killer: false }];
    return [g];
  }

  // ───────────────────────── the legitimate connection ─────────────────────────

  private toConnection(side: 'A' | 'B'): Generated {
    const t = this.target(side);
    if (!t) return side === 'B' ? this.fromClientTuple() : this.toClosedPort();
    const peer = this.target(side === 'A' ? 'B' : 'A');
    const r = this.rng;
    const v = t.view;
    const n = numbers(t, peer, this.w.clock.now());
    const { rcvNxt, wnd, sndUna, sndMax, maxSndWnd, state, safeHi, tsOk, tsRecent, peerTs } = n;
    const pv = peer?.view;

    // Sequence number, in the target's receive space.
    let seq: number;
    const sRoll = r.int(100);
    if (sRoll < 30) seq = rcvNxt;
    else if (sRoll < 55) seq = seqAdd(rcvNxt, r.int(Math.max(1, wnd)));
    else if (sRoll < 65) seq = seqAdd(rcvNxt, -1 - r.int(3000));
    else if (sRoll < 75) seq = seqAdd(rcvNxt, wnd + r.int(3000));
    else if (sRoll < 90) seq = seqAdd(rcvNxt, (r.chance(0.5) ? 1 : -1) * (TWO_20 + r.int(TWO_29)));
    else seq = r.nextU32();

    // Acknowledgment number, in the target's send space.
    let ack: number;
    const aRoll = r.int(100);
    if (aRoll < 35) ack = safeHi;
    else if (aRoll < 55) ack = sndUna;
    else if (aRoll < 70) ack = seqAdd(sndUna, -r.int(maxSndWnd + 1));
    else if (aRoll < 75) ack = seqAdd(sndUna, -maxSndWnd - 1 - r.int(TWO_29));
    else if (aRoll < 85) ack = seqAdd(sndMax, 1 + r.int(TWO_29));
    else if (aRoll < 95) ack = r.nextU32();
    else ack = seqAdd(safeHi, r.int(Math.max(1, seqDiff(sndMax, safeHi) + 1)));

    let flags = r.chance(0.9) ? ACK : 0;
    if (r.chance(0.3)) flags |= PSH;
    if (r.chance(0.05)) flags |= URG;
    if (r.chance(0.05)) flags |= r.chance(0.5) ? ECE : CWR;
    if (r.chance(0.08)) flags |= SYN;
    if (r.chance(0.08)) flags |= RST;
    if (r.chance(0.1)) flags |= FIN;

    let payloadLen = 0;
    if (r.chance(0.5)) payloadLen = r.chance(0.15) ? 1 + r.int(3) : 1 + r.int(Math.min(1400, v ? v.cfg.mss : 536));

    let ts: { val: number; ecr: number } | undefined;
    let tsNew = false;
    if (r.chance(tsOk ? 0.85 : 0.15)) {
      const k = r.int(4);
      const val = k === 0 ? seqAdd(tsRecent, -1 - r.int(TWO_29)) : k === 1 ? peerTs : k === 2 ? tsRecent : seqAdd(tsRecent, 1 + r.int(0x7ffffffe));
      tsNew = k === 3 || seqGt(val, peerTs);
      const ecrRoll = r.int(3);
      ts = { val, ecr: ecrRoll === 0 ? 0 : ecrRoll === 1 && v ? tsNow(v, this.w.clock.now()) : r.nextU32() };
    }

    // SACK blocks: the peer's real islands, D-SACK below SND.UNA, blocks outside the window, or lies.
    let sack: Array<[number, number]> | undefined;
    let sackLies = false;
    if (r.chance(0.3)) {
      sack = [];
      const n = 1 + r.int(4);
      const real = peerIslands(peer);
      for (let i = 0; i < n; i++) {
        const k = r.int(5);
        if (k === 0 && real.length > 0) sack.push(real[r.int(real.length)]!);
        else if (k === 1) {
          const s = seqAdd(sndUna, -1 - r.int(5000));
          sack.push([s, seqAdd(s, 1 + r.int(1500))]);
        } else if (k === 2) {
          const s = seqAdd(sndMax, r.int(TWO_20));
          sack.push([s, seqAdd(s, 1 + r.int(3000))]);
        } else if (k === 3) {
          sack.push([r.nextU32(), r.nextU32()]);
        } else {
          const span = Math.max(1, seqDiff(sndMax, sndUna));
          const s = seqAdd(sndUna, r.int(span));
          sack.push([s, seqAdd(s, 1 + r.int(r.chance(0.5) ? 2 : 3000))]);
        }
      }
      // A lie: a block over data in flight that the peer does not hold.
      sackLies = sack.some(([s, e]) => seqLt(s, e) && seqLt(s, sndMax) && seqGt(e, sndUna) && !real.some(([rs, re]) => seqLe(rs, s) && seqGe(re, e)));
    }

    // Make it something the peer could have sent unless it will be rejected anyway; no killers unless allowed.
    const j = (x: SegmentFields): Verdict => judgeSegment(this.w, t, peer, x, this.flags);
    const random = new Uint8Array(payloadLen);
    for (let i = 0; i < random.length; i++) random[i] = r.int(256);
    let seg: SegmentFields = { seq, ack, flags, payload: random, ts, sack };
    let verdict = j(seg);
    if (!verdict.rejected) {
      seg = { ...seg, payload: this.streamAt(peer, seq, payloadLen), ts: ts && tsNew ? { val: n.peerTs, ecr: ts.ecr } : ts, sack: sackLies && !this.flags.lies ? undefined : sack };
      verdict = j(seg);
    }
    if (verdict.killer && !this.flags.allowKill) {
      let f = seg.flags & ~(SYN | RST | FIN);
      if (state === 'SYN_SENT' || state === 'TIME_WAIT') f &= ~ACK; // then it is dropped unseen
      seg = { ...seg, flags: f, ack: seqGt(seg.ack, n.safeHi) && seqLe(seg.ack, n.sndMax) ? n.safeHi : seg.ack, payload: this.streamAt(peer, seq, payloadLen) };
      verdict = j(seg);
      if (verdict.killer) {
        seg = { ...seg, flags: 0 }; // no ACK: dropped in every state
        verdict = j(seg);
      }
    }
    return this.finish(t, seg, state, verdict.killer);
  }

  /** Lay out the options and payload and build the packet. */
  private finish(t: Target, p: SegmentFields, label: string, killer: boolean): Generated {
    const r = this.rng;
    const w = this.w;
    const malformed = r.chance(0.05) ? malformedOptions(r) : undefined;
    const wellFormed = (): Uint8Array => {
      const o = new OptionWriter();
      if (p.flags & SYN) {
        if (r.chance(0.7)) o.mss(r.chance(0.2) ? r.int(3) : r.chance(0.2) ? 65535 : 536 + r.int(1000));
        if (r.chance(0.6)) o.wscale(r.chance(0.2) ? 14 + r.int(242) : r.int(15));
        if (r.chance(0.6)) o.sackPermitted();
      }
      if (p.ts) o.ts(p.ts.val, p.ts.ecr);
      if (p.sack && p.sack.length > 0) o.sack(p.sack.slice(0, p.ts ? 3 : 4));
      return o.build();
    };
    const window = r.chance(0.2) ? 0 : r.chance(0.2) ? 65535 : r.chance(0.5) ? 1 + r.int(4096) : r.int(65536);
    const toA = t.side === 'A';
    const build = (options: Uint8Array): Uint8Array => craftPacket({
      src: toA ? w.addrB : w.addrA,
      dst: toA ? w.addrA : w.addrB,
      srcPort: toA ? SERVER_PORT : w.clientPort,
      dstPort: toA ? w.clientPort : SERVER_PORT,
      seq: p.seq,
      ack: p.ack,
      flags: p.flags,
      window,
      urgent: p.flags & URG ? r.int(65536) : 0,
      options,
      payload: p.payload,
    });
    let packet = build(malformed ?? wellFormed());
    if (malformed) {
      // Malformed options that still parse (a repeated TS, say) say something of their own: judge what they say.
      const v = judgePacket(w, t.side, packet, this.flags);
      if (v.killer && !this.flags.allowKill) packet = build(wellFormed());
      else killer ||= v.killer;
    }
    return { to: t.side, packet, label, killer };
  }

  /** The peer's stream bytes at `seq` (only bytes the peer has already sent), or fewer, or none. */
  private streamAt(peer: Target | undefined, seq: number, len: number): Uint8Array {
    const ps = peerStream(this.w, peer);
    if (!ps || len === 0) return new Uint8Array(0);
    const off = seqDiff(seq, ps.base);
    if (off < 0 || off >= ps.sent) return new Uint8Array(0);
    return streamBytes(ps.spec, off, Math.min(len, ps.sent - off));
  }

  // ─────────────────────────── other tuples ───────────────────────────

  /** Before the server has a TCB for the client: what arrives at the listener from the client's own tuple. */
  private fromClientTuple(): Generated {
    const r = this.rng;
    const w = this.w;
    const a = this.target('A');
    // A SYN from the client's tuple that the listener would take is a second client: defused unless killers are allowed.
    let flags = [SYN, ACK, RST, ACK | PSH, FIN | ACK, 0][r.int(6)]!;
    let killer = false;
    if (flags === SYN) {
      if (this.flags.allowKill) killer = true;
      else flags = ACK;
    }
    const seq = a?.view && r.chance(0.5) ? seqAdd(a.view.iss, r.int(3)) : r.nextU32();
    const packet = craftPacket({
      src: w.addrA,
      dst: w.addrB,
      srcPort: w.clientPort || 1 + r.int(65535),
      dstPort: SERVER_PORT,
      seq,
      ack: r.nextU32(),
      flags,
      window: r.int(65536),
      options: new OptionWriter().mss(1460).build(),
      payload: new Uint8Array(flags & ACK && r.chance(0.3) ? 1 + r.int(100) : 0),
    });
    return { to: 'B', packet, label: this.listenerLabel(), killer };
  }

  private listenerLabel(): string {
    const l = listeners(this.w.b)[0];
    if (!l) return 'LISTEN-closed';
    return l.synQueued >= l.backlog ? 'LISTEN-full' : 'LISTEN-empty';
  }

  /** Spoofed sources at the listener: SYNs with every option shape, stray ACKs (cookie guesses), RSTs, data. */
  private toListener(): Generated {
    const r = this.rng;
    const w = this.w;
    const src = this.spoofedSource();
    const flags = r.int(100) < 65 ? SYN | (r.chance(0.05) ? FIN | PSH : 0) : [ACK, RST, RST | ACK, ACK | PSH, FIN | ACK, 0, SYN | ACK][r.int(7)]!;
    let options: Uint8Array;
    if (r.chance(0.1)) options = malformedOptions(r);
    else {
      const o = new OptionWriter();
      if (r.chance(0.8)) o.mss(r.chance(0.1) ? r.int(100) : r.chance(0.1) ? 65535 : 536 + r.int(9000));
      if (r.chance(0.6)) o.wscale(r.int(20));
      if (r.chance(0.6)) o.sackPermitted();
      if (r.chance(0.6)) o.ts(r.nextU32(), r.chance(0.5) ? 0 : r.nextU32());
      options = o.build();
    }
    const payload = new Uint8Array(r.chance(0.2) ? r.int(600) : 0);
    const packet = craftPacket({ src: src.addr, dst: w.addrB, srcPort: src.port, dstPort: SERVER_PORT, seq: r.nextU32(), ack: r.nextU32(), flags, window: r.int(65536), options, payload });
    return { to: 'B', packet, label: this.listenerLabel(), killer: false };
  }

  /** A source that is not the legitimate client's tuple. */
  private spoofedSource(): { addr: Uint8Array; port: number } {
    const r = this.rng;
    const w = this.w;
    if (r.chance(0.3)) {
      let port = 1 + r.int(65535);
      if (port === w.clientPort) port = (port % 65535) + 1;
      return { addr: w.addrA, port };
    }
    const addr = w.addrA.slice();
    addr[addr.length - 1] = 3 + r.int(250);
    if (addr.length === 4) addr[2] = r.int(256);
    else addr[13] = r.int(256);
    return { addr, port: 1 + r.int(65535) };
  }

  /** Segments to ports nobody uses, on either stack (answered with RST, or ignored). */
  private toClosedPort(): Generated {
    const r = this.rng;
    const w = this.w;
    const toA = r.chance(0.5);
    let dstPort = 1 + r.int(65535);
    if (dstPort === SERVER_PORT || dstPort === w.clientPort) dstPort = 7;
    const flags = r.int(256);
    const packet = craftPacket({
      src: toA ? w.addrB : w.addrA,
      dst: toA ? w.addrA : w.addrB,
      srcPort: 1 + r.int(65535),
      dstPort,
      seq: r.nextU32(),
      ack: r.nextU32(),
      flags,
      window: r.int(65536),
      options: r.chance(0.2) ? malformedOptions(r) : new Uint8Array(0),
      payload: new Uint8Array(r.chance(0.3) ? r.int(200) : 0),
    });
    return { to: toA ? 'A' : 'B', packet, label: 'CLOSED-port', killer: false };
  }

  /**
   * Many 1-byte segments of the peer's stream, out of order: every other byte
   * (one island each) or a run of adjacent bytes (one island, many pieces).
   * Receive memory must stay bounded by the window, whatever the segment size.
   */
  private sliverBurst(): Generated[] {
    const r = this.rng;
    const side: 'A' | 'B' = r.chance(0.5) ? 'A' : 'B';
    const t = this.target(side);
    const peer = this.target(side === 'A' ? 'B' : 'A');
    if (!t?.view || !peer?.view || t.view.state === 'SYN_SENT') return [this.toListener()];
    const out: Generated[] = [];
    const n = 20 + r.int(600);
    const stride = r.chance(0.5) ? 2 : 1;
    const ts = t.view.tsOk ? numbers(t, peer, this.w.clock.now()).peerTs : undefined; // the peer's clock, not TS.Recent (a bug may have poisoned it)
    for (let i = 0; i < n; i++) {
      const seq = seqAdd(t.view.rcvNxt, 1 + i * stride);
      const payload = this.streamAt(peer, seq, 1);
      if (payload.length === 0) break;
      const o = new OptionWriter();
      if (ts !== undefined) o.ts(ts, 0);
      const w = this.w;
      const toA = side === 'A';
      const packet = craftPacket({ src: toA ? w.addrB : w.addrA, dst: toA ? w.addrA : w.addrB, srcPort: toA ? SERVER_PORT : w.clientPort, dstPort: toA ? w.clientPort : SERVER_PORT, seq, ack: t.view.sndUna, flags: ACK, window: 65535, options: o.build(), payload });
      out.push({ to: side, packet, label: 'sliver', killer: false });
    }
    return out.length > 0 ? out : [this.toListener()];
  }
}
