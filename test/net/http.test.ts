/**
 * node:http, unchanged, over synack: an http.Server fed with synack sockets
 * (`httpServer.emit('connection', socket)`) and clients that get their
 * sockets from `createConnection` — directly and through an http.Agent
 * subclass with keep-alive. Wall-clock tests use the RealClock; the lossy
 * ones run in virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { NetStack } from '../../src/net/index.js';
import { realNet } from '../helpers/real-net.js';
import { virtualNet } from '../helpers/virtual-net.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** An http.Server on `stack` port 80; counts the TCP connections it was handed. */
function httpServer(stack: NetStack, handler: http.RequestListener): { connections: () => number; close: () => Promise<void> } {
  const hs = http.createServer(handler);
  let connections = 0;
  // allowHalfOpen: true and noDelay: true are what http.Server passes to its own net.Server.
  const srv = stack.net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    connections++;
    hs.emit('connection', socket);
  });
  srv.listen(80);
  return {
    connections: () => connections,
    // Resolves on the net.Server's 'close': every socket node:http was handed has been destroyed.
    close: () =>
      new Promise<void>((resolve) => {
        hs.close();
        srv.close(() => resolve());
      }),
  };
}

/** Node's http.Agent with its sockets from a synack stack: only createConnection changes. */
class SynackAgent extends http.Agent {
  constructor(
    private readonly stack: NetStack,
    options?: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: { port?: number | string | null; host?: string | null }): Duplex {
    return this.stack.net.createConnection({ port: Number(options.port), host: options.host ?? '10.0.0.2' });
  }
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  reused: boolean;
}

function request(options: http.RequestOptions, body?: Uint8Array): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Echo handler: hashes the request body and answers with a body of the requested size. */
const hashingHandler: http.RequestListener = (req, res) => {
  const h = createHash('sha256');
  let n = 0;
  req.on('data', (c: Buffer) => {
    h.update(c);
    n += c.length;
  });
  req.on('end', () => {
    const size = Number(new URL(req.url!, 'http://x').searchParams.get('size') ?? '0');
    const body = pattern(size, 99);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-request-bytes': String(n), 'x-request-sha256': h.digest('hex'), 'x-body-sha256': sha256(body) });
    res.end(body);
  });
};

test('node:http over synack: a GET through http.request({ createConnection }) (RealClock)', async () => {
  const n = realNet({ link: { delayMs: 0.2 } });
  try {
    const server = httpServer(n.b, (req, res) => res.end(`hello ${req.method} ${req.url} from ${req.socket.remoteAddress}`));
    const reply = await request({ path: '/x?y=1', headers: { host: '10.0.0.2' }, createConnection: () => n.a.net.connect(80, '10.0.0.2') });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'hello GET /x?y=1 from 10.0.0.1');
    assert.equal(server.connections(), 1);
    await server.close();
  } finally {
    n.close();
  }
});

test('node:http over synack: 5 MB request and 5 MB response bodies arrive intact (SHA-256) (RealClock)', async () => {
  const n = realNet();
  try {
    const server = httpServer(n.b, hashingHandler);
    const upload = pattern(5 * 1024 * 1024, 7);
    const reply = await request({ method: 'POST', path: `/upload?size=${5 * 1024 * 1024}`, createConnection: () => n.a.net.connect(80, '10.0.0.2') }, upload);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['x-request-bytes'], String(upload.length));
    assert.equal(reply.headers['x-request-sha256'], sha256(upload));
    assert.equal(reply.body.length, 5 * 1024 * 1024);
    assert.equal(sha256(reply.body), reply.headers['x-body-sha256']);
    await server.close();
  } finally {
    n.close();
  }
});

test('node:http keep-alive: an http.Agent subclass sends several requests over ONE synack TCP connection (RealClock)', async () => {
  const n = realNet({ link: { delayMs: 0.2 } });
  try {
    let requests = 0;
    const server = httpServer(n.b, (req, res) => {
      requests++;
      req.resume();
      req.on('end', () => res.end(`#${requests} ${req.url}`));
    });
    const agent = new SynackAgent(n.a, { keepAlive: true, maxSockets: 1 });
    const replies: Reply[] = [];
    for (let i = 0; i < 4; i++) replies.push(await request({ host: '10.0.0.2', port: 80, path: `/seq/${i}`, agent }));
    // Two more at once: with maxSockets 1 they queue on the same connection.
    replies.push(...(await Promise.all([request({ host: '10.0.0.2', port: 80, path: '/par/a', agent }), request({ host: '10.0.0.2', port: 80, method: 'POST', path: '/par/b', agent }, Buffer.alloc(100_000))])));
    assert.deepEqual(
      replies.map((r) => r.body.toString()),
      ['#1 /seq/0', '#2 /seq/1', '#3 /seq/2', '#4 /seq/3', '#5 /par/a', '#6 /par/b'],
    );
    // reusedSocket is set when a request takes an idle socket; a request that waited in the agent's queue
    // (the last one) gets the same socket when it is freed but is not flagged (Node's semantics).
    assert.deepEqual(
      replies.slice(0, 5).map((r) => r.reused),
      [false, true, true, true, true],
    );
    assert.equal(server.connections(), 1, 'one accepted connection');
    assert.equal(n.a.stats().ActiveOpens, 1, 'one SYN sent');
    assert.equal(n.a.connections().filter((r) => r.state === 'ESTABLISHED').length, 1);
    agent.destroy();
    await server.close();
  } finally {
    n.close();
  }
});

test('node:http in virtual time over a lossy link (2 % loss): 1 MB each way arrives intact, with retransmissions', async () => {
  const n = virtualNet({ link: { loss: 0.02, seed: 11, delayMs: 5 } });
  const server = httpServer(n.b, hashingHandler);
  const upload = pattern(1024 * 1024, 3);
  let reply: Reply | undefined;
  let failure: unknown;
  request({ method: 'PUT', path: `/lossy?size=${1024 * 1024}`, createConnection: () => n.a.net.connect(80, '10.0.0.2') }, upload).then(
    (r) => (reply = r),
    (e) => (failure = e),
  );
  await n.until(() => reply !== undefined || failure !== undefined, { what: 'response', maxMs: 600_000 });
  assert.equal(failure, undefined);
  assert.equal(reply!.headers['x-request-sha256'], sha256(upload));
  assert.equal(sha256(reply!.body), reply!.headers['x-body-sha256']);
  assert.ok(n.a.stats().RetransSegs > 0 && n.b.stats().RetransSegs > 0, 'both directions lost and retransmitted segments');
  assert.ok(n.linkA.stats.dropped > 0 && n.linkB.stats.dropped > 0);
  let closed = false;
  void server.close().then(() => (closed = true));
  await n.until(() => closed, { what: 'every accepted socket closed' });
});

test('node:http "Connection: close": the server closes first, so the server side holds TIME_WAIT (virtual time)', async () => {
  const n = virtualNet();
  const server = httpServer(n.b, (_req, res) => res.end('bye'));
  let reply: Reply | undefined;
  void request({ path: '/', headers: { connection: 'close' }, createConnection: () => n.a.net.connect(80, '10.0.0.2') }).then((r) => (reply = r));
  await n.until(() => reply !== undefined && n.b.connections().some((r) => r.state === 'TIME_WAIT'), { what: 'server TIME_WAIT' });
  assert.equal(reply!.body.toString(), 'bye');
  await n.sleep(100);
  assert.deepEqual(
    n.b.connections().map((r) => r.state).sort(),
    ['LISTEN', 'TIME_WAIT'],
  );
  assert.equal(n.a.connections().length, 0, 'the client’s side is gone (LAST_ACK → CLOSED)');
  let closed = false;
  void server.close().then(() => (closed = true));
  await n.until(() => closed, { what: 'server close' });
});
