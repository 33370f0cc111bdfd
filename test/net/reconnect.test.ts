/**
 * connect() on a socket that was closed: Node re-initialises it (a new
 * handle, the stream un-destroyed, counters from 0) and the same object
 * connects again, with the usual events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { virtualNet } from '../helpers/virtual-net.js';
import type { Socket } from '../../src/net/index.js';

test('reconnect: a destroyed client connects again three times; events, bytes and addresses start over each time', async () => {
  const n = virtualNet();
  const served: string[] = [];
  n.b.net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      served.push(d.toString());
      s.end(d.toString().toUpperCase());
    });
  }).listen(80);
  const c = new n.a.net.Socket();
  const log: string[] = [];
  c.on('connect', () => log.push('connect'));
  c.on('end', () => log.push('end'));
  c.on('close', (hadError: boolean) => log.push(`close:${hadError}`));
  const replies: string[] = [];
  c.on('data', (d: Buffer) => replies.push(d.toString()));
  const ports: number[] = [];
  for (let round = 0; round < 3; round++) {
    let closed = false;
    c.once('close', () => (closed = true));
    c.connect(80, '10.0.0.2', () => {
      assert.equal(c.bytesRead, 0, 'bytesRead starts over');
      assert.equal(c.bytesWritten, 0, 'bytesWritten starts over');
      assert.equal(c.remoteAddress, '10.0.0.2');
      ports.push(c.localPort!);
      c.end(`round ${round}`);
    });
    assert.equal(c.connecting, true);
    assert.equal(c.destroyed, false, 'un-destroyed at once');
    assert.equal(c.pending, true);
    await n.until(() => closed, { what: `round ${round} closed` });
    assert.equal(c.bytesRead, `ROUND ${round}`.length, 'bytesRead is still readable after close');
    assert.equal(c.pending, true, 'Node: pending is true again after close (no handle)');
  }
  assert.deepEqual(served, ['round 0', 'round 1', 'round 2']);
  assert.deepEqual(replies, ['ROUND 0', 'ROUND 1', 'ROUND 2']);
  assert.deepEqual(log, ['connect', 'end', 'close:false', 'connect', 'end', 'close:false', 'connect', 'end', 'close:false']);
  assert.equal(new Set(ports).size, 3, 'a new connection (new ephemeral port) each time');
});

test('reconnect after an error (ECONNREFUSED) from the close handler: the second attempt succeeds', async () => {
  const n = virtualNet();
  const c = new n.a.net.Socket();
  const log: string[] = [];
  let attempts = 0;
  c.on('error', (e: NodeJS.ErrnoException) => log.push(`error:${e.code}`));
  c.on('connect', () => log.push('connect'));
  c.on('close', (hadError: boolean) => {
    log.push(`close:${hadError}`);
    if (attempts++ === 0) {
      n.b.net.createServer((s) => s.end()).listen(80);
      c.connect(80, '10.0.0.2');
    }
  });
  c.connect(80, '10.0.0.2');
  await n.until(() => log.length >= 4 && log.at(-1)!.startsWith('close'), { what: 'second close' });
  assert.deepEqual(log, ['error:ECONNREFUSED', 'close:true', 'connect', 'close:false']);
});

test('reconnect after the peer ended (allowHalfOpen false): the writeAfterFIN guard of the first life is gone', async () => {
  const n = virtualNet();
  let serverSocket: Socket | undefined;
  n.b.net.createServer((s) => {
    serverSocket = s;
    s.on('data', () => {});
    s.end('bye');
  }).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  c.resume();
  let closed = false;
  c.on('close', () => (closed = true));
  await n.until(() => closed);
  serverSocket = undefined;
  c.connect(80, '10.0.0.2', () => {
    c.write('again', (err) => assert.ifError(err));
  });
  await n.until(() => serverSocket !== undefined && !c.connecting);
  await n.until(() => c.bytesWritten === 5);
  assert.equal(c.destroyed, false);
});

test('connect() on a socket that is already connected fails with EISCONN and leaves no second connection behind', async () => {
  const n = virtualNet();
  n.b.net.createServer((s) => s.resume()).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  await n.until(() => !c.connecting);
  let err: NodeJS.ErrnoException | undefined;
  c.on('error', (e) => (err = e));
  c.connect(80, '10.0.0.2');
  await n.until(() => c.destroyed && err !== undefined);
  assert.equal(err!.code, 'EISCONN');
  assert.equal(err!.syscall, 'connect');
  await n.idle();
  assert.deepEqual(n.a.connections().filter((r) => r.state !== 'TIME_WAIT' && r.state !== 'CLOSED'), []);
});
