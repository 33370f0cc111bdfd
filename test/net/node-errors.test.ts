/**
 * The smaller differences of issue 9 item 5, each checked against real
 * node:net where the behaviour needs no peer: the same call on node:net and
 * on synack throws (or reports) the same code, class and message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeNet from 'node:net';
import { virtualNet } from '../helpers/virtual-net.js';
import type { NetError } from '../../src/net/index.js';

/** What a thrown error looks like to a program: class, code, message. */
function shape(fn: () => unknown): { name: string; code: unknown; message: string } | 'no throw' {
  try {
    fn();
  } catch (e) {
    const err = e as NetError;
    return { name: err.constructor.name, code: err.code, message: err.message };
  }
  return 'no throw';
}

test('Node: setTimeout() argument validation — non-number msecs, negative/Infinity, bad callback — same codes, classes, messages', () => {
  const n = virtualNet();
  const cases: Array<[unknown, unknown]> = [['1', undefined], [null, undefined], [-1, undefined], [Infinity, undefined], [NaN, undefined], [10, 'x'], [0, 42], [10, {}]];
  for (const [ms, cb] of cases) {
    const ours = shape(() => new n.a.net.Socket().setTimeout(ms as number, cb as () => void));
    const node = shape(() => new nodeNet.Socket().setTimeout(ms as number, cb as () => void));
    assert.notEqual(node, 'no throw', `node:net throws for setTimeout(${String(ms)}, ${String(cb)})`);
    assert.deepEqual(ours, node, `setTimeout(${String(ms)}, ${String(cb)})`);
  }
});

test('Node: connect() port validation — wrong types (ERR_INVALID_ARG_TYPE), out of range (ERR_SOCKET_BAD_PORT), missing (ERR_MISSING_ARGS)', () => {
  const n = virtualNet();
  const ports: unknown[] = [true, {}, null, [], -1, 65536, 'abc', 1.5, '99999'];
  for (const port of ports) {
    const ours = shape(() => n.a.net.connect({ port: port as number, host: '10.0.0.2' }));
    const node = shape(() => nodeNet.connect({ port: port as number, host: '127.0.0.1' }));
    assert.notEqual(node, 'no throw', `node:net throws for port ${JSON.stringify(port)}`);
    assert.deepEqual(ours, node, `port ${JSON.stringify(port)}`);
  }
  assert.deepEqual(
    shape(() => n.a.net.connect({ host: '10.0.0.2' } as never)),
    shape(() => nodeNet.connect({ host: '127.0.0.1' } as never)),
  );
  assert.deepEqual(
    shape(() => n.a.net.connect({ port: 80, localAddress: 'nope' })),
    shape(() => nodeNet.connect({ port: 80, localAddress: 'nope' })),
  );
});

test('Node: listen() option validation — {}, {host}, {exclusive}, {fd: -1}, bad port types — same codes, classes, messages', () => {
  const n = virtualNet();
  const options: unknown[] = [{}, { host: '10.0.0.2' }, { exclusive: true }, { fd: -1 }, { port: -1 }, { port: 'x' }, { port: true }, { port: 70000 }, { backlog: 1 }];
  for (const o of options) {
    const ours = shape(() => n.b.net.createServer().listen(o as never));
    const node = shape(() => nodeNet.createServer().listen(o as never));
    assert.notEqual(node, 'no throw', `node:net throws for listen(${JSON.stringify(o)})`);
    // Node prints the object it got; our message names the same object.
    assert.deepEqual(ours, { ...(node as object), message: (node as { message: string }).message.replace("host: '127.0.0.1'", "host: '10.0.0.2'") }, `listen(${JSON.stringify(o)})`);
  }
});

test('Node: connect to port 0 is refused as the kernel refuses it: "connect ECONNREFUSED <addr>" (no port in the message)', async () => {
  const n = virtualNet();
  const node = await new Promise<NetError>((resolve) => nodeNet.connect(0, '127.0.0.1').on('error', resolve));
  const c = n.a.net.connect(0, '10.0.0.2');
  let ours: NetError | undefined;
  c.on('error', (e: NetError) => (ours = e));
  await n.until(() => ours !== undefined);
  assert.equal(ours!.code, node.code);
  assert.equal(ours!.syscall, node.syscall);
  assert.equal(ours!.message, node.message.replace('127.0.0.1', '10.0.0.2'));
});

test('Node: resetAndDestroy() right after connect(), before the next tick, resets the connection once it is up (no ERR_SOCKET_CLOSED)', async () => {
  const n = virtualNet();
  const serverErrors: string[] = [];
  n.b.net.createServer((s) => s.on('error', (e: NetError) => serverErrors.push(e.code))).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  c.resetAndDestroy(); // same tick as connect()
  const events: string[] = [];
  c.on('connect', () => events.push('connect'));
  c.on('error', (e: NetError) => events.push(`error:${e.code}`));
  c.on('close', (h: boolean) => events.push(`close:${h}`));
  await n.until(() => serverErrors.length > 0, { what: 'the server sees the reset' });
  assert.deepEqual(events, ['connect', 'close:false']);
  assert.deepEqual(serverErrors, ['ECONNRESET']);
});

test('Node: a write queued while connecting, then destroy(): its callback gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION', async () => {
  const n = virtualNet();
  n.b.net.createServer().listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  let writeErr: NetError | null | undefined;
  c.write('early', (e) => (writeErr = e as NetError | null));
  c.destroy();
  let closed = false;
  c.on('close', () => (closed = true));
  await n.until(() => closed && writeErr !== undefined);
  assert.equal(writeErr?.code, 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION');
  assert.equal(writeErr?.message, 'Socket closed before the connection was established');
});

test('Node: socket.pending is true before connect(), while connecting and again after \'close\'; false while connected', async () => {
  const n = virtualNet();
  n.b.net.createServer((s) => s.end()).listen(80);
  const c = new n.a.net.Socket();
  const seen: boolean[] = [c.pending];
  c.connect(80, '10.0.0.2');
  seen.push(c.pending);
  c.on('connect', () => seen.push(c.pending));
  c.resume();
  let closed = false;
  c.on('close', () => {
    seen.push(c.pending);
    closed = true;
  });
  await n.until(() => closed);
  assert.deepEqual(seen, [true, true, false, true]);
});

test('Node: net.connect() and accepted sockets are instances of stack.net.Socket; servers of stack.net.Server', async () => {
  const n = virtualNet();
  let accepted: unknown;
  const server = n.b.net.createServer((s) => (accepted = s)).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  const c2 = n.a.net.createConnection({ port: 80, host: '10.0.0.2' });
  await n.until(() => accepted !== undefined && !c.connecting && !c2.connecting);
  assert.ok(c instanceof n.a.net.Socket);
  assert.ok(c2 instanceof n.a.net.Socket);
  assert.ok(accepted instanceof n.b.net.Socket);
  assert.ok(server instanceof n.b.net.Server);
  c.destroy();
  c2.destroy();
});
