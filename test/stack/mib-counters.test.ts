/**
 * The TcpExt counters (nstat TcpExt…) counted where and as Linux counts
 * them, each in a scripted scenario on two stacks in virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks } from '../helpers/two-stacks.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import type { StackStats } from '../../src/stack/stats.js';
import { buildTcpPacket, parseTcpPacket } from '../../src/wire/packet.js';
import { parseAddress } from '../../src/wire/ip.js';
import { ACK, RST, SYN } from '../../src/wire/flags.js';

const A = parseAddress('10.0.0.1')!;
const B = parseAddress('10.0.0.2')!;
const SPOOF = parseAddress('10.0.0.99')!;

/** The counters that differ from zero. */
function nonZero(s: StackStats): Partial<StackStats> {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== 0)) as Partial<StackStats>;
}

function synFlood(n: ReturnType<typeof twoStacks>, count: number): void {
  for (let i = 0; i < count; i++) n.linkA.send(buildTcpPacket(SPOOF, B, { srcPort: 1024 + i, dstPort: 80, seq: i * 7919, ack: 0, flags: SYN, window: 1000 }));
  n.settle(10);
}

test('SYN flood with cookies: 300 spoofed SYNs, backlog 128 — cookies counted, ListenDrops not (as Linux)', () => {
  const n = twoStacks();
  n.b.listen(80, { backlog: 128 });
  synFlood(n, 300);
  const s = n.b.stats();
  assert.equal(s.PassiveOpens, 128, 'the SYN queue fills');
  assert.equal(s.SyncookiesSent, 172);
  assert.equal(s.TCPReqQFullDoCookies, 172);
  assert.equal(s.ListenDrops, 0, 'a SYN answered with a cookie is not dropped');
  assert.equal(s.ListenOverflows, 0);
  assert.equal(s.TCPReqQFullDrop, 0);
});

test('SYN flood without cookies: the SYNs beyond the SYN queue are dropped and counted', () => {
  const n = twoStacks({ synCookies: false });
  n.b.listen(80, { backlog: 128 });
  synFlood(n, 300);
  const s = n.b.stats();
  assert.equal(s.TCPReqQFullDrop, 172);
  assert.equal(s.ListenDrops, 172);
  assert.equal(s.SyncookiesSent, 0);
});

test('accept queue full: the SYN is dropped, ListenOverflows and ListenDrops both count it', () => {
  const n = twoStacks({ tcp: { synRetries: 0 } });
  n.b.listen(80, { backlog: 1 }); // nobody accepts
  const c1 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  assert.equal(c1.state, 'ESTABLISHED');
  const c2 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(10_000);
  assert.equal(c2.state, 'CLOSED');
  const s = n.b.stats();
  assert.equal(s.ListenOverflows, 1);
  assert.equal(s.ListenDrops, 1);
  const a = n.a.stats();
  assert.equal(a.TCPTimeouts, 1, "c2's one SYN timed out (synRetries 0: the expiry that gives up counts too)");
  assert.equal(a.TCPAbortOnTimeout, 1);
  assert.equal(a.AttemptFails, 1);
});

test('SYNs into the void: every retransmission-timer expiry is a TCPTimeouts, the last one a TCPAbortOnTimeout', () => {
  const n = twoStacks({ tcp: { synRetries: 3 }, link: { aToB: { loss: 1 } } });
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  let error = '';
  c.on('error', (e: Error & { code?: string }) => (error = e.code ?? ''));
  n.settle(600_000);
  assert.equal(error, 'ETIMEDOUT');
  assert.deepEqual(nonZero(n.a.stats()), { ActiveOpens: 1, AttemptFails: 1, OutSegs: 4, RetransSegs: 3, TCPTimeouts: 4, TCPAbortOnTimeout: 1 });
});

/** A connects to B:80 and sends `bytes`; `dropData` lists which of A's data segments (1-based, first transmissions) the link loses. */
function bulk(opts: { sack: boolean; dropData: number[]; bytes?: number; tcpB?: Record<string, unknown> }) {
  let dataIndex = 0;
  const n = twoStacks({
    tcp: { sack: opts.sack },
    tcpB: opts.tcpB ?? {},
    link: {
      drop: ({ packet, direction }) => {
        if (direction !== 'a->b') return false;
        const p = parseTcpPacket(packet);
        if (!p.ok || p.value.tcp.payload.length === 0) return false;
        return opts.dropData.includes(++dataIndex);
      },
    },
  });
  let server: TcpSocket | undefined;
  let received = 0;
  n.b.listen(80).on('connection', (s) => {
    server = s;
    s.on('readable', () => {
      for (let d = s.read(); d; d = s.read()) received += d.length;
    });
  });
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c.write(new Uint8Array(opts.bytes ?? 40_000));
  n.settle(60_000);
  return { n, c, server: server!, received: () => received };
}

test('one lost segment with SACK: TCPSackRecovery and TCPFastRetrans on the sender, TCPOFOQueue on the receiver, no timeout', () => {
  const { n, received } = bulk({ sack: true, dropData: [3] });
  assert.equal(received(), 40_000);
  const a = n.a.stats();
  assert.equal(a.TCPSackRecovery, 1);
  assert.equal(a.TCPRenoRecovery, 0);
  assert.equal(a.TCPFastRetrans, 1);
  assert.equal(a.RetransSegs, 1);
  assert.equal(a.TCPTimeouts, 0);
  assert.ok(n.b.stats().TCPOFOQueue >= 3, `segments after the hole wait out of order (${n.b.stats().TCPOFOQueue})`);
  assert.equal(n.b.stats().TCPOFODrop, 0);
});

test('a lost tail of three segments with SACK: one TCPLossProbes, then SACK recovery, no timeout', () => {
  // 40 000 bytes are 28 data segments; the last three are lost.
  const { n, received } = bulk({ sack: true, dropData: [26, 27, 28] });
  assert.equal(received(), 40_000);
  const a = n.a.stats();
  assert.equal(a.TCPLossProbes, 1);
  assert.equal(a.TCPSackRecovery, 1);
  assert.equal(a.TCPTimeouts, 0);
  assert.equal(n.b.stats().TCPLossProbes, 0);
});

test('one lost segment without SACK: TCPRenoRecovery', () => {
  const { n, received } = bulk({ sack: false, dropData: [3] });
  assert.equal(received(), 40_000);
  const a = n.a.stats();
  assert.equal(a.TCPRenoRecovery, 1);
  assert.equal(a.TCPSackRecovery, 0);
  assert.equal(a.TCPFastRetrans, 1);
});

test('an out-of-order queue with room for one island: a second island is a TCPOFODrop', () => {
  const { n, received } = bulk({ sack: true, dropData: [1, 3], tcpB: { oooMaxBlocks: 1 } });
  assert.equal(received(), 40_000, 'the sender repairs everything');
  const b = n.b.stats();
  assert.ok(b.TCPOFODrop >= 1, `OFODrop ${b.TCPOFODrop}`);
  assert.ok(b.TCPOFOQueue >= 1);
});

test('close with unread data: RST and TCPAbortOnClose; data after close: RST and TCPAbortOnData', () => {
  const n = twoStacks();
  const servers: TcpSocket[] = [];
  n.b.listen(80).on('connection', (s) => servers.push(s));
  const c1 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c1.write(new Uint8Array(10));
  n.settle(100);
  servers[0]!.close(); // 10 bytes unread
  n.settle(100);
  assert.equal(c1.state, 'CLOSED');
  assert.equal(n.b.stats().TCPAbortOnClose, 1);

  const c2 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  servers[1]!.close(); // nothing unread: FIN
  n.settle(100);
  c2.write(new Uint8Array(10)); // the peer keeps sending after B's application closed
  n.settle(100);
  assert.equal(n.b.stats().TCPAbortOnData, 1);
  assert.equal(n.b.stats().TCPAbortOnClose, 1);
});

test('abort (SO_LINGER 0): TCPAbortOnData with nothing unread, TCPAbortOnClose when unread data is tossed (Linux tcp_close)', () => {
  const n = twoStacks();
  const servers: TcpSocket[] = [];
  n.b.listen(80).on('connection', (s) => servers.push(s));
  const c1 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  servers[0]!.abort(); // nothing unread
  n.settle(100);
  assert.equal(c1.state, 'CLOSED');
  assert.deepEqual([n.b.stats().TCPAbortOnData, n.b.stats().TCPAbortOnClose, n.b.stats().OutRsts], [1, 0, 1]);

  const c2 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c2.write(new Uint8Array(10));
  n.settle(100);
  servers[1]!.abort(); // 10 octets unread: tossed
  n.settle(100);
  assert.equal(c2.state, 'CLOSED');
  assert.deepEqual([n.b.stats().TCPAbortOnData, n.b.stats().TCPAbortOnClose], [1, 1]);
  assert.equal(n.a.stats().TCPAbortOnData + n.a.stats().TCPAbortOnClose, 0, 'the reset side counts nothing of these');
});

test('a SYN in ESTABLISHED (RFC 5961 §4) gets a challenge ACK, counted; beyond the limit none is sent or counted', () => {
  const n = twoStacks({ tcpB: { challengeAckLimit: 2 } });
  n.b.listen(80);
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  for (let i = 0; i < 5; i++) n.linkA.send(buildTcpPacket(A, B, { srcPort: c.localPort, dstPort: 80, seq: 12345 + i, ack: 0, flags: SYN, window: 1000 }));
  n.settle(100);
  assert.equal(n.b.stats().TCPChallengeACK, 2);
  assert.equal(c.state, 'ESTABLISHED');
  // An in-window RST that is not exact: a challenge ACK too (RFC 5961 §3.2), once the limit's second has passed.
  n.clock.advance(2000);
  const before = n.b.stats().TCPChallengeACK;
  let ourNext = 0;
  n.linkB.onTap((ev) => {
    const p = parseTcpPacket(ev.packet);
    if (p.ok) ourNext = p.value.tcp.ack; // B's RCV.NXT
  });
  c.write(new Uint8Array(1));
  n.settle(100);
  n.linkA.send(buildTcpPacket(A, B, { srcPort: c.localPort, dstPort: 80, seq: (ourNext + 100) >>> 0, ack: 0, flags: RST, window: 0 }));
  n.settle(100);
  assert.equal(n.b.stats().TCPChallengeACK, before + 1);
  assert.equal(c.state, 'ESTABLISHED');
});

test('PAWS: a segment with an old timestamp is dropped and counted as PAWSEstab', () => {
  const n = twoStacks();
  n.b.listen(80);
  let tsval = 0;
  let seq = 0;
  let ack = 0;
  n.linkA.onTap((ev) => {
    const p = parseTcpPacket(ev.packet);
    if (p.ok && p.value.tcp.options.ts) {
      tsval = p.value.tcp.options.ts.val;
      seq = p.value.tcp.seq;
      ack = p.value.tcp.ack;
    }
  });
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  n.clock.advance(5000);
  c.write(new Uint8Array(1));
  n.settle(5000);
  assert.ok(tsval >= 5000, `A's TSval ${tsval}`);
  n.linkA.send(buildTcpPacket(A, B, { srcPort: c.localPort, dstPort: 80, seq, ack, flags: ACK, window: 1000, options: { ts: { val: (tsval - 1000) >>> 0, ecr: 0 } }, payload: new Uint8Array(1) }));
  n.settle(100);
  assert.equal(n.b.stats().PAWSEstab, 1);
});

test('a receiver that never reads closes its window; the persist probes it cannot take are TCPZeroWindowDrop', () => {
  const n = twoStacks({ tcpB: { recvBufferSize: 4096 } });
  n.b.listen(80); // accepted but never read
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c.write(new Uint8Array(20_000));
  n.settle(30_000);
  const b = n.b.stats();
  assert.ok(b.TCPZeroWindowDrop >= 1, `ZeroWindowDrop ${b.TCPZeroWindowDrop}`);
  assert.equal(c.state, 'ESTABLISHED', 'probing goes on: the peer answers');
});

test('counters that have no mechanism yet exist and stay 0', () => {
  const { n } = bulk({ sack: true, dropData: [2, 5, 9] });
  for (const s of [n.a.stats(), n.b.stats()]) {
    for (const k of ['TCPSpuriousRTOs', 'TCPBacklogDrop', 'TCPAbortOnLinger'] as const) assert.equal(s[k], 0, k);
  }
});

test('connections(): a connection its application closed is marked orphan until it is gone (ss -s "orphaned")', () => {
  const n = twoStacks();
  const servers: TcpSocket[] = [];
  n.b.listen(80).on('connection', (s) => servers.push(s));
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  const row = (): { state: string; orphan?: boolean } | undefined => n.a.connections().find((r) => r.local.endsWith(`:${c.localPort}`));
  assert.equal(row()?.orphan, undefined);
  c.close();
  n.settle(100); // B has not closed: A waits in FIN_WAIT_2, an orphan
  assert.deepEqual(row(), { ...row(), state: 'FIN_WAIT_2', orphan: true });
  servers[0]!.close();
  n.settle(100);
  assert.equal(row()?.state, 'TIME_WAIT');
  assert.equal(row()?.orphan, undefined, 'a TIME_WAIT entry is not an orphan (Linux counts timewait socks apart)');
});
