/**
 * The share of the fuzzer that runs with `npm test` (full runs: `npm run fuzz -- --packets N`):
 * 10^5 injected packets from a fixed campaign seed over every state (quick-share.ts;
 * about 10 s of CPU), and random-ISN handshakes. Zero faults allowed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHandshakes } from './handshakes.js';
import { quickShare } from './quick-share.js';

test('fuzz quick share: 100,000 injected packets, every state reached, no fault (rerun a case: npm run fuzz -- --case SEED)', () => {
  const q = quickShare();
  assert.deepEqual(q.problems, []);
  assert.ok(q.result.packets >= 100_000);
});

test('random-ISN handshakes (issue 10 item 0): 4,000 opens with ISSs drawn uniformly and near every 2^31 boundary all complete an exchange', () => {
  const r = runHandshakes({ count: 4000, seed: 0x15ee });
  assert.deepEqual(r.failures.slice(0, 5), []);
});
