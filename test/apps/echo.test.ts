/** The echo service (RFC 862) on two in-memory stacks, wall clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEcho } from '../../src/apps/echo.js';
import type { ServiceEvent } from '../../src/apps/service.js';
import { pseudoRandomBytes } from '../../src/apps/pseudo-random.js';
import { realNet } from '../helpers/real-net.js';

test('echo: every byte comes back; after the client half-closes, the rest of the echo still arrives, then the server FIN', async () => {
  const n = realNet();
  try {
    const events: ServiceEvent[] = [];
    const echo = await startEcho(n.b.net, 7, { onEvent: (e) => events.push(e) });
    const data = pseudoRandomBytes(2_000_000, 1);
    const c = n.a.net.connect({ port: 7, host: '10.0.0.2', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    c.on('data', (d: Buffer) => chunks.push(d));
    const ended = new Promise<void>((resolve) => c.once('end', resolve));
    const closed = new Promise<void>((resolve) => c.once('close', resolve));
    c.end(data); // FIN right behind the data
    await ended;
    assert.ok(Buffer.concat(chunks).equals(data));
    await closed;
    await echo.close(500);
    assert.deepEqual(
      events.map((e) => e.type),
      ['open', 'close'],
    );
    const last = events[1] as Extract<ServiceEvent, { type: 'close' }>;
    assert.equal(last.bytesIn, data.length);
    assert.equal(last.bytesOut, data.length);
    assert.equal(last.error, undefined);
  } finally {
    n.close();
  }
});

test('echo: close() ends open connections with FIN and resolves once they are closed', async () => {
  const n = realNet();
  try {
    const echo = await startEcho(n.b.net, 7);
    const c = n.a.net.connect(7, '10.0.0.2');
    await new Promise<void>((resolve) => c.once('connect', resolve));
    c.write('x');
    await new Promise<void>((resolve) => c.once('data', () => resolve()));
    assert.equal(echo.sockets.size, 1);
    const ended = new Promise<void>((resolve) => c.once('end', resolve)); // the server's FIN; allowHalfOpen false ends ours too
    await echo.close(2000);
    await ended;
    assert.equal(echo.sockets.size, 0);
    assert.equal(echo.server.listening, false);
  } finally {
    n.close();
  }
});
