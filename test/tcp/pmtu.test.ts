/**
 * TCP-BEHAVIOR P6, path MTU discovery in the sans-IO core: ICMP errors as
 * the stack hands them to a connection (RFC 5927 validation, RFC 1191 /
 * RFC 8201 lowering, RFC 1122 §4.2.3.9 soft and hard errors, as Linux's
 * tcp_v4_err), and RFC 4821 probing after a black hole (Linux
 * tcp_mtu_probing=1, tcp_base_mss 1024).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import type { OutSegment } from '../../src/tcp/segment.js';
import { PathMtu } from '../../src/tcp/pmtu.js';
import { seqAdd, seqDiff, seqGt } from '../../src/tcp/seq.js';

const MSS = 1460;
/** First data octet: our ISN is 1000. */
const BASE = 1001;

function established(cfg: Partial<TcpConfig> = {}): TcpTest {
  const t = tcpTest({ cfg });
  t.establishActive(65535);
  return t;
}

/** Data segments sent since the last call, as "seq:len" (R for a retransmission), relative to BASE. */
function sent(t: TcpTest): string[] {
  return t.out.splice(0).filter((s) => s.payload.length > 0).map((s) => `${s.seq - BASE}:${s.payload.length}${s.rtx ? 'R' : ''}`);
}

test('P6 frag-needed (MTU 1280) quoting an outstanding segment: MSS 1240 at once, the flight resent in 1240-byte segments, cwnd kept', () => {
  const t = established();
  t.user.send(new Uint8Array(10 * MSS));
  assert.equal(sent(t).length, 10, 'ten full segments out');
  const cwndSegs = t.c.info().cwndSegments;
  const verdict = t.c.onIcmp({ kind: 'packet-too-big', seq: BASE + 3 * MSS, mss: 1240 }, t.now);
  assert.equal(verdict, 'mtu-lowered');
  assert.equal(t.c.info().mss, 1240);
  // Linux tcp_simple_retransmit: go back to SND.UNA, resegmented, as much as cwnd allows — at once, no timer.
  const again = sent(t);
  assert.deepEqual(again, Array.from({ length: cwndSegs }, (_, k) => `${k * 1240}:1240R`));
  assert.equal(t.c.info().cwndSegments, cwndSegs, 'no congestion response: only the units changed');
  assert.equal(t.c.info().caState, 'loss');
  // A second ICMP for the same MTU changes nothing (Linux acts only when the PMTU falls).
  assert.equal(t.c.onIcmp({ kind: 'packet-too-big', seq: BASE, mss: 1240 }, t.now), 'ignored');
  t.recvNothing();
  // The peer ACKs all of it: the rest of the data follows in 1240-byte segments.
  t.send({ flags: 'ACK', seq: 5001, ack: BASE + cwndSegs * 1240, window: 65535 });
  const rest = sent(t);
  assert.ok(rest.length > 0 && rest.every((s) => /:(1240|\d{1,3})R?$/.test(s)), rest.join(' '));
});

test('RFC 5927 §4.1.1: an ICMP quoting a sequence number outside SND.UNA..SND.NXT is out of window and changes nothing', () => {
  const t = established();
  t.user.send(new Uint8Array(2 * MSS));
  sent(t);
  for (const seq of [BASE - 1, BASE + 2 * MSS + 1, 7]) {
    assert.equal(t.c.onIcmp({ kind: 'packet-too-big', seq, mss: 1240 }, t.now), 'out-of-window');
    assert.equal(t.c.onIcmp({ kind: 'host-unreachable', seq }, t.now), 'out-of-window');
  }
  assert.equal(t.c.info().mss, MSS);
  t.recvNothing();
  // Both edges are inside (Linux between(seq, snd_una, snd_nxt)).
  assert.equal(t.c.onIcmp({ kind: 'packet-too-big', seq: BASE + 2 * MSS, mss: 1400 }, t.now), 'mtu-lowered');
});

test('O6 / Linux tcp_v4_err: port unreachable in SYN_SENT aborts with ECONNREFUSED; host and net unreachable abort with EHOSTUNREACH / ENETUNREACH', () => {
  for (const [kind, code] of [['port-unreachable', 'ECONNREFUSED'], ['protocol-unreachable', 'ENOPROTOOPT'], ['host-unreachable', 'EHOSTUNREACH'], ['net-unreachable', 'ENETUNREACH']] as const) {
    const t = tcpTest();
    t.user.connect();
    t.recv({ flags: 'SYN', seq: 1000 });
    assert.equal(t.c.onIcmp({ kind, seq: 999 }, t.now), 'out-of-window', 'the quote must name our SYN');
    t.expectState('SYN_SENT');
    assert.equal(t.c.onIcmp({ kind, seq: 1000 }, t.now), 'aborted');
    t.expectState('CLOSED');
    assert.deepEqual(t.errors(), [code]);
    t.recvNothing();
  }
});

test('RFC 1122 §4.2.3.9 / RFC 5927 §4.1: host unreachable in ESTABLISHED is a soft error, reported instead of ETIMEDOUT when the connection times out', () => {
  const t = established({ retries2: 3 });
  t.user.send('hello');
  sent(t);
  assert.equal(t.c.onIcmp({ kind: 'host-unreachable', seq: BASE }, t.now), 'soft-error');
  t.expectState('ESTABLISHED');
  assert.deepEqual(t.errors(), []);
  t.advance(120_000);
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), ['EHOSTUNREACH'], 'Linux tcp_write_err: sk_err_soft ?: ETIMEDOUT');
});

test('Linux tcp_ack clears the soft error: after an ACK, a later timeout is ETIMEDOUT again', () => {
  const t = established({ retries2: 3 });
  t.user.send('hello');
  sent(t);
  t.c.onIcmp({ kind: 'net-unreachable', seq: BASE }, t.now);
  t.send({ flags: 'ACK', seq: 5001, ack: BASE + 5, window: 65535 });
  t.user.send('again');
  t.advance(120_000);
  assert.deepEqual(t.errors(), ['ETIMEDOUT']);
});

test('Linux tcp_req_err: a passive SYN_RCVD is dropped (back to LISTEN) by host unreachable quoting our ISS; another sequence is out of window', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000, window: 65535, options: { mss: 1460 } });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  assert.equal(t.c.onIcmp({ kind: 'host-unreachable', seq: 1001 }, t.now), 'out-of-window');
  assert.equal(t.c.onIcmp({ kind: 'port-unreachable', seq: 1000 }, t.now), 'ignored');
  t.expectState('SYN_RCVD');
  assert.equal(t.c.onIcmp({ kind: 'host-unreachable', seq: 1000 }, t.now), 'request-dropped');
  assert.deepEqual(t.transitions(), ['LISTEN>SYN_RCVD', 'SYN_RCVD>LISTEN']);
  assert.deepEqual(t.errors(), []);
  t.recvNothing();
});

/** Run RTOs with nothing getting through; the lengths of the retransmissions at `una` (SND.UNA), in order. */
function timeouts(t: TcpTest, n: number, una = BASE): number[] {
  const lens: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = t.c.nextDeadline!;
    t.advance(d - t.now);
    const rtx = t.out.splice(0).filter((s) => s.payload.length > 0 && s.seq === una);
    assert.equal(rtx.length, 1, `timeout ${i + 1} resends SND.UNA`);
    lens.push(rtx[0]!.payload.length);
  }
  return lens;
}

test('RFC 4821 black hole, Linux tcp_mtu_probing=1: a timeout 3 s or more into a stall (tcp_retries1 backoffs from 200 ms) drops the MSS to tcp_base_mss 1024, each later one halves it', () => {
  // RTO 1 s (no RTT sample yet): the timeouts come 0, 2 and 6 s after the first, so the 3rd is the first at 3 s.
  const t = established({ mtuProbing: 1 });
  assert.equal(t.c.info().rto, 1000);
  t.user.send(new Uint8Array(10 * MSS));
  sent(t);
  assert.deepEqual(timeouts(t, 6), [1460, 1460, 1024, 512, 256, 128]);
  const off = established({ mtuProbing: 0 });
  off.user.send(new Uint8Array(10 * MSS));
  sent(off);
  assert.deepEqual(timeouts(off, 6), [1460, 1460, 1460, 1460, 1460, 1460], 'mtuProbing 0: ICMP only');
});

test('Linux retransmits_timed_out: at a 200 ms RTO, four timeouts in a row (2.8 s) are a lossy path, not a black hole; the fifth (6 s) is', () => {
  const t = established({ mtuProbing: 1 });
  t.user.send(new Uint8Array(MSS));
  sent(t);
  t.advance(10);
  t.send({ flags: 'ACK', seq: 5001, ack: BASE + MSS, window: 65535 }); // an RTT sample of 10 ms: RTO 200 ms
  assert.equal(t.c.info().rto, 200);
  t.user.send(new Uint8Array(10 * MSS));
  sent(t);
  // Timeouts 0, 0.4, 1.2, 2.8 and 6 s after the first. Counting four timeouts, as synack did, halved the MSS
  // of connections on a lossy path (20 % loss each way) where Linux keeps 1448.
  assert.deepEqual(timeouts(t, 6, BASE + MSS), [1460, 1460, 1460, 1460, 1024, 512]);
});

/**
 * A peer behind a path that carries segments of at most `pathMss` octets: bigger ones are lost
 * silently (no ICMP), the rest are ACKed one by one (so a loss shows as duplicate ACKs).
 */
function pathPeer(t: TcpTest, pathMss: number): { rcvNxt: number; pump(rounds: number, rtt: number): OutSegment[] } {
  const ooo = new Map<number, number>();
  const peer = {
    rcvNxt: BASE,
    pump(rounds: number, rtt: number): OutSegment[] {
      const all: OutSegment[] = [];
      for (let r = 0; r < rounds; r++) {
        t.advance(rtt);
        const batch = t.out.splice(0);
        all.push(...batch);
        for (const s of batch) {
          if (s.payload.length === 0) continue;
          if ((s.segmentSize ?? s.payload.length) > pathMss) continue; // the black hole (a TSO super-segment crosses it cut at segmentSize)
          ooo.set(s.seq, Math.max(ooo.get(s.seq) ?? 0, s.payload.length));
          for (let moved = true; moved; ) {
            moved = false;
            for (const [seq, len] of ooo) {
              const end = seqAdd(seq, len);
              if (seqDiff(seq, peer.rcvNxt) <= 0 && seqGt(end, peer.rcvNxt)) {
                peer.rcvNxt = end;
                moved = true;
              }
              if (seqDiff(end, peer.rcvNxt) <= 0) ooo.delete(seq);
            }
          }
          t.send({ flags: 'ACK', seq: 5001, ack: peer.rcvNxt, window: 65535 });
        }
      }
      return all;
    },
  };
  return peer;
}

/** Keep the send buffer full until `total` bytes are delivered (bounded rounds of `rtt`); the MSS after each round. */
function transfer(t: TcpTest, peer: ReturnType<typeof pathPeer>, total: number, maxRounds = 1000): number[] {
  const start = peer.rcvNxt;
  let written = 0;
  const mss: number[] = [];
  for (let r = 0; r < maxRounds && seqDiff(peer.rcvNxt, start) < total; r++) {
    if (written < total) written += t.user.send(new Uint8Array(total - written));
    peer.pump(1, 10);
    mss.push(t.c.info().mss);
  }
  return mss;
}

/** Black hole at MSS 1240, then the upward search (below), on a link with or without TSO. */
function blackHoleSearch(cfg: Partial<TcpConfig>): void {
  const t = established({ mtuProbing: 1, ...cfg });
  const peer = pathPeer(t, 1240); // MTU 1280
  const total = 1_000_000;
  t.user.send(new Uint8Array(10 * MSS));
  peer.pump(1, 10); // the first flight falls into the hole
  for (let i = 0; i < 3; i++) t.advance(t.c.nextDeadline! - t.now); // at 1 s, 3 s and 7 s: a stall of 6 s, black hole suspected
  assert.equal(t.c.info().mss, 1024);
  const segs: OutSegment[] = [];
  const watch = t.out.push.bind(t.out);
  t.out.push = (...items: OutSegment[]) => (segs.push(...items), watch(...items));
  transfer(t, peer, total - 10 * MSS);
  const sizes = new Set(segs.filter((s) => s.payload.length > 0).map((s) => s.segmentSize ?? s.payload.length)); // packet payloads on the path
  // (1024 + 1460) / 2 = 1242 > 1240: lost; then (1024 + 1241) / 2 = 1132, 1186, 1213, 1227, 1234 pass; the range is then under 8.
  assert.ok(sizes.has(1242), `a probe of 1242: ${[...sizes].join(',')}`);
  assert.equal(t.counts.TCPMTUPFail, 1);
  assert.ok((t.counts.TCPMTUPSuccess ?? 0) >= 4, `successes: ${t.counts.TCPMTUPSuccess}`);
  assert.equal(t.c.info().mss, 1234);
  assert.ok(![...sizes].some((n) => n > 1242 && n !== MSS), 'nothing between the first probe and the old MSS');
  assert.equal(peer.rcvNxt, BASE + total, 'every byte delivered');
  assert.equal(t.counts.TCPRenoRecovery ?? 0, 0, 'the lost probe was no congestion signal');
}

test('RFC 4821 §7: after the black hole, probes search upward; a probe over the path is lost (TCPMTUPFail, no cwnd cut), one under it succeeds (TCPMTUPSuccess)', () => {
  blackHoleSearch({});
});

test('RFC 4821 §7 with TSO (a TUN link with offloads): the probe leaves as one packet of its size, not a super-segment cut at the MSS that would cross the hole and pass every probe', () => {
  blackHoleSearch({ tsoMax: 64_000 });
});

test('mtuProbing 2 (always): the connection starts at tcp_base_mss 1024 and probes upward on a clean path', () => {
  const t = established({ mtuProbing: 2 });
  assert.equal(t.c.info().mss, 1024);
  const peer = pathPeer(t, 1460);
  const total = 1_000_000;
  const rounds = transfer(t, peer, total);
  // 1024 → 1242 → 1351 → 1405 → 1432 → 1446 → 1453: then the range (1453..1460) is under tcp_probe_threshold.
  assert.deepEqual([...new Set(rounds)], [1024, 1242, 1351, 1405, 1432, 1446, 1453]);
  assert.equal(t.counts.TCPMTUPFail ?? 0, 0);
  assert.equal(t.counts.TCPMTUPSuccess, 6);
  assert.equal(peer.rcvNxt, BASE + total);
});

test('PathMtu: ICMP only lowers; never above the handshake MSS; the search range narrows to tcp_probe_threshold', () => {
  const p = new PathMtu(1, 1460, 0);
  assert.equal(p.mss, 1460);
  assert.equal(p.lowerTo(1500), false);
  assert.equal(p.lowerTo(1240), true);
  assert.equal(p.lowerTo(1300), false, 'a larger MTU later does not raise it');
  assert.equal(p.mss, 1240);
  assert.equal(p.probeSize(0), undefined, 'no probing before a black hole is suspected');
  assert.equal(p.onTimeout(2999, 0), false);
  assert.equal(p.onTimeout(3000, 0), true);
  assert.equal(p.mss, 1024);
  const seen: number[] = [];
  for (let size = p.probeSize(0); size !== undefined; size = p.probeSize(0)) {
    seen.push(size);
    p.sent(size, 0, size);
    if (size <= 1240) p.succeeded(0);
    else p.failed();
  }
  assert.deepEqual(seen, [1132, 1186, 1213, 1226, 1233]);
  assert.equal(p.mss, 1233);
  assert.throws(() => tcpTest({ cfg: { mtuProbing: 3 as 1 } }).establishActive(), RangeError);
});
