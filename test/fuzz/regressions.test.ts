/**
 * Fuzz failures, minimised, replayed as they were found (`npm run fuzz` prints
 * each failure in this shape: seed + packet list). Each case must now run clean:
 * no exception, every invariant after every packet, a byte-exact transfer, empty tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayRegression, type RegressionCase } from './runner.js';

const CASES: RegressionCase[] = [
 {
  "name": "spoofed old ACK (below SND.UNA) with SEQ ahead in the window closed the send window for good (fixed: RFC 9293 \u00a73.10.7.4 / Linux tcp_may_update_window)",
  "seed": 891783897,
  "packets": [
   {
    "t": 74.19445559970468,
    "to": "A",
    "hex": "4500003400004000400626c20a0000020a000001005097bbe7b689dcbbfc75bd80180000bd5900000101080a625007b000000000"
   }
  ]
 }
];

for (const c of CASES) {
  test(`fuzz regression (seed ${c.seed}): ${c.name}`, () => {
    const r = replayRegression(c);
    assert.equal(r.injected.length, c.packets.length);
    assert.equal(r.fault, undefined, r.fault && `${r.fault.kind}: ${r.fault.message}`);
    assert.equal(r.licensed, false, 'the case must not depend on a killer packet');
  });
}
