/** `synack demo` (npm start): runs node:http over two stacks, shows the states, and exits by itself. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('synack demo prints transitions, losses, retransmissions, an ss table with TIME_WAIT rows and counters, then exits 0 by itself', () => {
  const main = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
  const r = spawnSync(process.execPath, [main, 'demo'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.error, undefined, 'finished within 20 s');
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  for (const s of ['CLOSED → LISTEN', 'SYN_SENT → ESTABLISHED', 'SYN_RCVD → ESTABLISHED', '→ TIME_WAIT', 'LAST_ACK → CLOSED', '✗ the link loses', '↻ retransmits', 'GET /hello → 200', '(same connection)', 'POST /upload → 200, received 196608 bytes', 'ECONNREFUSED']) {
    assert.ok(out.includes(s), `output shows "${s}"`);
  }
  assert.match(out, /State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port/);
  assert.match(out, /\n {2}A {2}TIME_WAIT .*timer:\(timewait,\d+\.\dsec,0\)/);
  assert.match(out, /\n {2}B {2}LISTEN /);
  assert.match(out, /RetransSegs\s+\d+\s+\d+/);
  assert.match(out, /^\s+\d+\.\d ms {2}[AB] /m, 'timestamped lines');
});
