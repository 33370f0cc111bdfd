/**
 * P1 buffer autotuning (Linux tcp_rcv_space_adjust and tcp_sndbuf_expand), two stacks in virtual
 * time: goodput figures are virtual-time figures (bytes per virtual second), never wall clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPath } from '../../bench/real-path.js';
import { twoStacks } from '../helpers/two-stacks.js';
import { virtualNet } from '../helpers/virtual-net.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { DEFAULT_TCP_CONFIG, type TcpConfig } from '../../src/tcp/config.js';
import { tcpTest } from '../helpers/tcp-test.js';
import { segmentCharge } from '../../src/tcp/buffer-autotune.js';

const MiB = 1 << 20;
const GBIT = 1e9;

test('P1 100 ms RTT, 1 Gbit/s: the advertised window passes 1 MiB within 7 round trips and the transfer then runs at ≥ 80 % of the link', () => {
  // A host tuned for a long fat path, as one raises the sysctls: tcp_wmem[2] above the BDP (12.5 MB) so the
  // sender's buffer is not the limit, tcp_rmem[2] = 16 MiB (a window above the BDP, below BDP + queue).
  const tcp = { rmem: [4096, 131072, 16 * MiB], wmem: [4096, 16384, 32 * MiB] } as const;
  const r = runPath({ rateBps: GBIT, rttMs: 100, bytes: 48 * MiB, tcp });
  const w = r.windowPerRtt;
  const past = w.findIndex((x) => x > MiB);
  assert.ok(past >= 0 && past <= 7, `window per RTT (KiB): ${w.map((x) => x >> 10).join(' ')}`);
  assert.ok(w[0]! <= DEFAULT_TCP_CONFIG.rmem[1], 'it starts from tcp_rmem[1]');
  // Sample 1 is the first flight's round (the buffer's free space, a little under tcp_rmem[1]); from there it grows.
  for (let i = 2; i < past; i++) assert.ok(w[i + 1]! > w[i]!, `grows every round trip on the way: ${w.map((x) => x >> 10).join(' ')}`);
  assert.equal(r.rcvBuf, 16 * MiB, 'up to tcp_rmem[2]');
  assert.ok(r.sndBuf > 12.5e6, `the send buffer grew with cwnd past the BDP (${r.sndBuf})`);
  assert.ok(r.steadyGoodputBps >= 0.8 * GBIT, `goodput past the ramp-up ${(r.steadyGoodputBps / 1e6).toFixed(0)} Mbit/s`);
  assert.equal(r.retransmits, 0);
});

test('P1 SO_RCVBUF fixes the window: 256 KiB over 100 ms caps the transfer near 20 Mbit/s and the buffer never grows', () => {
  const r = runPath({ rateBps: GBIT, rttMs: 100, bytes: 4 * MiB, tcp: { recvBufferSize: 256 * 1024 } });
  assert.equal(r.rcvBuf, 256 * 1024);
  assert.ok(Math.max(...r.windowPerRtt) <= 256 * 1024, `window per RTT (KiB): ${r.windowPerRtt.map((x) => x >> 10).join(' ')}`);
  assert.ok(r.goodputBps < 25e6 && r.goodputBps > 15e6, `${(r.goodputBps / 1e6).toFixed(1)} Mbit/s: one 256 KiB window per round trip`);
});

/** A 100 ms, 1 Gbit/s path, a server on B whose application reads only when told; B's outgoing windows as [right edge, window]. */
function longPath(tcpB: Record<string, unknown> = {}) {
  const n = twoStacks({ link: { delayMs: 50, rateBps: GBIT, queueLimitBytes: 16 * MiB }, tcpB });
  let server: TcpSocket | undefined;
  n.b.listen(80).on('connection', (s) => (server = s));
  const client = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.clock.runUntilIdle({ maxTime: n.clock.now() + 1000 });
  assert.ok(server && client.state === 'ESTABLISHED');
  const scale = server.info().options.wscale![1];
  const offers: Array<{ t: number; edge: number; wnd: number }> = [];
  let ack0: number | undefined;
  n.linkB.onTap((e) => {
    const p = parseTcpPacket(e.packet);
    if (!p.ok || e.direction !== 'b->a') return;
    const { ack, window } = p.value.tcp;
    ack0 ??= ack;
    const wnd = window * 2 ** scale;
    offers.push({ t: e.time, edge: ((ack - ack0) >>> 0) + wnd, wnd });
  });
  return { n, client, server, offers };
}

/** Keep A's send buffer full until `bytes` are written. */
function sendBulk(client: TcpSocket, bytes: number): void {
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  const pump = (): void => {
    while (sent < bytes) {
      const k = client.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
      if (k === 0) return;
      sent += k;
    }
  };
  client.on('writable', pump);
  pump();
}

test('P1 a slow reader does not grow the buffer, and the window’s right edge never moves left while it fills and reopens', () => {
  const { n, client, server, offers } = longPath();
  sendBulk(client, 4 * MiB);
  // B's application reads 8 KiB every 100 ms (one RTT): far less than the path could bring.
  let read = 0;
  for (let t = 100; t <= 5000; t += 100) {
    n.clock.schedule(n.clock.now() + t, () => {
      const d = server.read(8192);
      if (d) read += d.length;
    });
  }
  n.clock.runUntil(n.clock.now() + 5100);
  assert.equal(read, 50 * 8192, 'the reader took 8 KiB per round trip');
  assert.equal(server.info().rcvBuf, DEFAULT_TCP_CONFIG.rmem[1], 'still tcp_rmem[1]');
  assert.ok(offers.length > 10);
  assert.ok(Math.max(...offers.map((o) => o.wnd)) <= DEFAULT_TCP_CONFIG.rmem[1], 'never offered more than the buffer');
  assert.ok(Math.min(...offers.map((o) => o.wnd)) < 16 * 1024, 'the buffer filled: the window closed down to what the reader frees');
  assert.ok(server.info().recvQueue > 100 * 1024, 'the data waits in B’s buffer, not in a bigger window');
  for (let i = 1; i < offers.length; i++) assert.ok(offers[i]!.edge >= offers[i - 1]!.edge, `right edge moved left at ${offers[i]!.t} ms`);
});

test('P1 a fast reader grows the buffer; SO_RCVBUF set on the accepted socket stops it where it is', () => {
  const { n, client, server, offers } = longPath();
  server.on('readable', () => {
    while (server.read());
  });
  sendBulk(client, 64 * MiB);
  n.clock.runUntil(n.clock.now() + 600); // six round trips of slow start
  const grown = server.info().rcvBuf!;
  assert.ok(grown > MiB, `grew to ${grown}`);
  server.setRecvBufferSize(grown); // lock it (Linux SOCK_RCVBUF_LOCK)
  const before = offers.length;
  n.clock.runUntil(n.clock.now() + 1000);
  assert.equal(server.info().rcvBuf, grown, 'no more growth');
  assert.equal(server.recvBufferSize, grown);
  assert.ok(offers.slice(before).every((o) => o.wnd <= grown + 1024), 'the window stays within the fixed buffer');
  for (let i = 1; i < offers.length; i++) assert.ok(offers[i]!.edge >= offers[i - 1]!.edge, `right edge moved left at ${offers[i]!.t} ms`);
});

test('P1 the send buffer starts where Linux’s does (tb87040) and grows with cwnd up to tcp_wmem[2]; SO_SNDBUF fixes it', () => {
  const n = twoStacks({ link: { delayMs: 5 } });
  const sockets: TcpSocket[] = [];
  n.b.listen(80).on('connection', (s) => {
    sockets.push(s);
    s.on('readable', () => {
      while (s.read());
    });
  });
  const auto = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const fixed = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.clock.runUntilIdle({ maxTime: n.clock.now() + 1000 });
  fixed.setSendBufferSize(64 * 1024);
  const mss = auto.info().mss;
  assert.equal(mss, 1448);
  assert.equal(segmentCharge(mss), 4352);
  assert.equal(auto.sendBufferSize, 2 * 10 * 4352, 'twice the initial window of 10 segments at Linux’s charge per segment');
  assert.equal(auto.recvBufferSize, DEFAULT_TCP_CONFIG.rmem[1]);
  // Idle: nothing grows, nothing is allocated.
  n.clock.runUntil(n.clock.now() + 60_000);
  assert.equal(auto.sendBufferSize, 87040);
  assert.equal(sockets[0]!.recvBufferSize, DEFAULT_TCP_CONFIG.rmem[1]);
  assert.equal(sockets[0]!.info().rcvSpace, undefined, 'no autotuning state before data');
  sendBulk(auto, 32 * MiB);
  sendBulk(fixed, 32 * MiB);
  n.clock.runUntil(n.clock.now() + 3000);
  assert.equal(auto.sendBufferSize, DEFAULT_TCP_CONFIG.wmem[2], 'grew with cwnd to tcp_wmem[2]');
  assert.equal(fixed.sendBufferSize, 64 * 1024, 'SO_SNDBUF: fixed');
  assert.ok(fixed.info().sendQueue <= 64 * 1024);
  assert.ok(sockets[0]!.recvBufferSize > MiB, 'and the receiver’s buffer grew with what its application read');
});

test('net: setRecvBufferSize before connect() sizes the window scale of the SYN and fixes the buffer; getters report both buffers', async () => {
  const n = virtualNet();
  n.b.net.createServer((s) => s.resume()).listen(80);
  const c = new n.a.net.Socket();
  c.setRecvBufferSize(65536);
  c.setSendBufferSize(32768);
  assert.equal(c.getRecvBufferSize(), 65536);
  c.connect(80, '10.0.0.2');
  await n.until(() => !c.connecting, { what: 'connect' });
  assert.equal(c.tcpSocket!.info().options.wscale![1], 1, '65536 does not fit 16 bits: scale 1, not tcp_rmem[2]’s 10');
  assert.equal(c.getRecvBufferSize(), 65536);
  assert.equal(c.getSendBufferSize(), 32768);
  assert.throws(() => c.setRecvBufferSize(0), { code: 'ERR_SOCKET_BAD_BUFFER_SIZE' });
  c.destroy();
});

/**
 * Scripted peer (sans-IO, virtual time) on a 100 ms path: the peer's flights double every round
 * trip, spread over it, each segment echoing the TSval of our last ACK the peer has had time to see
 * (one RTT old), so our receiver measures a 100 ms RTT; the application reads everything at once.
 * Returns the largest window (bytes) our ACKs offered in each round, checking on the way that the
 * right edge never moves left.
 */
function scriptedRounds(cfg: Partial<TcpConfig>): number[] {
  const RTT = 100;
  const t = tcpTest({ cfg: { windowScaling: true, timestamps: true, ...cfg } });
  t.user.listen();
  t.send({ flags: 'SYN', seq: t.peerIsn, options: { mss: 1460, wscale: 7, ts: { val: 1, ecr: 0 } } });
  const synAck = t.recv({ flags: 'SYN,ACK', seq: t.isn, ack: t.peerIsn + 1 });
  const scale = synAck.options.wscale!;
  const acks: Array<{ at: number; tsval: number }> = [{ at: t.now, tsval: synAck.options.ts!.val }];
  t.advance(RTT);
  t.send({ flags: 'ACK', seq: t.peerIsn + 1, ack: t.isn + 1, options: { ts: { val: 1, ecr: acks[0]!.tsval } } });
  t.expectState('ESTABLISHED');
  let seq = t.peerIsn + 1;
  let edge = 0;
  const perRound: number[] = [];
  for (let round = 1, flight = 10; round <= 6; round++, flight *= 2) {
    let most = 0;
    for (let i = 0; i < flight; i++) {
      t.advance(RTT / flight);
      const seen = acks.filter((a) => a.at <= t.now - RTT).at(-1) ?? acks[0]!;
      t.send({ flags: 'ACK', seq, ack: t.isn + 1, payload: new Uint8Array(1448), options: { ts: { val: 1 + round, ecr: seen.tsval } } });
      seq += 1448;
      while (t.user.read());
      for (let a = t.out.shift(); a; a = t.out.shift()) {
        const wnd = a.window * 2 ** scale;
        const right = ((a.ack - t.peerIsn - 1) >>> 0) + wnd;
        assert.ok(right >= edge, `round ${round}: the right edge moved left (${right} < ${edge})`);
        edge = right;
        most = Math.max(most, wnd);
        acks.push({ at: t.now, tsval: a.options.ts!.val });
      }
    }
    perRound.push(most);
  }
  return perRound;
}

test('P1 scripted peer: a reader that keeps up makes the offered window grow round by round once it has an RTT; SO_RCVBUF keeps it flat', () => {
  const auto = scriptedRounds({});
  assert.ok(auto[0]! <= DEFAULT_TCP_CONFIG.rmem[1] && auto[1]! <= DEFAULT_TCP_CONFIG.rmem[1], `the first two rounds offer tcp_rmem[1]: ${auto.join(' ')}`);
  for (let r = 2; r < auto.length; r++) assert.ok(auto[r]! > auto[r - 1]!, `then it grows every round: ${auto.join(' ')}`);
  assert.ok(auto[5]! > MiB, `past 1 MiB by the sixth round: ${auto.join(' ')}`);
  const fixed = scriptedRounds({ recvBufferSize: 131072 });
  assert.ok(fixed.every((w) => w <= 131072), `SO_RCVBUF 128 KiB: ${fixed.join(' ')}`);
  assert.equal(Math.max(...fixed), Math.max(...fixed.slice(0, 1)), 'never more than in the first round');
});
