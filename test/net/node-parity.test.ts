/**
 * Every scenario of parity.ts twice: on real node:net over 127.0.0.1 (the
 * expectation is Node's) and on synack's net API in virtual time (synack
 * meets it). Loopback only; every server is closed; every wait is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeNet from 'node:net';
import { SCENARIOS, type Env, type NetLike } from './parity.js';
import { virtualNet } from '../helpers/virtual-net.js';

function nodeEnv(): Env {
  const api = nodeNet as unknown as NetLike;
  return {
    name: 'node:net',
    server: api,
    client: api,
    host: '127.0.0.1',
    later: (ms, fn) => void setTimeout(fn, ms),
    async until(cond, what) {
      const deadline = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`node:net: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    async closedPort() {
      const s = nodeNet.createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const port = (s.address() as nodeNet.AddressInfo).port;
      await new Promise<void>((r) => s.close(() => r()));
      return port;
    },
  };
}

function synackEnv(): Env {
  const n = virtualNet();
  return {
    name: 'synack',
    server: { createServer: (o, l) => n.b.net.createServer(o, l), connect: (o, cb) => n.b.net.connect(o, cb) },
    client: { createServer: (o, l) => n.a.net.createServer(o, l), connect: (o, cb) => n.a.net.connect(o, cb) },
    host: '10.0.0.2',
    later: (ms, fn) => void n.clock.schedule(n.clock.now() + ms, fn),
    until: (cond, what) => n.until(cond, { what, maxMs: 60_000 }),
    sleep: (ms) => n.sleep(ms),
    closedPort: async () => 81,
  };
}

for (const s of SCENARIOS) {
  test(`Node: ${s.name} — node:net on 127.0.0.1`, async () => {
    assert.deepEqual(await s.run(nodeEnv()), s.expect);
  });
  test(`Node: ${s.name} — synack`, async () => {
    assert.deepEqual(await s.run(synackEnv()), s.expect);
  });
}
