import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from '../../src/net/index.js';
import { virtualNet } from '../helpers/virtual-net.js';

test("stack.net.Socket: its sockets are Sockets of that stack and no other's, with one hidden class for every stack's sockets", () => {
  const n = virtualNet();
  const a = new n.a.net.Socket();
  const b = new n.b.net.Socket();
  assert.ok(a instanceof n.a.net.Socket && a instanceof Socket);
  assert.equal(a instanceof n.b.net.Socket, false, "a socket of stack A is not one of stack B's");
  assert.equal(b instanceof n.a.net.Socket, false);
  assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(b), 'one prototype (and so one hidden class) for both stacks');
  const called = (n.a.net.Socket as unknown as (o?: object) => Socket)(); // Node's net.Socket may be called without new
  assert.ok(called instanceof n.a.net.Socket);
  a.destroy();
  b.destroy();
  called.destroy();
});

test('a subclass of stack.net.Socket keeps its own methods and connects through that stack', async () => {
  const n = virtualNet();
  class Tagged extends n.a.net.Socket {
    tag(): string {
      return 'tagged';
    }
  }
  let accepted = false;
  n.b.net.createServer(() => (accepted = true)).listen(7100);
  const s = new Tagged();
  assert.equal(s.tag(), 'tagged');
  assert.ok(s instanceof Tagged && s instanceof n.a.net.Socket);
  s.connect(7100, '10.0.0.2');
  await n.until(() => accepted && !s.connecting, { what: 'connected' });
  assert.equal(s.remoteAddress, '10.0.0.2');
  s.destroy();
});
