import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { parseHostPort, startAdmin } from '../../src/apps/admin.js';
import { twoStacks } from '../helpers/two-stacks.js';

const MAIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

test('admin endpoint: /connections and /stats as JSON; `synack ss` prints them like ss -tan', async () => {
  const n = twoStacks();
  n.b.listen(80).on('connection', (s) => s.on('end', () => s.close()));
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c.close();
  n.settle(100); // A is now in TIME_WAIT
  const server = await startAdmin(n.a, '127.0.0.1', 0);
  try {
    const { port } = server.address() as AddressInfo;
    const conns = (await (await fetch(`http://127.0.0.1:${port}/connections`)).json()) as any[];
    assert.equal(conns.length, 1);
    assert.equal(conns[0].state, 'TIME_WAIT');
    assert.equal(conns[0].remote, '10.0.0.2:80');
    assert.equal(conns[0].local, `10.0.0.1:${c.localPort}`);
    for (const k of ['sendQueue', 'recvQueue', 'rto', 'cwnd', 'timer']) assert.ok(k in conns[0], k);
    const stats = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as Record<string, number>;
    for (const k of ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab', 'InSegs', 'OutSegs', 'RetransSegs', 'InErrs', 'OutRsts']) {
      assert.equal(typeof stats[k], 'number', k);
    }
    assert.equal(stats.ActiveOpens, 1);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);

    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [MAIN, 'ss', '--admin', `127.0.0.1:${port}`, '-o'], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const lines = out.trim().split('\n');
    assert.match(lines[0]!, /^State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port/);
    assert.match(lines[1]!, new RegExp(`^TIME_WAIT\\s+0\\s+0\\s+10\\.0\\.0\\.1:${c.localPort}\\s+10\\.0\\.0\\.2:80\\s+timer:\\(timewait,`));
  } finally {
    server.close();
  }
});

test('parseHostPort', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseHostPort('[::1]:9'), { host: '::1', port: 9 });
  assert.equal(parseHostPort('localhost'), null);
  assert.equal(parseHostPort('x:70000'), null);
});
