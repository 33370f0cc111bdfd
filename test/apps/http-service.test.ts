/** The HTTP test service of `synack serve --http`, with node:http clients, on two in-memory stacks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import http from 'node:http';
import { startHttp } from '../../src/apps/http-service.js';
import { CHUNK_BYTES, PERIOD, pseudoRandomBytes, pseudoRandomChunks, pseudoRandomSha256 } from '../../src/apps/pseudo-random.js';
import type { NetStack } from '../../src/net/index.js';
import { realNet } from '../helpers/real-net.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(client: NetStack, method: string, path: string, body?: Uint8Array): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ method, path, host: '10.0.0.2', createConnection: () => client.net.connect(80, '10.0.0.2') }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('pseudo-random bytes: deterministic per (n, seed), chunked, and hashed without holding them', async () => {
  const a = pseudoRandomBytes(200_000, 3);
  assert.equal(a.length, 200_000);
  assert.ok(a.equals(pseudoRandomBytes(200_000, 3)));
  assert.ok(!a.equals(pseudoRandomBytes(200_000, 4)));
  assert.ok(pseudoRandomBytes(1000, 3).equals(a.subarray(0, 1000)), 'a prefix of a longer body');
  assert.deepEqual([...pseudoRandomChunks(2 * CHUNK_BYTES + 5)].map((c) => c.length), [CHUNK_BYTES, CHUNK_BYTES, 5]);
  assert.equal(await pseudoRandomSha256(200_000, 3), sha256(a));
  assert.equal(await pseudoRandomSha256(0), sha256(new Uint8Array(0)));
  assert.throws(() => [...pseudoRandomChunks(-1)], RangeError);
});

test('pseudo-random bytes: the AES-128-CTR keystream of the seed for PERIOD bytes, then the same block again; chunks do not alias a copy', () => {
  const key = Buffer.from('synack-bytes----', 'latin1');
  key.writeUInt32BE(7, 12);
  const keystream = createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(PERIOD));
  const n = 2 * PERIOD + 3 * CHUNK_BYTES + 11; // chunk boundaries fall across both wraps
  const body = pseudoRandomBytes(n, 7);
  assert.ok(body.subarray(0, PERIOD).equals(keystream), 'the first PERIOD bytes are the keystream');
  assert.ok(body.subarray(PERIOD, 2 * PERIOD).equals(keystream), 'then it repeats');
  assert.ok(body.subarray(2 * PERIOD).equals(keystream.subarray(0, n - 2 * PERIOD)));
  assert.ok(Buffer.concat([...pseudoRandomChunks(n, 7)]).equals(body), 'the chunks make the same bytes');
  assert.equal(Math.max(...[...pseudoRandomChunks(n, 7)].map((c) => c.length)), CHUNK_BYTES);
  body.fill(0); // pseudoRandomBytes returns a copy: changing it leaves the next body alone
  assert.ok(pseudoRandomBytes(n, 7).subarray(PERIOD, 2 * PERIOD).equals(keystream));
});

test('http service: GET /bytes/N streams N bytes matching X-Content-SHA256; POST /sha256 hashes the body; errors are 400/404/405', async () => {
  const n = realNet();
  try {
    const svc = await startHttp(n.b.net, 80, { maxBytes: 10_000_000 });
    const big = await request(n.a, 'GET', '/bytes/3000000');
    assert.equal(big.status, 200);
    assert.equal(big.headers['content-length'], '3000000');
    assert.equal(big.body.length, 3_000_000);
    assert.equal(sha256(big.body), big.headers['x-content-sha256']);
    assert.ok(big.body.equals(pseudoRandomBytes(3_000_000, 0)));

    const seeded = await request(n.a, 'GET', '/bytes/1000?seed=9');
    assert.ok(seeded.body.equals(pseudoRandomBytes(1000, 9)));
    const head = await request(n.a, 'HEAD', '/bytes/5000');
    assert.equal(head.status, 200);
    assert.equal(head.headers['x-content-sha256'], sha256(pseudoRandomBytes(5000)));
    assert.equal(head.body.length, 0);
    assert.equal((await request(n.a, 'GET', '/bytes/0')).body.length, 0);

    const upload = pseudoRandomBytes(2_000_000, 5);
    const posted = await request(n.a, 'POST', '/sha256', upload);
    assert.equal(posted.status, 200);
    assert.equal(posted.body.toString(), `${sha256(upload)}\n`);
    assert.equal(posted.headers['x-request-bytes'], '2000000');

    for (const path of ['/bytes/abc', '/bytes/-1', '/bytes/1.5', '/bytes/10000001', '/bytes/', '/bytes/10?seed=x', '/bytes/10?seed=4294967296']) {
      const r = await request(n.a, 'GET', path);
      assert.equal(r.status, 400, path);
    }
    assert.equal((await request(n.a, 'GET', '/nope')).status, 404);
    assert.equal((await request(n.a, 'POST', '/bytes/10', Buffer.from('x'))).status, 405);
    assert.equal((await request(n.a, 'GET', '/sha256')).status, 405);
    assert.match((await request(n.a, 'GET', '/')).body.toString(), /GET {2}\/bytes\/N/);
    await svc.close(1000);
    assert.equal(svc.sockets.size, 0);
  } finally {
    n.close();
  }
});
