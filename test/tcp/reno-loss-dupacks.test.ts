/**
 * Without SACK, after an RTO (the Loss state): each duplicate ACK stands for one segment that left the network,
 * so the go-back-N pass goes on by one segment per duplicate ACK — as Linux's emulated SACKs do in Loss
 * (tcp_add_reno_sack, tcp_limit_reno_sacked). Fuzz case 2243436146: without it, a retransmission lost again
 * stopped the pass until the next RTO, and since every segment ACKed was a retransmission (Karn's rule: no RTT
 * sample), that RTO stayed backed off at 120 s for the rest of the transfer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';

const MSS = 1460;

/** Four segments sent and all lost; the RTO resends the first, the peer ACKs it, and the pass resends two more. */
function afterPartialAck(): ReturnType<typeof tcpTest> {
  const t = tcpTest({ cfg: { sack: false, tlp: false } });
  t.establishActive();
  t.user.send(new Uint8Array(6 * MSS));
  for (let i = 0; i < 6; i++) t.recv({ flags: i === 5 ? 'PSH,ACK' : 'ACK', seq: 1001 + i * MSS, len: MSS });
  for (let i = 0; i < 40 && t.out.length === 0; i++) t.advance(100);
  t.recv({ flags: 'ACK', seq: 1001, len: MSS }); // RTO: go back to SND.UNA, cwnd one segment
  assert.equal(t.c.info().caState, 'loss');
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + MSS }); // it arrived: cwnd two segments
  t.recv({ flags: 'ACK', seq: 1001 + MSS, len: MSS });
  t.recv({ flags: 'ACK', seq: 1001 + 2 * MSS, len: MSS });
  t.recvNothing();
  return t;
}

test('Loss state without SACK: a duplicate ACK lets the go-back-N pass send one more segment', () => {
  const t = afterPartialAck();
  // The first of the two is lost again; the second arrives: a duplicate ACK.
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + MSS });
  t.recv({ flags: 'ACK', seq: 1001 + 3 * MSS, len: MSS });
  t.recvNothing();
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 + MSS });
  t.recv({ flags: 'ACK', seq: 1001 + 4 * MSS, len: MSS });
  assert.equal(t.c.info().caState, 'loss', 'still in Loss: the hole waits for its RTO (RFC 6582 recover)');
});

test('Loss state without SACK: duplicate ACKs never count the hole itself as gone (at least one segment stays in the pipe)', () => {
  const t = afterPartialAck();
  for (let i = 0; i < 10; i++) t.send({ flags: 'ACK', seq: 5001, ack: 1001 + MSS });
  // Two in flight at the partial ACK, cwnd two: at most the rest of the pass (segments 4–6) goes, never more.
  const sent = t.out.filter((s) => s.payload.length > 0).map((s) => s.seq);
  assert.deepEqual(sent, [1001 + 3 * MSS, 1001 + 4 * MSS, 1001 + 5 * MSS]);
});
