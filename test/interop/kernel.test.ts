/**
 * The kernel interop suite: synack's `serve`, `connect` and `fetch` against
 * Linux's own TCP, on TUN devices inside network namespaces made per case
 * (root only). Each case is gated on the tools it drives: without one it
 * skips with one line naming it while the others run; under
 * SYNACK_REQUIRE_KERNEL=1 (.ci/run as root) a missing tool, device or
 * namespace fails instead.
 * The cases live in *-cases.ts beside this file; each runs as a subtest with
 * its own namespace, a few at a time.
 */
import { test } from 'node:test';
import { needKernel } from '../fixtures/netns.js';
import type { InteropCase } from './harness.js';
import { httpCases } from './http-cases.js';
import { closeCases } from './close-cases.js';
import { clientCases } from './client-cases.js';
import { offloadCases } from './offload-cases.js';
import { dsackCases } from './dsack-cases.js';
import { pmtuCases } from './pmtu-cases.js';

const CASES: InteropCase[] = [...httpCases, ...closeCases, ...clientCases, ...offloadCases, ...dsackCases, ...pmtuCases];

test('kernel interop: synack serve / connect / fetch on a TUN device, Linux TCP as the peer', { concurrency: 3, timeout: 110_000 }, async (t) => {
  if (!needKernel(t)) return;
  await Promise.all(CASES.map((c) => t.test(c.name, { timeout: 60_000 }, async (st) => (needKernel(st, c.needs) ? c.run(st) : undefined))));
});
