/**
 * The kernel interop suite: synack's `serve`, `connect` and `fetch` against
 * Linux's own TCP, on TUN devices inside network namespaces made per case
 * (root only; without root, /dev/net/tun or the tools, it skips in one line).
 * The cases live in *-cases.ts beside this file; each runs as a subtest with
 * its own namespace, a few at a time.
 */
import { test } from 'node:test';
import { interopUnavailable, type InteropCase } from './harness.js';
import { httpCases } from './http-cases.js';
import { closeCases } from './close-cases.js';
import { clientCases } from './client-cases.js';

const CASES: InteropCase[] = [...httpCases, ...closeCases, ...clientCases];

test('kernel interop: synack serve / connect / fetch on a TUN device, Linux TCP as the peer', { concurrency: 3, timeout: 110_000 }, async (t) => {
  const why = await interopUnavailable();
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  await Promise.all(CASES.map((c) => t.test(c.name, { timeout: 60_000 }, (st) => c.run(st))));
});
