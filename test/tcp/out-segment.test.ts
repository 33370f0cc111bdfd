/**
 * The Sender's data and ACK segments are reused records (src/tcp/out-segment.ts): valid during the
 * sink's call only. A sink whose link delivers at once makes another connection send within the call;
 * that nested segment must not overwrite the one the outer sink is still reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../src/tcp/connection.js';
import type { ConnectionSink } from '../../src/tcp/events.js';
import { copyOutSegment } from '../../src/tcp/out-segment.js';
import type { OutSegment } from '../../src/tcp/segment.js';

const CFG = { timestamps: true, sack: true, delayedAck: false };
const show = (s: OutSegment): string => JSON.stringify({ ...copyOutSegment(s), payload: s.payload.length });

test('a segment stays intact while the sink, within its call, makes another connection send (one record per depth)', () => {
  let b: Connection | undefined;
  const toA: OutSegment[] = [];
  const faults: string[] = [];
  let outer = 0;
  const aSink: ConnectionSink = {
    transmit(seg) {
      outer++;
      const before = show(seg);
      // The link delivers at once: B takes the segment and answers (ACK) within this call.
      if (b === undefined) b = Connection.accept(seg, CFG, 9000, bSink, 0);
      else b.onSegment(seg, 0);
      const after = show(seg);
      if (after !== before) faults.push(`${before} became ${after}`);
    },
    event: () => {},
  };
  const bSink: ConnectionSink = { transmit: (seg) => void toA.push(copyOutSegment(seg)), event: () => {} };
  const a = Connection.connect(CFG, 1000, aSink, 0);
  a.onSegment(toA.shift()!, 0); // SYN-ACK: A answers with its ACK (B's answer to that goes to toA)
  a.send(new Uint8Array(3000), 0);
  assert.ok(outer >= 3, `A sent ${outer}`);
  assert.ok(toA.some((s) => s.ack > 1001 && s.payload.length === 0), 'B ACKed data within A’s transmit');
  assert.deepEqual(faults, []);
  assert.equal(b!.state, 'ESTABLISHED');
});

test('copyOutSegment keeps what a fresh segment would hold, not the record: later segments do not change it', () => {
  const kept: OutSegment[] = [];
  const raw: OutSegment[] = [];
  const sink: ConnectionSink = { transmit: (seg) => void (kept.push(copyOutSegment(seg)), raw.push(seg)), event: () => {} };
  const a = Connection.connect(CFG, 1000, sink, 0);
  a.onSegment({ seq: 5000, ack: 1001, flags: 0x12, window: 65535, options: { mss: 1460, sackPermitted: true, ts: { val: 7, ecr: kept[0]!.options.ts!.val } }, payload: new Uint8Array(0) }, 10);
  a.send(new Uint8Array(3000), 20);
  const data = kept.filter((s) => s.payload.length > 0);
  assert.equal(data.length, 3);
  assert.deepEqual(data.map((s) => s.seq), [1001, 1001 + 1448, 1001 + 2 * 1448]);
  assert.deepEqual(Object.keys(data[0]!.options), ['ts'], 'no keys left undefined');
  // The raw records are shared: the first data segment's record now reads as the last one.
  assert.equal(raw[1], raw[raw.length - 1], 'the Sender reuses its record');
});
