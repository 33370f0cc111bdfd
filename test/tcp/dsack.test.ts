import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { DsackReport, findDsack } from '../../src/tcp/dsack.js';

// P3 D-SACK (RFC 2883), receiver side. Our ISN is 1000, the peer's 5000; SACK negotiated, no timestamps,
// so an ACK carries up to four SACK blocks and every ACK goes out at once (the helper turns delayed ACKs off).

function establish(cfg: Partial<TcpConfig> = {}, peerSack = true): TcpTest {
  const t = tcpTest({ cfg: { sack: true, ...cfg } });
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: 1460, ...(peerSack ? { sackPermitted: true } : {}) } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  return t;
}

/** The peer sends `len` octets at `seq`. */
function data(t: TcpTest, seq: number, len: number): void {
  t.send({ flags: 'ACK', seq, ack: 1001, payload: new Uint8Array(len) });
}

test('P3 a duplicate below RCV.NXT is reported once, as the first SACK block of the next ACK (RFC 2883 §4.1.1)', () => {
  const t = establish();
  data(t, 5001, 100);
  t.recv({ flags: 'ACK', ack: 5101, options: {} });
  data(t, 5001, 100); // the peer retransmits what we have (our ACK was lost, or its RTO was spurious)
  t.recv({ flags: 'ACK', seq: 1001, ack: 5101, options: { sack: [[5001, 5101]] } });
  assert.equal(t.counts.TCPDSACKOldSent, 1);
  data(t, 5101, 100);
  t.recv({ flags: 'ACK', ack: 5201, options: {} }); // reported once only
  assert.equal(t.counts.TCPDSACKOfoSent, undefined);
});

test('P3 a segment that overlaps RCV.NXT: the old part is D-SACKed, the new part is taken (Linux tcp_data_queue)', () => {
  const t = establish();
  data(t, 5001, 100);
  t.recv({ flags: 'ACK', ack: 5101 });
  data(t, 5051, 150);
  t.recv({ flags: 'ACK', ack: 5201, options: { sack: [[5051, 5101]] } });
  assert.equal(t.counts.TCPDSACKOldSent, 1);
  assert.equal(t.user.read()?.length, 200);
});

test('P3 a duplicate of out-of-order data: D-SACK block first, then the SACK block that holds it (RFC 2883 §4.2.1)', () => {
  const t = establish();
  data(t, 5101, 100); // hole at 5001
  t.recv({ flags: 'ACK', ack: 5001, options: { sack: [[5101, 5201]] } });
  data(t, 5201, 100);
  t.recv({ flags: 'ACK', ack: 5001, options: { sack: [[5101, 5301]] } });
  data(t, 5401, 100); // a second island
  t.recv({ flags: 'ACK', ack: 5001, options: { sack: [[5401, 5501], [5101, 5301]] } });
  data(t, 5101, 100); // a duplicate of part of the first island
  t.recv({ flags: 'ACK', ack: 5001, options: { sack: [[5101, 5201], [5101, 5301], [5401, 5501]] } });
  assert.equal(t.counts.TCPDSACKOfoSent, 1);
  assert.equal(t.counts.TCPDSACKOldSent, undefined);
  data(t, 5501, 100);
  t.recv({ flags: 'ACK', ack: 5001, options: { sack: [[5401, 5601], [5101, 5301]] } }); // no D-SACK again
});

test('P3 in-order data that covers queued out-of-order data: the overlap is D-SACKed below the new ACK (Linux tcp_ofo_queue)', () => {
  const t = establish();
  data(t, 5101, 100);
  t.recv({ flags: 'ACK', ack: 5001, options: { sack: [[5101, 5201]] } });
  data(t, 5001, 150); // the hole's retransmission, repacketized to overlap the queued segment by 50
  t.recv({ flags: 'ACK', ack: 5201, options: { sack: [[5101, 5151]] } });
  assert.equal(t.counts.TCPDSACKOldSent, 1);
  assert.equal(t.user.read()?.length, 200);
});

test('P3 with four SACK blocks of room, the D-SACK takes the first and three islands follow, most recent first', () => {
  const t = establish();
  for (const s of [5101, 5301, 5501, 5701]) {
    data(t, s, 100);
    t.out.length = 0;
  }
  data(t, 5301, 100);
  const ack = t.recv({ flags: 'ACK', ack: 5001 });
  assert.deepEqual(ack.options.sack, [[5301, 5401], [5301, 5401], [5701, 5801], [5501, 5601]]);
});

test('P3 a D-SACK waiting for a delayed ACK rides on our next data segment, which shrinks its payload to fit the option', () => {
  const t = establish({ delayedAck: true });
  data(t, 5001, 100);
  t.recvNothing(); // the ACK is delayed
  data(t, 5051, 100); // half of it a duplicate; still less than two full segments unacknowledged
  t.recvNothing();
  t.user.send(new Uint8Array(3000));
  const s1 = t.recv({ flags: 'ACK', seq: 1001, ack: 5151, options: { sack: [[5051, 5101]] } });
  assert.equal(s1.payload.length, 1460 - 12, 'MSS less NOP,NOP,SACK(1 block)');
  assert.equal(t.counts.TCPDSACKOldSent, 1);
  const s2 = t.recv({ flags: 'ACK', seq: 1001 + s1.payload.length });
  assert.equal(s2.options.sack, undefined, 'sent once');
});

test('P3 no D-SACK without SACK, or with dsack off (Linux net.ipv4.tcp_dsack = 0); data beyond the window is no duplicate', () => {
  for (const [cfg, peerSack] of [[{}, false], [{ dsack: false }, true]] as const) {
    const t = establish(cfg, peerSack);
    data(t, 5001, 100);
    t.recv({ flags: 'ACK', ack: 5101 });
    data(t, 5001, 100);
    const ack = t.recv({ flags: 'ACK', ack: 5101 });
    assert.equal(ack.options.sack, undefined);
    assert.equal(t.counts.TCPDSACKOldSent, undefined);
  }
  const t = establish();
  data(t, 5001 + 300_000, 100); // far beyond the window: answered with an ACK, not a D-SACK
  const ack = t.recv({ flags: 'ACK', ack: 5001 });
  assert.equal(ack.options.sack, undefined);
  assert.deepEqual(t.counts, {});
});

test('P3 findDsack: RFC 2883 §4 — first block below the ACK, or inside the second block; otherwise an ordinary SACK', () => {
  assert.deepEqual(findDsack([[100, 200]], 300), { start: 100, end: 200, kind: 'old' });
  assert.deepEqual(findDsack([[400, 500], [300, 600]], 300), { start: 400, end: 500, kind: 'ofo' });
  assert.equal(findDsack([[400, 500], [500, 600]], 300), undefined, 'a second block beside it: ordinary SACK');
  assert.equal(findDsack([[400, 500]], 300), undefined);
  assert.equal(findDsack([], 300), undefined);
  assert.equal(findDsack([[200, 100]], 300), undefined, 'an inverted block is none');
  assert.deepEqual(findDsack([[0xfffffff0, 0x10]], 0x20), { start: 0xfffffff0, end: 0x10, kind: 'old' }, 'modulo 2^32');
});

test('P3 DsackReport: set replaces, extend merges only touching ranges, take empties (Linux tcp_dsack_set / tcp_dsack_extend)', () => {
  const r = new DsackReport();
  assert.equal(r.set(100, 200, 300), 'TCPDSACKOldSent');
  assert.equal(r.extend(200, 250, 300), undefined);
  assert.equal(r.extend(400, 450, 300), undefined, 'not touching: dropped (one D-SACK block per ACK)');
  assert.deepEqual(r.take(), [100, 250]);
  assert.equal(r.pending, false);
  assert.equal(r.extend(400, 450, 300), 'TCPDSACKOfoSent', 'nothing pending: extend sets');
  assert.equal(r.set(5, 5, 300), undefined, 'an empty range is no duplicate');
  assert.deepEqual(r.take(), [400, 450]);
});
