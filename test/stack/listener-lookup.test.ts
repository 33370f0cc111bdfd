/**
 * A SYN finds the listener of its destination address and port: with listeners on the same port at two
 * addresses of one stack, each takes only the connections to its own address, and closing one leaves the
 * other listening (RFC 9293 §3.10.7.1 for the refused one: RST, ECONNREFUSED at the client).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLink } from '../../src/link/memory.js';
import { Stack } from '../../src/stack/stack.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

function twoNetworks(): { clock: VirtualClock; server: Stack; a: Stack; c: Stack } {
  const clock = new VirtualClock();
  const [la, lb1] = MemoryLink.pair(clock, { seed: 1 });
  const [lc, lb2] = MemoryLink.pair(clock, { seed: 2 });
  const server = new Stack({ clock, name: 'B', seed: 2 });
  const a = new Stack({ clock, name: 'A', seed: 1 });
  const c = new Stack({ clock, name: 'C', seed: 3 });
  server.attach(lb1, { address: '10.0.0.2' });
  server.attach(lb2, { address: '10.0.1.2' });
  a.attach(la, { address: '10.0.0.1' });
  c.attach(lc, { address: '10.0.1.1' });
  return { clock, server, a, c };
}

test('listeners on one port at two addresses each take the connections to their own address; closing one leaves the other', () => {
  const { clock, server, a, c } = twoNetworks();
  const l1 = server.listen(80, { host: '10.0.0.2' });
  const l2 = server.listen(80, { host: '10.0.1.2' });
  const got1: TcpSocket[] = [];
  const got2: TcpSocket[] = [];
  l1.on('connection', (s) => got1.push(s));
  l2.on('connection', (s) => got2.push(s));
  a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  c.connect({ remoteAddress: '10.0.1.2', remotePort: 80 });
  c.connect({ remoteAddress: '10.0.1.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  assert.deepEqual(got1.map((s) => s.localAddress), ['10.0.0.2']);
  assert.deepEqual(got2.map((s) => s.localAddress), ['10.0.1.2', '10.0.1.2']);

  l1.close();
  const refused = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const errors: string[] = [];
  refused.on('error', (e) => errors.push(e.code));
  c.connect({ remoteAddress: '10.0.1.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  assert.deepEqual(errors, ['ECONNREFUSED']);
  assert.equal(got2.length, 3);
  assert.equal(got1.length, 1);
});
