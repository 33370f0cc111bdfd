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
 },
 {
  "name": "persist timer left armed in FIN_WAIT_2 after an ACK took data + FIN the zero window had refused (fixed: disarm when nothing is left to send, RFC 9293 \u00a73.8.6.1)",
  "seed": 2189980665,
  "packets": [
   {
    "t": 56.40917867181474,
    "to": "A",
    "hex": "60000000003c0640fd000000000000000000000000000002fd0000000000000000000000000000010050b0a3bbbed1fbb2851bc9f0180000b8ce00000101080a28ecdac0000000000101051a2a3f7e9b30c92d68ed2b7f8bd5b7c2e1d93ee68e8c4ce489"
   },
   {
    "t": 98.72191749770671,
    "to": "A",
    "hex": "60000000018e0640fd000000000000000000000000000002fd0000000000000000000000000000010050b0a3bbbec6c2b2851bcbb01000006e5600000101080a28ecdb09000000000101050ab28514e5b285166773f679fc7f0285088b0e9114971a9d20a326a92caf32b538bb3ec144c74acd50d356d95cdf62e568eb6ef174f77afd800386098c0f9215981b9e21a427aa2db033b639bc3fc245c84bce51d457da5de063e669ec6ff275f87bfe8104870a8d109316991c9f22a528ab2eb134b73abd40c346c94ccf52d558db5ee164e76aed70f376f97cff8205880b8e1194179a1da023a629ac2fb235b83bbe41c447ca4dd053d659dc5fe265e86bee71f477fa7d008306890c8f1295189b1ea124a72aad30b336b93cbf42c548cb4ed154d75add60e366e96cef72f578fb7e0184078a0d901396199c1fa225a82bae31b437ba3dc043c649cc4fd255d85bde61e467ea6df07afd800386098c0f9215981b9e21a427aa2db033b639bc3fc245c84bce51d457da5de063e669ec6ff275f87bfe8104870a8d109316991c9f22a528ab2eb134b73abd40c346c94ccf52d558db5ee164e76aed70f376f97cff8205880b8e1194179a1d"
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
