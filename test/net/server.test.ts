/** synack's net.Server: listen() forms, address(), close(), getConnections(), options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { virtualNet } from '../helpers/virtual-net.js';
import type { NetError, Server, Socket } from '../../src/net/index.js';

function listening(s: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('listening', resolve);
    s.once('error', reject);
  });
}

test('Node: listen(port, host, backlog, cb) — "listening" comes on a later tick, address() right away', async () => {
  const n = virtualNet();
  const s = n.b.net.createServer();
  let called = false;
  s.listen(8080, '10.0.0.2', 5, () => (called = true));
  assert.equal(called, false, 'not synchronous');
  assert.equal(s.listening, true);
  assert.deepEqual(s.address(), { address: '10.0.0.2', family: 'IPv4', port: 8080 });
  await n.flush();
  assert.equal(called, true);
  const row = n.b.connections().find((r) => r.state === 'LISTEN')!;
  assert.equal(row.local, '10.0.0.2:8080');
  assert.equal(row.sendQueue, 5, 'ss shows the backlog as Send-Q of a listener');
  s.close();
});

test('Node: listen({ port }) and listen(port) bind every address; address() reports the unspecified address', async () => {
  const n = virtualNet();
  const s1 = n.b.net.createServer().listen({ port: 81 });
  assert.deepEqual(s1.address(), { address: '0.0.0.0', family: 'IPv4', port: 81 });
  const s2 = n.b.net.createServer().listen(82, '0.0.0.0');
  assert.deepEqual(s2.address(), { address: '0.0.0.0', family: 'IPv4', port: 82 });
  const v6 = virtualNet({ v6: true });
  const s3 = v6.b.net.createServer().listen(83);
  assert.deepEqual(s3.address(), { address: '::', family: 'IPv6', port: 83 });
  for (const s of [s1, s2, s3]) s.close();
});

test('Node: listen() / listen(0) picks a free ephemeral port', async () => {
  const n = virtualNet();
  const a = n.b.net.createServer().listen();
  const b = n.b.net.createServer().listen(0, '10.0.0.2');
  const pa = (a.address() as { port: number }).port;
  const pb = (b.address() as { port: number }).port;
  assert.ok(pa >= 32768 && pa <= 60999);
  assert.ok(pb >= 32768 && pb <= 60999);
  assert.notEqual(pa, pb);
  a.close();
  b.close();
});

test('Node: listen() twice throws ERR_SERVER_ALREADY_LISTEN; close() when not listening calls back with ERR_SERVER_NOT_RUNNING', async () => {
  const n = virtualNet();
  const s = n.b.net.createServer().listen(80);
  assert.throws(() => s.listen(81), (e: NetError) => e.code === 'ERR_SERVER_ALREADY_LISTEN');
  let err: NetError | undefined;
  s.close();
  s.close((e) => (err = e as NetError));
  await n.flush();
  assert.equal(err?.code, 'ERR_SERVER_NOT_RUNNING');
});

test('listen on an address the stack does not have: EADDRNOTAVAIL (listen)', async () => {
  const n = virtualNet();
  const s = n.b.net.createServer().listen(80, '10.0.0.99');
  const e = await listening(s).then(
    () => undefined,
    (x: NetError) => x,
  );
  assert.equal(e?.code, 'EADDRNOTAVAIL');
  assert.equal(e?.syscall, 'listen');
  assert.equal(e?.message, 'listen EADDRNOTAVAIL: address not available 10.0.0.99:80');
});

test('Node: getConnections() counts accepted sockets that are not destroyed yet, asynchronously', async () => {
  const n = virtualNet();
  const sockets: Socket[] = [];
  const s = n.b.net.createServer((c) => sockets.push(c)).listen(80);
  const clients = [n.a.net.connect(80, '10.0.0.2'), n.a.net.connect(80, '10.0.0.2'), n.a.net.connect(80, '10.0.0.2')];
  await n.until(() => sockets.length === 3);
  const count = () => new Promise<number>((r) => s.getConnections((_e, c) => r(c)));
  assert.equal(await count(), 3);
  sockets[0]!.destroy();
  assert.equal(await count(), 2);
  for (const c of clients) c.destroy();
  await n.until(() => sockets.every((x) => x.destroyed));
  assert.equal(await count(), 0);
  s.close();
});

test('Node: server.close() with no open connections emits "close" at once; new connections are refused', async () => {
  const n = virtualNet();
  const s = n.b.net.createServer(() => {}).listen(80);
  let closed = false;
  s.close(() => (closed = true));
  await n.flush();
  assert.equal(closed, true, 'no connections: "close" at once');
  const c = n.a.net.connect(80, '10.0.0.2');
  let err: NetError | undefined;
  c.on('error', (e) => (err = e as NetError));
  await n.until(() => c.destroyed);
  await n.flush();
  assert.equal(err?.code, 'ECONNREFUSED');
});

test('Node: maxConnections — further connections are dropped ("drop" event) and their client sees the close', async () => {
  const n = virtualNet();
  const accepted: Socket[] = [];
  const drops: unknown[] = [];
  const s = n.b.net.createServer((c) => accepted.push(c)).listen(80);
  s.maxConnections = 1;
  s.on('drop', (d) => drops.push(d));
  const c1 = n.a.net.connect(80, '10.0.0.2');
  const c2 = n.a.net.connect(80, '10.0.0.2');
  let c2ended = false;
  c2.on('end', () => (c2ended = true));
  c2.resume();
  await n.until(() => c2ended);
  assert.equal(accepted.length, 1);
  assert.equal(drops.length, 1);
  assert.equal((drops[0] as { localPort: number }).localPort, 80);
  c1.destroy();
  s.close();
});

test('Node: pauseOnConnect — nothing is read until resume(); the bytes wait in the TCB', async () => {
  const n = virtualNet();
  let server!: Socket;
  n.b.net.createServer({ pauseOnConnect: true }, (c) => (server = c)).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2', () => c.write('waiting'));
  let got = '';
  await n.until(() => server !== undefined);
  server.on('data', (d: Buffer) => (got += d));
  await n.sleep(100);
  assert.equal(got, '', 'a data listener does not start a paused socket');
  assert.equal(server.isPaused(), true);
  assert.equal(server.tcpSocket!.readableBytes, 7);
  server.resume();
  await n.until(() => got === 'waiting');
  assert.equal(server.tcpSocket!.readableBytes, 0);
  c.destroy();
});

test('server options noDelay/keepAlive/allowHalfOpen apply to accepted sockets', async () => {
  const n = virtualNet();
  let server!: Socket;
  n.b.net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 5000, allowHalfOpen: true }, (c) => (server = c)).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  await n.until(() => server !== undefined);
  const cfg = (server.tcpSocket as unknown as { conn: { cfg: { keepAlive: boolean; keepIdle: number; noDelay: boolean } } }).conn.cfg;
  assert.deepEqual([cfg.noDelay, cfg.keepAlive, cfg.keepIdle], [true, true, 5000]);
  assert.equal(server.allowHalfOpen, true);
  assert.equal(server.server !== null, true);
  c.destroy();
});

test('new stack.net.Server() and new stack.net.Socket() are node:net’s constructors bound to the stack', async () => {
  const n = virtualNet();
  const srv = new n.b.net.Server((c) => c.end('hi'));
  srv.listen(80);
  const c = new n.a.net.Socket();
  let got = '';
  c.on('data', (d: Buffer) => (got += d));
  c.connect({ port: 80, host: '10.0.0.2' });
  await n.until(() => c.destroyed);
  assert.equal(got, 'hi');
  srv.close();
});
