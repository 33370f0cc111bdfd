/**
 * RACK while a bulk transfer goes on (issue 11, TCP-BEHAVIOR R9, P2): a flight that drains completely
 * while more data waits to be sent (window- or cwnd-limited rounds) does not let the Rack go, so the next
 * segment does not make it again and regrow its records array from one record; once the connection is
 * idle (everything sent and ACKed) the Rack goes, as idle-release.test.ts checks in depth.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, establishSackSender, seg } from '../helpers/sack-sender.js';
import type { TcpTest } from '../helpers/tcp-test.js';
import type { Rack } from '../../src/tcp/rack.js';

const RTT = 40;

/** The sender's Rack (private), if it holds one. */
const rackOf = (t: TcpTest): Rack | undefined => (t.c as unknown as { snd: { rack: Rack | undefined } }).snd.rack;
/** The Rack's records array (private): regrown means a new array. */
const recordsArray = (rack: Rack): Float64Array => (rack as unknown as { r: Float64Array }).r;

test('R9 P2 a bulk sender whose flights drain between rounds keeps one Rack and one records array, and holds none once idle', () => {
  const t = establishSackSender(RTT);
  const end = seg(40); // within the send buffer
  t.user.send(new Uint8Array(end - BASE)); // more than the first flight (IW10): rounds of ACK-everything-then-send-more
  let rack: Rack | undefined;
  let rounds = 0;
  let top = BASE;
  while (top !== end) {
    const out = t.out.splice(0);
    assert.ok(out.length > 0, `round ${rounds}: something went out`);
    assert.ok(!out.some((s) => s.rtx), 'no retransmission');
    for (const s of out) top = Math.max(top, s.seq + s.payload.length);
    const r = rackOf(t);
    assert.ok(r !== undefined, 'RACK records the flight');
    if (rack === undefined) rack = r;
    else assert.equal(r, rack, `round ${rounds}: the same Rack, not made again after the flight drained`);
    t.advance(RTT);
    t.send({ flags: 'ACK', seq: 5001, ack: top, window: 65535 }); // the whole flight: nothing in flight until the next segment
    rounds++;
    if (top !== end) {
      assert.equal(rackOf(t), rack, `round ${rounds}: the Rack kept while data waits to be sent`);
      assert.ok(recordsArray(rack).length >= out.length * 5, `round ${rounds}: the records array kept, emptied, for the next flight`);
    }
  }
  assert.ok(rounds >= 3, `several rounds (${rounds})`);
  assert.equal(t.out.length, 0);
  t.advance(1000);
  assert.equal(rackOf(t), undefined, 'idle: no Rack');
  assert.ok(!t.c.heldParts.includes('rack'));
});
