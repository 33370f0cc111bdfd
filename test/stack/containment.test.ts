/**
 * R10 (issue 10 #5): an exception on the packet path is contained. A throw
 * while one connection handles a segment (or a timer) is caught per packet,
 * counted (PacketExceptions), that connection alone is aborted (RST to its
 * peer, ECONNABORTED to its application), and the stack keeps serving the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAll, twoStacks } from '../helpers/two-stacks.js';
import { Connection } from '../../src/tcp/connection.js';
import type { TcpSocket } from '../../src/stack/socket.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Make Connection.prototype[method] throw for calls on `victim` while `armed()`; returns the undo. */
function booby<K extends 'onSegment' | 'onTimer'>(method: K, victim: () => Connection | undefined, armed: () => boolean): () => void {
  const proto = Connection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const orig = proto[method]!;
  proto[method] = function (this: Connection, ...args: unknown[]) {
    if (this === victim() && armed()) throw new Error(`injected fault in ${method}`);
    return orig.apply(this, args);
  };
  return () => void (proto[method] = orig);
}

function twoConnections() {
  const n = twoStacks();
  const servers: TcpSocket[] = [];
  n.b.listen(80).on('connection', (s) => servers.push(s));
  const c1 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const c2 = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(1000);
  assert.equal(servers.length, 2);
  const [s1, s2] = servers.sort((x, y) => (x.remotePort === c1.localPort ? -1 : y.remotePort === c1.localPort ? 1 : 0));
  return { n, c1, c2, s1: s1!, s2: s2! };
}

/** The Connection behind server socket 1: the one whose local ISS answers c1. */
function connOf(s: TcpSocket): Connection {
  return (s as unknown as { conn: Connection }).conn;
}

test('R10 a throw while a connection handles a segment is counted, aborts that connection only, and the stack serves on', () => {
  const { n, c1, c2, s1, s2 } = twoConnections();
  const victim = connOf(s1);
  const c1Errors: string[] = [];
  const s1Errors: string[] = [];
  c1.on('error', (e) => c1Errors.push(e.code));
  s1.on('error', (e) => s1Errors.push(e.code));
  let armed = true;
  const undo = booby('onSegment', () => victim, () => armed);
  try {
    c1.write(enc('boom'));
    assert.doesNotThrow(() => n.settle(5000));
  } finally {
    undo();
    armed = false;
  }
  assert.equal(n.b.stats().PacketExceptions, 1);
  assert.equal(s1.state, 'CLOSED');
  assert.deepEqual(s1Errors, ['ECONNABORTED']);
  assert.equal(c1.state, 'CLOSED', 'the peer was reset');
  assert.deepEqual(c1Errors, ['ECONNRESET']);
  // The other connection is untouched and still works both ways.
  c2.write(enc('still here'));
  n.settle(1000);
  assert.equal(readAll(s2), 'still here');
  s2.write(enc('and back'));
  n.settle(1000);
  assert.equal(readAll(c2), 'and back');
  assert.equal(n.b.connections().filter((r) => r.state === 'ESTABLISHED').length, 1);
});

test('R10 a throw in a connection timer is contained the same way', () => {
  const { n, c2, s1, s2 } = twoConnections();
  const victim = connOf(s1);
  const undo = booby('onTimer', () => victim, () => true);
  try {
    s1.write(enc('data'));
    n.clock.runUntilIdle({ maxTime: n.clock.now() + 1 }); // the segment leaves; A's ACK is on its way
    connOf(s1).setKeepAlive(true, 1000, n.clock.now()); // a timer that will fire on the victim
    assert.doesNotThrow(() => n.settle(5000));
  } finally {
    undo();
  }
  assert.equal(n.b.stats().PacketExceptions, 1);
  assert.equal(s1.state, 'CLOSED');
  c2.write(enc('ok'));
  n.settle(1000);
  assert.equal(readAll(s2), 'ok');
});
