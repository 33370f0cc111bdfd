import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAll, twoStacks } from '../helpers/two-stacks.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { buildTcpPacket, parseTcpPacket } from '../../src/wire/packet.js';
import { parseAddress } from '../../src/wire/ip.js';
import { ACK, SYN } from '../../src/wire/flags.js';
import { Stack } from '../../src/stack/stack.js';
import { MemoryLink } from '../../src/link/memory.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

const enc = (s: string) => new TextEncoder().encode(s);

test('two stacks: handshake, data both ways, four-way close, TIME_WAIT on the active closer', () => {
  const n = twoStacks();
  const listener = n.b.listen(80);
  let server: TcpSocket | undefined;
  listener.on('connection', (s) => (server = s));
  const client = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  let connected = false;
  client.on('connect', () => (connected = true));
  n.settle(1000);
  assert.ok(connected);
  assert.ok(server);
  assert.equal(client.state, 'ESTABLISHED');
  assert.equal(server.state, 'ESTABLISHED');
  assert.equal(server.remoteAddress, '10.0.0.1');
  assert.equal(server.remotePort, client.localPort);
  assert.ok(client.localPort >= 32768 && client.localPort <= 60999);

  client.write(enc('ping'));
  n.settle(1000);
  assert.equal(readAll(server), 'ping');
  server.write(enc('pong'));
  n.settle(1000);
  assert.equal(readAll(client), 'pong');

  client.close();
  n.settle(1000);
  assert.equal(server.state, 'CLOSE_WAIT');
  assert.ok(server.eof);
  server.close();
  n.settle(1000);
  assert.equal(server.state, 'CLOSED');
  assert.equal(client.state, 'TIME_WAIT');
  n.settle(120_000);
  assert.equal(client.state, 'CLOSED');
  assert.deepEqual(n.states('A'), ['CLOSED>SYN_SENT', 'SYN_SENT>ESTABLISHED', 'ESTABLISHED>FIN_WAIT_1', 'FIN_WAIT_1>FIN_WAIT_2', 'FIN_WAIT_2>TIME_WAIT', 'TIME_WAIT>CLOSED']);
  assert.deepEqual(n.states('B'), ['CLOSED>LISTEN', 'LISTEN>SYN_RCVD', 'SYN_RCVD>ESTABLISHED', 'ESTABLISHED>CLOSE_WAIT', 'CLOSE_WAIT>LAST_ACK', 'LAST_ACK>CLOSED']);
  const a = n.a.stats();
  const b = n.b.stats();
  assert.equal(a.ActiveOpens, 1);
  assert.equal(b.PassiveOpens, 1);
  assert.equal(a.CurrEstab, 0);
  assert.equal(a.OutSegs, b.InSegs);
  assert.equal(b.OutSegs, a.InSegs);
});

test('O6 SYN to a port with no listener gets RST,ACK and the client sees ECONNREFUSED', () => {
  const n = twoStacks();
  const client = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 81 });
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  n.settle(1000);
  assert.deepEqual(errors, ['ECONNREFUSED']);
  assert.equal(client.state, 'CLOSED');
  const rst = n.trace.find((e) => e.type === 'segment' && e.stack === 'B' && e.dir === 'out');
  assert.ok(rst && rst.type === 'segment');
  assert.equal(rst.flags, 'RST,ACK');
  assert.equal(n.b.stats().OutRsts, 1);
  assert.equal(n.a.stats().AttemptFails, 1);
});

test('an ACK to a listener (no connection) is answered with RST <SEQ=SEG.ACK>', () => {
  const n = twoStacks();
  n.b.listen(80);
  const src = parseAddress('10.0.0.1')!;
  const dst = parseAddress('10.0.0.2')!;
  n.linkA.send(buildTcpPacket(src, dst, { srcPort: 5555, dstPort: 80, seq: 1, ack: 4242, flags: ACK, window: 100 }));
  n.settle(100);
  const out = n.trace.find((e) => e.type === 'segment' && e.stack === 'B' && e.dir === 'out');
  assert.ok(out && out.type === 'segment');
  assert.equal(out.flags, 'RST');
  assert.equal(out.seq, 4242);
});

test('R6 malformed packets are counted and dropped, never thrown, and never change a connection', () => {
  const n = twoStacks();
  const listener = n.b.listen(80);
  let server: TcpSocket | undefined;
  listener.on('connection', (s) => (server = s));
  n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(1000);
  const src = parseAddress('10.0.0.1')!;
  const dst = parseAddress('10.0.0.2')!;
  const good = buildTcpPacket(src, dst, { srcPort: 1, dstPort: 80, seq: 1, ack: 0, flags: SYN, window: 100 });
  const badSum = good.slice();
  badSum[good.length - 1] ^= 0xff; // flip bits in the TCP header → checksum fails
  const short = good.slice(0, 10);
  const badOffset = good.slice();
  badOffset[20 + 12] = 0x20; // data offset 2 words < 5
  for (const p of [badSum, short, badOffset, new Uint8Array(0), new Uint8Array(60).fill(0x45)]) n.linkA.send(p);
  n.settle(100);
  assert.equal(n.b.stats().InErrs, 5);
  assert.equal(n.b.stats().InCsumErrors, 2, 'the checksum is verified first, so the edited data offset fails it too');
  assert.equal(server!.state, 'ESTABLISHED');
});

test('without SYN cookies, the listener backlog bounds half-open connections; extra SYNs are dropped and counted', () => {
  const n = twoStacks({ tcp: { synRetries: 0 }, synCookies: false });
  const l = n.b.listen(80, { backlog: 2 });
  const c1 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const c2 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const c3 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(500);
  assert.equal(c1.state, 'ESTABLISHED');
  assert.equal(c2.state, 'ESTABLISHED');
  assert.equal(c3.state, 'SYN_SENT');
  assert.equal(l.acceptQueue.length, 2);
  assert.equal(n.b.stats().ListenDrops, 1);
  assert.ok(l.accept());
  assert.equal(l.acceptQueue.length, 1);
});

test('EADDRINUSE: a second listener on the same port is refused', () => {
  const n = twoStacks();
  n.b.listen(80);
  assert.throws(() => n.b.listen(80), (e: any) => e.code === 'EADDRINUSE');
  assert.throws(() => n.b.listen(80, { host: '10.0.0.2' }), (e: any) => e.code === 'EADDRINUSE');
});

test('closing a listener resets connections that were never accepted', () => {
  const n = twoStacks();
  const l = n.b.listen(80);
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const errs: string[] = [];
  c.on('error', (e) => errs.push(e.code));
  n.settle(100);
  assert.equal(l.acceptQueue.length, 1);
  l.close();
  n.settle(100);
  assert.deepEqual(errs, ['ECONNRESET']);
});

test('C9 a new SYN with a higher sequence number reopens a TIME_WAIT 4-tuple on the server side (RFC 6191)', () => {
  const n = twoStacks();
  const l = n.b.listen(80);
  const servers: TcpSocket[] = [];
  l.on('connection', (s) => servers.push(s));
  const c1 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: 40000 });
  n.settle(100);
  servers[0]!.close(); // the server closes first and ends in TIME_WAIT
  n.settle(100);
  c1.close();
  n.settle(100);
  assert.equal(servers[0]!.state, 'TIME_WAIT');
  // Same 4-tuple again while the server still holds TIME_WAIT (the client's ISN clock has moved on).
  n.clock.advance(1000);
  const c2 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: 40000 });
  n.settle(100);
  assert.equal(c2.state, 'ESTABLISHED');
  assert.equal(servers.length, 2);
  assert.equal(n.b.stats().TimeWaitReopens, 1);
});

test('connections() gives an ss-style snapshot of every socket', () => {
  const n = twoStacks();
  n.b.listen(80);
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c.write(enc('0123456789abcdefghijklmno')); // 25 bytes, not yet acknowledged
  const rowsB = n.b.connections();
  assert.deepEqual(rowsB.map((r) => r.state).sort(), ['ESTABLISHED', 'LISTEN']);
  const rowA = n.a.connections()[0]!;
  assert.equal(rowA.local, `10.0.0.1:${c.localPort}`);
  assert.equal(rowA.remote, '10.0.0.2:80');
  assert.equal(rowA.sendQueue, 25);
  assert.equal(rowA.timer, 'on');
});

test('IPv6: two stacks talk over fd00::/64', () => {
  const n = twoStacks({ v6: true });
  const l = n.b.listen(443);
  let server: TcpSocket | undefined;
  l.on('connection', (s) => (server = s));
  const c = n.a.connect({ remoteAddress: 'fd00::2', remotePort: 443 });
  n.settle(100);
  assert.equal(c.state, 'ESTABLISHED');
  assert.equal(server!.remoteAddress, 'fd00::1');
  c.write(enc('over v6'));
  n.settle(100);
  assert.equal(readAll(server!), 'over v6');
  assert.equal(n.a.connections()[0]!.remote, '[fd00::2]:443');
});

test('bad arguments get clear errors, not crashes', () => {
  const n = twoStacks();
  assert.throws(() => n.a.connect({ remoteAddress: 'not-an-ip', remotePort: 80 }), /invalid IP address/);
  assert.throws(() => n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 70000 }), RangeError);
  assert.throws(() => n.b.listen(65536), RangeError);
  assert.throws(() => n.b.listen(-1), RangeError);
  assert.throws(() => n.a.connect({ remoteAddress: 'fd00::9', remotePort: 80 }), (e: any) => e.code === 'ENETUNREACH');
});

/** Fill B's SYN queue on port 80 with `count` SYNs from a host that never answers (spoofed). */
function fillSynQueue(n: ReturnType<typeof twoStacks>, count: number): void {
  const spoof = parseAddress('10.0.0.99')!;
  const dst = parseAddress('10.0.0.2')!;
  for (let i = 0; i < count; i++) n.linkA.send(buildTcpPacket(spoof, dst, { srcPort: 1000 + i, dstPort: 80, seq: i * 1000, ack: 0, flags: SYN, window: 1000 }));
  n.settle(5);
}

test('R4 once the SYN queue is full, SYNs get cookie SYN-ACKs and the final ACK still opens the connection', () => {
  const n = twoStacks();
  const l = n.b.listen(80, { backlog: 2 });
  const accepted: TcpSocket[] = [];
  l.on('connection', (s) => accepted.push(s));
  fillSynQueue(n, 2);
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  assert.equal(c.state, 'ESTABLISHED');
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0]!.state, 'ESTABLISHED');
  const st = n.b.stats();
  assert.equal(st.SyncookiesSent, 1);
  assert.equal(st.SyncookiesRecv, 1);
  c.write(enc('through a cookie'));
  n.settle(100);
  assert.equal(readAll(accepted[0]!), 'through a cookie');
  assert.equal(c.info().options.sack, false, 'options other than MSS do not survive a cookie');
});

test('R4 a FIN,ACK at ISN+1 completes a cookie handshake whose bare ACK was lost, as Linux (cookie_v4_check refuses only RST) — fuzz case 2988647916', () => {
  let dropped = 0;
  const n = twoStacks({
    link: {
      // Lose the client's bare ACK (the handshake's third segment): its FIN, at the same ISN+1, arrives first.
      drop: ({ packet, direction }) => {
        const r = parseTcpPacket(packet);
        if (direction !== 'a->b' || !r.ok || r.value.tcp.dstPort !== 80 || r.value.tcp.flags !== ACK || r.value.tcp.payload.length > 0 || dropped > 0) return false;
        dropped++;
        return true;
      },
    },
  });
  const l = n.b.listen(80, { backlog: 2 });
  const accepted: TcpSocket[] = [];
  l.on('connection', (s) => accepted.push(s));
  fillSynQueue(n, 2);
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  c.on('connect', () => c.shutdown());
  n.settle(100);
  assert.equal(dropped, 1);
  assert.equal(n.b.stats().SyncookiesRecv, 1);
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0]!.state, 'CLOSE_WAIT');
  assert.equal(c.state, 'FIN_WAIT_2');
});

test('R4 a bare ACK to a listener is checked as a SYN cookie only after a recent SYN-queue overflow (as Linux tcp_synq_no_recent_overflow)', () => {
  const n = twoStacks();
  n.b.listen(80, { backlog: 1 });
  const src = parseAddress('10.0.0.1')!;
  const dst = parseAddress('10.0.0.2')!;
  const forged = (port: number) => n.linkA.send(buildTcpPacket(src, dst, { srcPort: port, dstPort: 80, seq: 100, ack: 0xdeadbeef, flags: ACK, window: 100 }));
  forged(5555);
  n.settle(10);
  assert.equal(n.b.stats().SyncookiesFailed, 0, 'no overflow yet: no cookie to check, only a RST');
  assert.equal(n.b.stats().OutRsts, 1);
  // Overflow the SYN queue: the second SYN gets a cookie, and for a while bare ACKs are cookie candidates.
  const spoof = parseAddress('10.0.0.99')!;
  for (let i = 0; i < 2; i++) n.linkA.send(buildTcpPacket(spoof, dst, { srcPort: 1000 + i, dstPort: 80, seq: i * 1000, ack: 0, flags: SYN, window: 1000 }));
  n.settle(5);
  assert.equal(n.b.stats().SyncookiesSent, 1);
  forged(5556);
  n.settle(10);
  assert.equal(n.b.stats().SyncookiesFailed, 1);
  assert.equal(n.b.stats().OutRsts, 2);
  // Past the cookie lifetime (2 min, Linux TCP_SYNCOOKIE_VALID) with no new overflow, they are not any more.
  n.clock.advance(121_000);
  forged(5557);
  n.settle(10);
  assert.equal(n.b.stats().SyncookiesFailed, 1);
});

test('listen(0) picks a free ephemeral port', () => {
  const n = twoStacks();
  const l1 = n.b.listen(0);
  const l2 = n.b.listen(0);
  assert.ok(l1.port >= 32768 && l1.port <= 60999);
  assert.notEqual(l1.port, l2.port);
});

test('a connection to one of the stack’s own addresses loops back inside the stack', () => {
  const n = twoStacks();
  let server: TcpSocket | undefined;
  n.a.listen(7).on('connection', (s) => (server = s));
  const c = n.a.connect({ remoteAddress: '10.0.0.1', remotePort: 7 });
  n.settle(10);
  assert.equal(c.state, 'ESTABLISHED');
  c.write(enc('to myself'));
  n.settle(10);
  assert.equal(readAll(server!), 'to myself');
  assert.equal(n.linkA.stats.sent, 0, 'nothing went out on the link');
});

test('outgoing segment traces mark retransmissions', () => {
  const n = twoStacks();
  n.linkA.setImpairment({ loss: 1 });
  n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 }).on('error', () => {});
  n.settle(1500);
  const syns = n.trace.filter((e) => e.type === 'segment' && e.stack === 'A' && e.dir === 'out');
  assert.deepEqual(syns.map((e) => e.type === 'segment' && e.rtx), [false, true]);
});

test('C7 a connection in TIME_WAIT is kept as a compact record, not the full TCB, and still answers as TIME_WAIT must', () => {
  const n = twoStacks();
  const servers: TcpSocket[] = [];
  n.b.listen(80).on('connection', (s) => {
    servers.push(s);
    s.on('end', () => s.close());
  });
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c.close();
  n.settle(100);
  assert.equal(c.state, 'TIME_WAIT');
  const info = c.info();
  assert.equal(info.congestionControl, '', 'no congestion controller, queues or estimators are left');
  assert.equal(info.timer, 'timewait');
  assert.equal(c.write(enc('x')), 0);
  // A retransmitted FIN from the peer is still ACKed (C8), a RST still ignored (C9).
  const row = n.a.connections()[0]!;
  assert.equal(row.state, 'TIME_WAIT');
  n.settle(60_000);
  assert.equal(c.state, 'CLOSED');
  assert.equal(n.a.connections().length, 0);
});

test('C9 an RFC 6191 reuse does not end TIME_WAIT when the listener cannot take the SYN; it succeeds once it can', () => {
  // Issue 10 #6: TIME_WAIT was aborted first, then the full accept queue dropped the SYN: both lost.
  const n = twoStacks();
  const l = n.b.listen(80, { backlog: 1 });
  const c1 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: 40000 });
  n.settle(100);
  const s1 = l.accept()!;
  s1.close(); // the server closes first and ends in TIME_WAIT
  n.settle(100);
  c1.close();
  n.settle(100);
  assert.equal(s1.state, 'TIME_WAIT');
  n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: 40001 }); // fills the accept queue
  n.settle(100);
  assert.equal(l.acceptQueue.length, 1);
  n.clock.advance(1000);
  const c2 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: 40000 });
  n.clock.runUntilIdle({ maxTime: n.clock.now() + 100 });
  assert.equal(s1.state, 'TIME_WAIT', 'TIME_WAIT kept: the listener had no room for its successor');
  assert.equal(n.b.stats().TimeWaitReopens, 0);
  assert.equal(c2.state, 'SYN_SENT');
  l.accept(); // room again; the client's retransmitted SYN reopens the 4-tuple
  n.settle(5000);
  assert.equal(c2.state, 'ESTABLISHED');
  assert.equal(n.b.stats().TimeWaitReopens, 1);
  assert.equal(s1.state, 'CLOSED');
});

test('attach refuses a link whose MTU is below the family minimum (68 for IPv4, 1280 for IPv6) with a clear error', () => {
  const clock = new VirtualClock();
  const s = new Stack({ clock, name: 'A', seed: 1 });
  const [small] = MemoryLink.pair(clock, { mtu: 67 });
  assert.throws(() => s.attach(small!, { address: '10.0.0.1' }), /link MTU 67 is below the IPv4 minimum of 68 bytes/);
  const [v6small] = MemoryLink.pair(clock, { mtu: 1279 });
  assert.throws(() => s.attach(v6small!, { address: 'fd00::1' }), /link MTU 1279 is below the IPv6 minimum of 1280 bytes/);
  assert.deepEqual(s.addresses, [], 'a refused link adds no interface');
  // At the minimum a connection still opens (an MSS of 68 − 40 = 28 bytes).
  const [la, lb] = MemoryLink.pair(clock, { mtu: 68 });
  const b = new Stack({ clock, name: 'B', seed: 2 });
  s.attach(la!, { address: '10.0.0.1' });
  b.attach(lb!, { address: '10.0.0.2' });
  b.listen(80);
  const c = s.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: 1000 });
  assert.equal(c.state, 'ESTABLISHED');
});
