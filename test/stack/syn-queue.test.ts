/**
 * A listener's SYN queue (half-open children in SYN_RCVD, RFC 9293 §3.10.7.2) is bounded by the backlog
 * and every child leaves it: when its handshake completes, when the peer resets it, when its SYN-ACK
 * retransmissions run out, and when the listener closes. A child that stayed counted would shrink the
 * backlog for good (the listener would answer every later SYN with a cookie, or drop it).
 * The peer here is scripted: packets from 10.0.0.99, an address neither stack has, so stack A stays out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks, type TwoStacks } from '../helpers/two-stacks.js';
import { buildTcpPacket } from '../../src/wire/packet.js';
import { parseAddress } from '../../src/wire/ip.js';
import { ACK, RST, SYN } from '../../src/wire/flags.js';
import type { Listener } from '../../src/stack/listener.js';

const PEER = parseAddress('10.0.0.99')!;
const B = parseAddress('10.0.0.2')!;
const PEER_ISN = 1000;

function peerSends(n: TwoStacks, srcPort: number, flags: number, seq: number, ack = 0): void {
  n.linkA.send(buildTcpPacket(PEER, B, { srcPort, dstPort: 80, seq, ack, flags, window: 8192 }));
}

/** The SYN-ACKs B sent to the peer's port, in order. */
function synAcks(n: TwoStacks, port: number): Array<{ seq: number; ack: number }> {
  return n.trace.flatMap((e) => (e.type === 'segment' && e.stack === 'B' && e.dir === 'out' && e.flags === 'SYN,ACK' && e.remote === `10.0.0.99:${port}` ? [{ seq: e.seq, ack: e.ack }] : []));
}

/** A listener on B's port 80 holding one half-open child, from the peer's `port`. */
function oneHalfOpen(n: TwoStacks, port: number, backlog = 4): Listener {
  const l = n.b.listen(80, { backlog });
  peerSends(n, port, SYN, PEER_ISN);
  n.settle(10);
  assert.equal(l.synQueued, 1);
  return l;
}

test('a SYN_RCVD child counts in the SYN queue until its handshake completes; then it waits in the accept queue only', () => {
  const n = twoStacks();
  const l = oneHalfOpen(n, 4000);
  const [synAck] = synAcks(n, 4000);
  assert.ok(synAck);
  peerSends(n, 4000, ACK, PEER_ISN + 1, (synAck.seq + 1) >>> 0);
  n.settle(10);
  assert.equal(l.synQueued, 0);
  assert.equal(l.acceptQueue.length, 1);
  assert.equal(l.acceptQueue[0]!.state, 'ESTABLISHED');
});

test('a RST in SYN_RCVD takes the child out of the SYN queue (RFC 9293 §3.10.7.4: a passive open returns to LISTEN)', () => {
  const n = twoStacks();
  const l = oneHalfOpen(n, 4001);
  peerSends(n, 4001, RST, PEER_ISN + 1);
  n.settle(10);
  assert.equal(l.synQueued, 0);
  assert.equal(l.acceptQueue.length, 0);
  assert.deepEqual(n.b.connections().map((r) => r.state), ['LISTEN']);
});

test('a child whose SYN-ACK retransmissions run out leaves the SYN queue, and the next SYN is queued, not answered with a cookie', () => {
  const n = twoStacks({ tcp: { synAckRetries: 1 } });
  const l = oneHalfOpen(n, 4002, 1);
  n.settle(60_000);
  assert.equal(synAcks(n, 4002).length, 2, 'the SYN-ACK and its one retransmission');
  assert.equal(l.synQueued, 0);
  peerSends(n, 4003, SYN, PEER_ISN);
  n.settle(10);
  assert.equal(l.synQueued, 1);
  assert.equal(n.b.stats().SyncookiesSent, 0);
});

test('the SYN queue stays at the backlog under more SYNs than it holds: without cookies the rest are dropped and counted', () => {
  const n = twoStacks({ synCookies: false });
  const l = n.b.listen(80, { backlog: 2 });
  for (let i = 0; i < 5; i++) peerSends(n, 5000 + i, SYN, PEER_ISN);
  n.settle(10);
  assert.equal(l.synQueued, 2);
  assert.equal(n.b.stats().TCPReqQFullDrop, 3);
  assert.equal(n.b.connections().filter((r) => r.state === 'SYN_RCVD').length, 2);
});

test('closing a listener resets its half-open children and empties its SYN queue', () => {
  const n = twoStacks();
  const l = n.b.listen(80, { backlog: 4 });
  peerSends(n, 4004, SYN, PEER_ISN);
  peerSends(n, 4005, SYN, PEER_ISN);
  n.settle(10);
  assert.equal(l.synQueued, 2);
  const rstsBefore = n.b.stats().OutRsts;
  l.close();
  n.settle(10);
  assert.equal(l.synQueued, 0);
  assert.equal(n.b.stats().OutRsts - rstsBefore, 2, 'one RST per half-open child');
  assert.deepEqual(n.b.connections(), []);
});
