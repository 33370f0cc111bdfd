/**
 * R9 (issue 10 #3): per-stack bounds on what peers can pin. Orphans (connections
 * the application has closed that still finish their close) are capped as by
 * Linux's tcp_max_orphans: past the cap a newly orphaned connection is reset
 * (TCPAbortOnMemory). TIME_WAIT entries are capped as by tcp_max_tw_buckets:
 * past it a connection closes without TIME_WAIT (TCPTimeWaitOverflow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks } from '../helpers/two-stacks.js';
import { linuxLikeLimit } from '../../src/stack/limits.js';
import type { TcpSocket } from '../../src/stack/socket.js';

test('R9 tcp_max_orphans: past the cap a newly orphaned connection is reset at once (TCPAbortOnMemory)', () => {
  let blackhole = false;
  const n = twoStacks({ link: { drop: (i) => blackhole && i.direction === 'b->a' } });
  (n.a as unknown as { limits: { maxOrphans: number } }).limits.maxOrphans = 2;
  n.b.listen(80);
  const cs: TcpSocket[] = [];
  for (let i = 0; i < 3; i++) cs.push(n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 }));
  n.settle(1000);
  assert.ok(cs.every((c) => c.state === 'ESTABLISHED'));
  blackhole = true; // B's ACKs of our FINs never come back: each close leaves an orphan in FIN_WAIT_1
  for (const c of cs) c.close();
  assert.deepEqual(cs.map((c) => c.state), ['FIN_WAIT_1', 'FIN_WAIT_1', 'CLOSED']);
  assert.equal(n.a.stats().TCPAbortOnMemory, 1);
  n.settle(1);
  // B got a RST for the third: its connection is gone, the other two wait in CLOSE_WAIT.
  assert.deepEqual(n.b.connections().map((r) => r.state).sort(), ['CLOSE_WAIT', 'CLOSE_WAIT', 'LISTEN']);
});

test('R9 tcp_max_tw_buckets: past the cap a connection closes without TIME_WAIT (TCPTimeWaitOverflow)', () => {
  const n = twoStacks({ tcp: { delayedAck: false } });
  (n.a as unknown as { limits: { maxTimeWait: number } }).limits.maxTimeWait = 2;
  const servers: TcpSocket[] = [];
  n.b.listen(80).on('connection', (s) => {
    servers.push(s);
    s.on('end', () => s.close());
  });
  const cs: TcpSocket[] = [];
  for (let i = 0; i < 3; i++) cs.push(n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 }));
  n.settle(1000);
  for (const c of cs) c.close();
  n.settle(1000);
  assert.deepEqual(cs.map((c) => c.state), ['TIME_WAIT', 'TIME_WAIT', 'CLOSED']);
  assert.equal(n.a.stats().TCPTimeWaitOverflow, 1);
  assert.ok(servers.every((s) => s.state === 'CLOSED'), 'the peer closed normally');
  // After 2MSL the two records are gone, and new ones may take their place.
  n.settle(61_000);
  assert.equal(n.a.connections().length, 0);
  const more = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(1000);
  more.close();
  n.settle(1000);
  assert.equal(more.state, 'TIME_WAIT');
});

test('R9 the default caps scale with memory as Linux does (half the established-hash size, one bucket per 128 KiB)', () => {
  assert.equal(linuxLikeLimit(24 * 2 ** 30), 131072); // a 24 GiB host: /proc/sys/net/ipv4/tcp_max_orphans = 131072
  assert.equal(linuxLikeLimit(4 * 2 ** 30), 16384);
  assert.equal(linuxLikeLimit(64 * 2 ** 20), 256);
  assert.equal(linuxLikeLimit(1), 128, 'never below 128');
});
