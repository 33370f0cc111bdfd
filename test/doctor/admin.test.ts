import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { run } from '../fixtures/netns.js';
import { startAdmin } from '../../src/apps/admin.js';
import { World, ADDR_B } from '../../src/sim/world.js';
import type { TcpSocket } from '../../src/stack/socket.js';

const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

test('synack doctor --admin HOST:PORT reads a synack stack: its CLOSE_WAIT pile and counters', { timeout: 30_000 }, async () => {
  // B's application accepts and never closes; twelve clients on A connect and close.
  const w = new World({ seed: 7 });
  const held: TcpSocket[] = [];
  w.b.listen(8080).on('connection', (s) => held.push(s));
  for (let i = 0; i < 12; i++) {
    const c = w.a.connect({ remoteAddress: ADDR_B, remotePort: 8080 });
    c.on('connect', () => c.close());
  }
  w.run(5_000);
  assert.equal(held.length, 12);
  const admin = await startAdmin(w.b, '127.0.0.1', 0);
  try {
    const port = (admin.address() as AddressInfo).port;
    const doc = JSON.parse(await run(process.execPath, [BIN, 'doctor', '--admin', `127.0.0.1:${port}`, '--json']));
    assert.match(doc.source, /^synack stack at http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(doc.states.CLOSE_WAIT, 12);
    assert.equal(doc.states.LISTEN, 1);
    const cw = doc.findings.find((f: { id: string }) => f.id === 'close-wait');
    assert.deepEqual(cw.detail, ['owner not visible local port 8080: 12']);
    assert.equal(doc.counters.TcpPassiveOpens, 12);
    assert.ok(doc.unseen.some((u: string) => /owning processes/.test(u)));
    await assert.rejects(run(process.execPath, [BIN, 'doctor', '--admin', 'nohost']), /synack doctor: --admin nohost: must be HOST:PORT/);
  } finally {
    admin.close();
  }
});
