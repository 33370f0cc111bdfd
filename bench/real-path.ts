/**
 * One bulk transfer A → B over an impaired, rate-limited MemoryLink, in
 * virtual time: what a real path (long RTT, loss, reordering) does to the
 * transfer. Figures are virtual-time figures (goodput is bytes delivered to
 * B's application per virtual second), so they measure the TCP, not the CPU.
 */
import { MemoryLink, type PairOptions } from '../src/link/memory.js';
import type { TcpConfig } from '../src/tcp/config.js';
import { VirtualClock } from '../src/util/virtual-clock.js';
import { parseTcpPacket } from '../src/wire/packet.js';
import { connectPair } from './pair.js';

export interface PathOptions {
  /** Link rate, bit/s (both directions). */
  rateBps: number;
  /** Round-trip propagation delay, ms (half each way). */
  rttMs: number;
  /** Random loss probability A → B. */
  loss?: number;
  /** Reordering probability A → B, and how long a reordered packet is held back (ms). */
  reorder?: number;
  reorderDelayMs?: number;
  /** Drop-tail queue of the rate limiter, bytes (default: one BDP, at least 1 MiB). */
  queueLimitBytes?: number;
  /** Bytes A sends. */
  bytes: number;
  /** TCP configuration of both ends. */
  tcp?: Partial<TcpConfig>;
  /** A's data segments (1-based, first transmissions) the link loses, e.g. a lost tail. */
  dropData?: (index: number, payloadLength: number) => boolean;
  seed?: number;
  /** Virtual-time limit, ms. */
  maxMs?: number;
}

export interface PathResult {
  /** Bytes B's application read. */
  received: number;
  /** Virtual ms from the first byte written to the last byte read. */
  elapsedMs: number;
  /** received × 8 / elapsed, bit/s. */
  goodputBps: number;
  /** Goodput over the second half of the bytes (the transfer past its ramp-up), bit/s. */
  steadyGoodputBps: number;
  /** B's advertised window (bytes) sampled once per RTT from the first data on. */
  windowPerRtt: number[];
  /** B's largest receive buffer and A's largest send buffer, bytes. */
  rcvBuf: number;
  sndBuf: number;
  /** A's retransmitted segments (RetransSegs). */
  retransmits: number;
  /**
   * Truly spurious retransmissions: copies of data B already held, counted by B itself — the D-SACKs it sent
   * (TCPDSACKOldSent + TCPDSACKOfoSent, RFC 2883 §4: one per duplicate segment received).
   */
  spuriousRetransmits: number;
  /**
   * Data segments A → B the link delivered after an earlier copy of the same segment was delivered (the link's
   * own duplicates aside): the spurious ones, plus those whose earlier copy B received but threw away
   * (`receiverDrops`) — needed retransmissions that only look like duplicates on the wire.
   */
  wireDuplicates: number;
  /**
   * Data segments B received but threw away (TCPOFODrop, TCPZeroWindowDrop: out-of-order data beyond what B's
   * memory holds, or beyond its window). The link delivered them, so their retransmissions look like
   * duplicates on the wire, but B needed them.
   */
  receiverDrops: number;
  /** A → B packets the rate limiter's drop-tail queue dropped (the queue overflowed: congestion, not the path's loss). */
  queueDrops: number;
  /** A → B packets the path lost at random (`loss`) or by `dropData`. */
  pathDrops: number;
  /** A's retransmission timeouts (TCPTimeouts). */
  timeouts: number;
  /** With dropData: virtual ms from the first transmission of the last new data segment to the last byte read. */
  lastFirstSendToDoneMs: number;
  /** A's smoothed RTT at the end, ms. */
  srttMs: number;
}

/** Run one transfer and measure it. */
export function runPath(o: PathOptions): PathResult {
  const clock = new VirtualClock();
  const bdp = (o.rateBps * o.rttMs) / 8000;
  const link: PairOptions = {
    mtu: 1500,
    seed: o.seed ?? 1,
    rateBps: o.rateBps,
    delayMs: o.rttMs / 2,
    queueLimitBytes: o.queueLimitBytes ?? Math.max(bdp, 1 << 20),
    aToB: { loss: o.loss, reorder: o.reorder, reorderDelayMs: o.reorderDelayMs },
  };
  // First transmissions are numbered for `dropData`. Every A → B data copy is watched: one the link delivers
  // after an earlier copy of the same segment was delivered is a wire duplicate; one the rate limiter's queue
  // drops is congestion; one the path drops (random loss, dropData) is the path's loss.
  let dataIndex = 0;
  let lastFirstSentAt = 0;
  const delivered = new Set<number>(); // seq of every data segment the link delivered at least once
  if (o.dropData !== undefined) {
    const dropData = o.dropData;
    const seen = new Set<number>();
    link.drop = ({ packet, direction }) => {
      const seg = direction === 'a->b' ? dataSegment(packet) : undefined;
      if (seg === undefined || seen.has(seg.seq)) return false;
      seen.add(seg.seq);
      lastFirstSentAt = clock.now();
      return dropData(++dataIndex, seg.len);
    };
  }
  const [linkA, linkB] = MemoryLink.pair(clock, link);
  let wireDuplicates = 0;
  let queueDrops = 0;
  let pathDrops = 0;
  linkA.onTap((e) => {
    if (e.duplicate) return; // the link's own duplicates are the path's doing, not the sender's
    if (e.dropped) {
      if (e.reason === 'queue') queueDrops++;
      else if (e.reason === 'loss' || e.reason === 'hook') pathDrops++;
      return;
    }
    const seg = dataSegment(e.packet);
    if (seg === undefined) return;
    if (delivered.has(seg.seq)) wireDuplicates++;
    else delivered.add(seg.seq);
  });
  const { a, b, client, server: srv } = connectPair(clock, [linkA, linkB], o.tcp, 10 * o.rttMs + 5000);

  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  let received = 0;
  let halfAt = 0;
  let doneAt = 0;
  const t0 = clock.now();
  const pump = (): void => {
    while (sent < o.bytes) {
      const n = client.write(chunk.subarray(0, Math.min(chunk.length, o.bytes - sent)));
      if (n === 0) return;
      sent += n;
    }
  };
  srv.on('readable', () => {
    for (let d = srv.read(); d; d = srv.read()) received += d.length;
    if (halfAt === 0 && received >= o.bytes / 2) halfAt = clock.now();
    if (received >= o.bytes && doneAt === 0) doneAt = clock.now();
  });
  client.on('writable', pump);
  const windowPerRtt: number[] = [];
  let rcvBuf = 0;
  let sndBuf = 0;
  const sample = (): void => {
    const i = srv.info();
    windowPerRtt.push(i.rcvWnd);
    rcvBuf = Math.max(rcvBuf, i.rcvBuf ?? 0);
    sndBuf = Math.max(sndBuf, client.info().sndBuf ?? 0);
    if (doneAt === 0) clock.schedule(clock.now() + o.rttMs, sample);
  };
  pump();
  sample();
  const maxMs = o.maxMs ?? 600_000;
  clock.runUntilIdle({ maxTime: t0 + maxMs });
  if (received !== o.bytes) throw new Error(`real-path: received ${received} of ${o.bytes} bytes in ${maxMs} ms`);
  const info = client.info();
  const elapsedMs = doneAt - t0;
  const result: PathResult = {
    received,
    elapsedMs,
    goodputBps: (received * 8000) / elapsedMs,
    steadyGoodputBps: ((received - o.bytes / 2) * 8000) / (doneAt - halfAt),
    windowPerRtt,
    rcvBuf,
    sndBuf,
    retransmits: a.stats().RetransSegs,
    spuriousRetransmits: b.stats().TCPDSACKOldSent + b.stats().TCPDSACKOfoSent,
    wireDuplicates,
    receiverDrops: b.stats().TCPOFODrop + b.stats().TCPZeroWindowDrop,
    queueDrops,
    pathDrops,
    timeouts: a.stats().TCPTimeouts,
    lastFirstSendToDoneMs: doneAt - lastFirstSentAt,
    srttMs: info.srtt ?? 0,
  };
  a.close();
  b.close();
  return result;
}

/** Sequence number and payload length of a TCP segment that carries data, else undefined. */
function dataSegment(packet: Uint8Array): { seq: number; len: number } | undefined {
  const p = parseTcpPacket(packet);
  if (!p.ok || p.value.tcp.payload.length === 0) return undefined;
  return { seq: p.value.tcp.seq, len: p.value.tcp.payload.length };
}
