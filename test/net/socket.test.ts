/**
 * synack's net.Socket beyond what node-parity covers: what happens in the
 * TCB and on the wire underneath the stream (states, RST vs FIN, windows),
 * virtual-time timers, and error shapes that need a lossy or silent network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as nodeNet from 'node:net';
import { virtualNet, type VirtualNet } from '../helpers/virtual-net.js';
import { Socket, type NetError } from '../../src/net/index.js';
import type { StackTraceEvent } from '../../src/stack/stack.js';

type Seg = Extract<StackTraceEvent, { type: 'segment' }>;

function segments(n: VirtualNet, stack: 'A' | 'B', dir: 'in' | 'out' = 'out'): Seg[] {
  return n.trace.filter((e): e is Seg => e.type === 'segment' && e.stack === stack && e.dir === dir);
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Deterministic bytes that are not all alike (so reordering or loss would show in the hash). */
function pattern(size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = 0x12345678;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Start a server on B port 80 and connect A to it; resolves once both sides are up. */
async function pair(n: VirtualNet, serverOpts: { allowHalfOpen?: boolean; pauseOnConnect?: boolean } = {}, clientOpts: { allowHalfOpen?: boolean } = {}): Promise<{ client: Socket; server: Socket }> {
  let server: Socket | undefined;
  n.b.net.createServer(serverOpts, (s) => (server = s)).listen(80);
  const client = n.a.net.connect({ port: 80, host: '10.0.0.2', ...clientOpts });
  await n.until(() => server !== undefined && !client.connecting, { what: 'connection' });
  return { client, server: server! };
}

test('tcpState follows the TCB through open and four-way close; the TCB outlives the stream in TIME_WAIT', async () => {
  const n = virtualNet();
  // allowHalfOpen on the server, which ends 500 ms later: the client's FIN is ACKed on its own (FIN_WAIT_2).
  const { client, server } = await pair(n, { allowHalfOpen: true });
  server.on('end', () => n.clock.schedule(n.clock.now() + 500, () => server.end()));
  server.resume();
  const clientStates: string[] = [];
  const serverStates: string[] = [];
  client.tcpSocket!.on('state', (_f, to) => clientStates.push(to));
  server.tcpSocket!.on('state', (_f, to) => serverStates.push(to));
  assert.equal(client.tcpState, 'ESTABLISHED');
  assert.equal(server.tcpState, 'ESTABLISHED');
  let closed = false;
  client.on('close', () => (closed = true));
  client.end();
  await n.until(() => closed, { what: 'client close' });
  assert.equal(client.tcpState, 'TIME_WAIT', 'the stream is closed, the active closer’s TCB waits 2MSL');
  assert.equal(client.readyState, 'closed');
  await n.idle();
  assert.equal(client.tcpState, 'CLOSED');
  assert.deepEqual(clientStates, ['FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
  assert.deepEqual(serverStates, ['CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
});

test('tcpState before and during connect: CLOSED until the next tick, then SYN_SENT, then ESTABLISHED at "connect"', async () => {
  const n = virtualNet();
  n.b.net.createServer(() => {}).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  const seen: string[] = [c.tcpState];
  c.on('connect', () => seen.push(c.tcpState));
  await n.flush();
  seen.push(c.tcpState);
  await n.until(() => !c.connecting);
  assert.deepEqual(seen, ['CLOSED', 'SYN_SENT', 'ESTABLISHED']);
  c.destroy();
});

test('C12 destroy() with unread received data sends RST, not FIN (Linux close(2)); the peer gets ECONNRESET', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n, { pauseOnConnect: true });
  client.write('unread bytes');
  await n.until(() => server.tcpSocket!.readableBytes > 0, { what: 'data in the server TCB' });
  let err: NetError | undefined;
  client.on('error', (e) => (err = e as NetError));
  const before = segments(n, 'B').length;
  server.destroy();
  await n.until(() => client.destroyed, { what: 'client destroyed' });
  const sent = segments(n, 'B').slice(before);
  assert.deepEqual(sent.map((s) => s.flags), ['RST,ACK']);
  assert.equal(err?.code, 'ECONNRESET');
  assert.equal(err?.syscall, 'read');
  assert.equal(server.tcpState, 'CLOSED');
});

test('destroy() after everything was read sends FIN (an orderly close), not RST', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n);
  server.on('data', () => {});
  client.write('read me');
  await n.until(() => server.bytesRead === 7);
  const before = segments(n, 'B').length;
  server.destroy();
  await n.sleep(10);
  const flags = segments(n, 'B').slice(before).map((s) => s.flags);
  assert.equal(flags[0], 'FIN,ACK');
  assert.ok(!flags.some((f) => f.includes('RST')), flags.join(' '));
  assert.equal(server.tcpState, 'TIME_WAIT', 'the client ended too (allowHalfOpen false): a normal four-way close');
});

test('resetAndDestroy() sends RST at once even with data still queued; the peer sees ECONNRESET', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n);
  let err: NetError | undefined;
  server.on('error', (e) => (err = e as NetError));
  client.write(Buffer.alloc(100_000));
  client.resetAndDestroy();
  await n.until(() => server.destroyed);
  const out = segments(n, 'A');
  assert.equal(out.at(-1)!.flags, 'RST,ACK');
  assert.ok(!out.some((s) => s.flags.includes('FIN')));
  assert.equal(err?.code, 'ECONNRESET');
});

test('Node: resetAndDestroy() while connecting waits for the connection, then resets it', async () => {
  const n = virtualNet();
  n.b.net.createServer(() => {}).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  await n.flush(); // the SYN is out
  c.resetAndDestroy();
  const events: string[] = [];
  c.on('connect', () => events.push('connect'));
  c.on('close', (h) => events.push(`close:${h}`));
  await n.until(() => events.includes('close:false'));
  assert.deepEqual(events, ['connect', 'close:false']);
  assert.ok(segments(n, 'A').some((s) => s.flags === 'RST,ACK'));
});

test('Node: resetAndDestroy() on a socket that never connected fails with ERR_SOCKET_CLOSED', async () => {
  const n = virtualNet();
  const s = new n.a.net.Socket();
  let err: NetError | undefined;
  s.on('error', (e) => (err = e as NetError));
  s.resetAndDestroy();
  await n.flush();
  assert.equal(err?.code, 'ERR_SOCKET_CLOSED');
});

test('backpressure, write side: a paused reader closes its window, the synack send buffer fills, write() returns false; after resume() "drain" follows and every byte arrives', async () => {
  const n = virtualNet({ tcp: { sendBufferSize: 16384, recvBufferSize: 16384 } });
  const { client, server } = await pair(n, { pauseOnConnect: true });
  const data = pattern(200 * 1024);
  const chunk = 4096;
  let off = 0;
  let ok = true;
  for (let i = 0; ok && i < 100; i++) {
    ok = client.write(data.subarray(off, off + chunk));
    off += chunk;
    await n.sleep(5);
  }
  assert.equal(ok, false, 'write() eventually returns false');
  // Where the bytes are: the receiver's TCB holds a full buffer (window 0), the sender's TCB a full send buffer,
  // and the rest waits in the stream.
  assert.equal(server.tcpSocket!.readableBytes, 16384, 'Recv-Q = SO_RCVBUF');
  assert.equal(client.tcpSocket!.writableBytes, 0, 'send buffer full');
  assert.equal(client.tcpSocket!.info().sndWnd, 0, 'the peer advertises a zero window');
  assert.ok(segments(n, 'B').some((s) => s.window === 0), 'window 0 on the wire');
  let drained = false;
  client.on('drain', () => (drained = true));
  await n.sleep(30_000); // zero-window probes go on; nothing moves
  assert.equal(drained, false);
  assert.equal(server.tcpSocket!.readableBytes, 16384);
  // The reader resumes: the window opens and the writer gets 'drain'.
  const got: Buffer[] = [];
  server.on('data', (d: Buffer) => got.push(d));
  server.resume();
  await n.until(() => drained, { what: 'drain' });
  client.end(data.subarray(off));
  await n.until(() => server.readableEnded, { what: 'server end' });
  assert.equal(sha256(Buffer.concat(got)), sha256(data));
});

test('backpressure, read side: pause() stops reading from the TCB, its Recv-Q fills and the advertised window closes; resume() reopens it', async () => {
  // Fixed buffers (SO_RCVBUF/SO_SNDBUF): an autotuned send buffer could take all 400 KiB and hide the stall.
  const n = virtualNet({ tcp: { recvBufferSize: 65536, sendBufferSize: 65536 } });
  const { client, server } = await pair(n);
  const data = pattern(400 * 1024);
  const got: Buffer[] = [];
  server.on('data', (d: Buffer) => {
    got.push(d);
    if (got.length === 1) server.pause();
  });
  client.end(data);
  await n.sleep(5000);
  const buffered = got.reduce((a, b) => a + b.length, 0) + server.readableLength;
  assert.ok(server.readableLength <= 16384 + 65536, 'the stream holds at most its high-water mark plus one read');
  // The rest stays in the TCB: a full receive buffer (less than one MSS, which receiver SWS avoidance keeps closed).
  assert.ok(server.tcpSocket!.readableBytes > 65536 - 1460, `Recv-Q ${server.tcpSocket!.readableBytes}`);
  assert.equal(server.tcpSocket!.info().rcvWnd, 0);
  assert.ok(buffered + 65536 < data.length, 'the sender is held back');
  assert.ok(client.writableLength > 0, 'the sender’s writes stall');
  assert.equal(segments(n, 'B').at(-1)!.window, 0);
  server.resume();
  await n.until(() => server.readableEnded, { what: 'end' });
  assert.equal(sha256(Buffer.concat(got)), sha256(data));
  assert.equal(server.bytesRead, data.length);
});

test('O9 ETIMEDOUT: connect to a black hole gives up after tcp_syn_retries (127 s in virtual time) with Node’s error', async () => {
  const n = virtualNet({ link: { drop: () => true } });
  const c = n.a.net.connect(80, '10.0.0.2');
  const events: string[] = [];
  let err: NetError | undefined;
  c.on('error', (e) => (err = e as NetError));
  c.on('close', (h) => events.push(`close:${h}`));
  await n.until(() => c.destroyed, { maxMs: 200_000 });
  await n.flush();
  assert.equal(err?.code, 'ETIMEDOUT');
  assert.equal(err?.syscall, 'connect');
  assert.equal(err?.message, 'connect ETIMEDOUT 10.0.0.2:80');
  assert.equal(err?.address, '10.0.0.2');
  assert.equal(err?.port, 80);
  assert.equal(err?.errno, -110);
  assert.equal(n.clock.now(), 127_000, '1+2+4+8+16+32+64 s');
  assert.deepEqual(events, ['close:true']);
  assert.equal(segments(n, 'A').filter((s) => s.flags === 'SYN').length, 7);
});

test('D4 ETIMEDOUT on an established connection whose peer vanished: "read ETIMEDOUT"', async () => {
  let blackHole = false;
  const n = virtualNet({ tcp: { retries2: 3 }, link: { drop: () => blackHole } });
  const { client } = await pair(n);
  blackHole = true;
  let err: NetError | undefined;
  client.on('error', (e) => (err = e as NetError));
  client.write('anyone there?');
  await n.until(() => client.destroyed, { maxMs: 600_000 });
  assert.equal(err?.code, 'ETIMEDOUT');
  assert.equal(err?.syscall, 'read');
  assert.equal(err?.message, 'read ETIMEDOUT');
});

test('setTimeout() runs on the stack’s clock: "timeout" exactly `ms` after the last activity, postponed by incoming data', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n);
  const fired: number[] = [];
  client.on('data', () => {});
  client.setTimeout(1000, () => fired.push(n.clock.now()));
  const t0 = n.clock.now();
  await n.sleep(500);
  server.write('activity');
  await n.until(() => fired.length === 1, { what: 'timeout' });
  assert.equal(fired[0], t0 + 500 + 1 + 1000, 'last activity = data arrival (1 ms link) + 1000 ms');
  client.setTimeout(0);
  await n.sleep(5000);
  assert.equal(fired.length, 1, 'setTimeout(0) disables it');
  client.destroy();
});

test('Node idiom: socket.setTimeout(ms, () => socket.destroy()) bounds a connect to a black hole long before ETIMEDOUT', async () => {
  const n = virtualNet({ link: { drop: () => true } });
  const c = n.a.net.connect(80, '10.0.0.2');
  c.setTimeout(3000, () => c.destroy(new Error('connect took too long')));
  let err: Error | undefined;
  c.on('error', (e) => (err = e));
  await n.until(() => c.destroyed);
  assert.equal(err?.message, 'connect took too long');
  assert.equal(n.clock.now(), 3000);
  await n.flush();
  assert.equal(c.tcpState, 'CLOSED', 'close() in SYN_SENT just forgets the TCB');
});

test('setNoDelay(): with Nagle (default) a second small write waits for the ACK; with noDelay it goes at once', async () => {
  async function burst(noDelay: boolean): Promise<number> {
    const n = virtualNet();
    const { client } = await pair(n);
    if (noDelay) client.setNoDelay();
    const before = segments(n, 'A').length;
    client.write('a');
    await n.flush();
    client.write('b');
    await n.flush();
    return segments(n, 'A').slice(before).filter((s) => s.len > 0).length;
  }
  assert.equal(await burst(false), 1);
  assert.equal(await burst(true), 2);
});

test('setKeepAlive() and setNoDelay() reach the TCB (applied at connect time when called before)', async () => {
  const n = virtualNet();
  n.b.net.createServer(() => {}).listen(80);
  const c = new n.a.net.Socket();
  assert.equal(c.setKeepAlive(true, 30_500), c, 'chainable');
  assert.equal(c.setNoDelay(true), c);
  c.connect(80, '10.0.0.2');
  await n.until(() => !c.connecting);
  // Peek at the TCB's config: the knobs are plain options of the Connection.
  const cfg = (c.tcpSocket as unknown as { conn: { cfg: { keepAlive: boolean; keepIdle: number; noDelay: boolean } } }).conn.cfg;
  assert.equal(cfg.keepAlive, true);
  assert.equal(cfg.keepIdle, 30_000, 'Node applies whole seconds');
  assert.equal(cfg.noDelay, true);
  c.setKeepAlive(false);
  assert.equal(cfg.keepAlive, false);
  c.destroy();
});

test('addresses, families, address() and bytes counters on both ends (IPv4 and IPv6)', async () => {
  for (const v6 of [false, true]) {
    const n = virtualNet({ v6 });
    const [ca, sa] = v6 ? ['fd00::1', 'fd00::2'] : ['10.0.0.1', '10.0.0.2'];
    const fam = v6 ? 'IPv6' : 'IPv4';
    let server!: Socket;
    n.b.net.createServer((s) => (server = s)).listen(443);
    const c = n.a.net.connect(443, sa);
    assert.equal(c.remoteAddress, undefined, 'unknown while connecting, as Node');
    await n.until(() => server !== undefined && !c.connecting);
    assert.equal(c.remoteAddress, sa);
    assert.equal(c.remotePort, 443);
    assert.equal(c.remoteFamily, fam);
    assert.equal(c.localAddress, ca);
    assert.equal(c.localFamily, fam);
    assert.deepEqual(c.address(), { address: ca, family: fam, port: c.localPort });
    assert.equal(server.remoteAddress, ca);
    assert.equal(server.remotePort, c.localPort);
    assert.equal(server.localPort, 443);
    server.on('data', () => {});
    c.write('12345');
    c.write(Buffer.from('678'));
    assert.equal(c.bytesWritten, 8);
    await n.until(() => server.bytesRead === 8);
    c.destroy();
    assert.equal(c.bytesWritten, 8, 'still known after destroy');
  }
});

test('Node: EOF semantics — after "end", read() returns null and no more "data" comes; the readable side is done', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n, { allowHalfOpen: true });
  const got: string[] = [];
  server.on('data', (d: Buffer) => got.push(d.toString()));
  client.end('last words');
  await n.until(() => server.readableEnded);
  assert.deepEqual(got, ['last words']);
  assert.equal(server.read(), null);
  assert.equal(server.readyState, 'writeOnly');
  assert.equal(server.tcpState, 'CLOSE_WAIT');
  server.end('reply after EOF');
  let reply = '';
  client.on('data', (d: Buffer) => (reply += d));
  await n.until(() => client.destroyed && server.destroyed);
  assert.equal(reply, 'reply after EOF');
});

test('Node: with allowHalfOpen false, writing after the automatic end fails with EPIPE "This socket has been ended by the other party"', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n);
  server.end();
  let writeErr: NetError | undefined;
  client.on('end', () => {
    setImmediate(() => client.write('too late', (e) => (writeErr = e as NetError)));
  });
  client.resume();
  await n.until(() => writeErr !== undefined);
  assert.equal(writeErr?.code, 'EPIPE');
  assert.equal(writeErr?.message, 'This socket has been ended by the other party');
});

test('writes before "connect" wait for the connection and keep their order; end() before connect is a FIN after them', async () => {
  const n = virtualNet();
  let got = '';
  let ended = false;
  n.b.net.createServer((s) => {
    s.on('data', (d: Buffer) => (got += d));
    s.on('end', () => (ended = true));
  }).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  c.write('one ');
  c.write('two ');
  c.end('three');
  assert.equal(c.pending, true);
  await n.until(() => ended);
  assert.equal(got, 'one two three');
});

test('Node: a bad port throws ERR_SOCKET_BAD_PORT synchronously, with Node’s message', () => {
  const n = virtualNet();
  for (const port of [70000, -1]) {
    let nodeErr: NetError | undefined;
    let ourErr: NetError | undefined;
    try {
      nodeNet.connect(port, '127.0.0.1'); // throws before any socket exists
    } catch (e) {
      nodeErr = e as NetError;
    }
    try {
      n.a.net.connect(port, '10.0.0.2');
    } catch (e) {
      ourErr = e as NetError;
    }
    assert.equal(ourErr?.code, 'ERR_SOCKET_BAD_PORT');
    assert.equal(ourErr?.code, nodeErr?.code);
    assert.equal(ourErr?.message, nodeErr?.message);
    assert.ok(ourErr instanceof RangeError);
  }
});

test('a Socket without a stack cannot connect; one wrapping a bare TcpSocket works as a stream', async () => {
  assert.throws(() => new Socket().connect(80, '10.0.0.2'), TypeError);
  const n = virtualNet();
  const l = n.b.listen(80); // the stack's own listener, no net/ involved
  let tcp: import('../../src/stack/socket.js').TcpSocket | undefined;
  l.on('connection', (t) => (tcp = t));
  const c = n.a.net.connect(80, '10.0.0.2', () => c.end('via a bare TcpSocket'));
  await n.until(() => tcp !== undefined);
  const wrapped = new Socket({ tcp: tcp!, stack: n.b });
  let got = '';
  wrapped.on('data', (d: Buffer) => (got += d));
  await n.until(() => wrapped.destroyed);
  assert.equal(got, 'via a bare TcpSocket');
});

test('Node: after "timeout" the idle timer re-arms only on new activity', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n);
  const fired: number[] = [];
  client.resume();
  client.setTimeout(1000, () => {});
  client.on('timeout', () => fired.push(n.clock.now()));
  await n.sleep(5000);
  assert.equal(fired.length, 1);
  server.write('wake up');
  await n.sleep(5000);
  assert.equal(fired.length, 2);
  assert.equal(fired[1]! - fired[0]!, 4000 + 1 + 1000, 'the data arrived 4001 ms after the first timeout (1 ms link), then 1000 ms idle');
  client.destroy();
});

test('destroy() while a large write is stalled: the write callback completes, "close" follows, the TCB closes', async () => {
  const n = virtualNet({ tcp: { sendBufferSize: 8192 } });
  const { client } = await pair(n, { pauseOnConnect: true });
  let cbCalled = false;
  let closed = false;
  client.write(Buffer.alloc(1024 * 1024), () => (cbCalled = true));
  client.on('close', () => (closed = true));
  await n.sleep(50);
  assert.equal(cbCalled, false, 'still stalled');
  client.destroy();
  await n.until(() => closed && cbCalled);
});
