/**
 * The write path: many small writes, cork()/uncork() and writev batching.
 * Every queued write costs O(1); small chunks buffered by the stream reach
 * the TCB coalesced, as libuv hands the kernel one iovec array per writev.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { virtualNet, type VirtualNet } from '../helpers/virtual-net.js';
import type { Socket } from '../../src/net/index.js';
import type { StackTraceEvent } from '../../src/stack/stack.js';

type Seg = Extract<StackTraceEvent, { type: 'segment' }>;

async function pair(n: VirtualNet): Promise<{ client: Socket; server: Socket }> {
  let server: Socket | undefined;
  n.b.net.createServer((s) => (server = s)).listen(80);
  const client = n.a.net.connect({ port: 80, host: '10.0.0.2' });
  await n.until(() => server !== undefined && !client.connecting, { what: 'connection' });
  return { client, server: server! };
}

test('500,000 small writes all arrive, in order (each queued write is O(1))', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n);
  const COUNT = 500_000;
  let received = 0;
  let checksum = 0;
  server.on('data', (d: Buffer) => {
    for (const byte of d) checksum = (checksum * 31 + byte) >>> 0;
    received += d.length;
  });
  let expected = 0;
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < COUNT; i++) {
    const chunk = Buffer.from([i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0x0a]);
    for (const byte of chunk) expected = (expected * 31 + byte) >>> 0;
    if (client.write(chunk)) ok++;
  }
  const queuedMs = performance.now() - t0;
  client.end();
  await n.until(() => received === COUNT * 4, { what: 'every byte', maxMs: 3_600_000 });
  const totalMs = performance.now() - t0;
  assert.equal(checksum, expected, 'same bytes, same order');
  assert.equal(client.bytesWritten, COUNT * 4);
  assert.ok(ok < COUNT, 'backpressure: write() returned false once the buffers filled');
  console.log(`# 500k 4-byte writes: queued in ${queuedMs.toFixed(0)} ms, delivered in ${totalMs.toFixed(0)} ms wall (virtual ${n.clock.now().toFixed(0)} ms)`);
});

test('cork() … uncork(): 1000 small writes reach the TCB as one batch and leave in full-sized segments', async () => {
  const n = virtualNet();
  const { client, server } = await pair(n);
  let received = '';
  server.on('data', (d: Buffer) => (received += d.toString()));
  const start = n.trace.length;
  client.cork();
  let text = '';
  for (let i = 0; i < 1000; i++) {
    const s = `line ${i}\n`;
    text += s;
    client.write(s);
  }
  assert.equal(client.writableLength, text.length, 'corked: everything waits in the stream');
  client.uncork();
  await n.until(() => received.length === text.length, { what: 'all corked data' });
  assert.equal(received, text);
  const data = n.trace.slice(start).filter((e): e is Seg => e.type === 'segment' && e.stack === 'A' && e.dir === 'out' && e.len > 0);
  const mss = client.tcpInfo()!.mss;
  assert.equal(data.length, Math.ceil(text.length / mss), `${data.length} segments for ${text.length} bytes at MSS ${mss}`);
});

test('writev: a write waiting on a full send buffer, then many buffered writes: one callback each, in order, bytes intact', async () => {
  const n = virtualNet({ tcp: { sendBufferSize: 4096 } });
  const { client, server } = await pair(n);
  let received = 0;
  server.on('data', (d: Buffer) => (received += d.length));
  const order: number[] = [];
  client.write(Buffer.alloc(10_000, 1), () => order.push(-1)); // more than the send buffer: held
  for (let i = 0; i < 300; i++) client.write(Buffer.alloc(7, 2), () => order.push(i));
  assert.ok(client.writableLength > 0);
  await n.until(() => order.length === 301, { what: 'every callback' });
  assert.deepEqual(order, [-1, ...Array.from({ length: 300 }, (_, i) => i)]);
  await n.until(() => received === 10_000 + 2100, { what: 'every byte' });
  assert.equal(client.bytesWritten, 12_100);
});
