/**
 * The socket reads what its TCB has queued on the next tick after the TCB says bytes are waiting
 * (net/socket.ts queuePull), so segments that arrive together reach the reader as one 'data' chunk, as
 * the kernel's reads coalesce what a softirq queued. What must not change: bytes and their order,
 * 'end' after the last byte, backpressure (a paused reader closes the window and reopens it), and the
 * bytes before a RST reaching 'data' before the error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from '../../src/net/index.js';
import { virtualNet } from '../helpers/virtual-net.js';

const PORT = 7000;

function pattern(n: number, salt = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + salt) & 0xff;
  return b;
}

test('segments that arrive in one instant reach the reader as one coalesced data chunk, bytes in order, then end', async () => {
  const n = virtualNet({ link: { delayMs: 0 } });
  const chunks: Buffer[] = [];
  let ended = false;
  n.b.net
    .createServer((s) => {
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => {
        ended = true;
        s.end();
      });
    })
    .listen(PORT);
  const c = n.a.net.connect(PORT, '10.0.0.2');
  await n.until(() => !c.connecting, { what: 'connect' });
  const sent = pattern(8 * 1460);
  c.end(sent); // eight full segments, sent back to back in one instant
  await n.until(() => ended, { what: 'end' });
  const got = Buffer.concat(chunks);
  assert.equal(got.length, sent.length);
  assert.ok(got.equals(sent), 'the same bytes in the same order');
  assert.ok(chunks.length < 8, `coalesced: ${chunks.length} 'data' events for 8 segments`);
});

test('a paused reader closes the window; resume() reopens it and every byte arrives before end', async () => {
  const n = virtualNet();
  let server: Socket | undefined;
  const chunks: Buffer[] = [];
  let ended = false;
  n.b.net
    .createServer((s) => {
      server = s;
      s.setRecvBufferSize(64 * 1024);
      s.pause();
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => (ended = true));
    })
    .listen(PORT);
  const c = n.a.net.connect(PORT, '10.0.0.2');
  const sent = pattern(1024 * 1024, 7);
  let drained = false;
  c.on('drain', () => (drained = true));
  const more = c.write(sent);
  assert.equal(more, false, 'write() returns false: the stream holds more than its high-water mark');
  await n.until(() => server !== undefined && server.tcpSocket!.info().rcvWnd === 0, { what: 'zero window', maxMs: 60_000 });
  assert.equal(chunks.length, 0, 'paused: no data event');
  assert.equal(drained, false, 'the sender cannot drain into a closed window');
  const queued = server!.tcpSocket!.info().recvQueue;
  assert.ok(queued > 0, `the bytes wait in the TCB (Recv-Q ${queued})`);
  assert.ok(server!.readableLength <= 64 * 1024, `the stream holds at most one read (${server!.readableLength})`);
  server!.resume();
  await n.until(() => drained, { what: "'drain' once the window reopened and the TCB took everything", maxMs: 600_000 });
  c.end();
  await n.until(() => ended, { what: 'end', maxMs: 600_000 });
  const got = Buffer.concat(chunks);
  assert.equal(got.length, sent.length);
  assert.ok(got.equals(sent));
});

test('pause() in a data listener holds back the rest of a coalesced batch until resume()', async () => {
  const n = virtualNet({ link: { delayMs: 0 } });
  let server: Socket | undefined;
  const chunks: Buffer[] = [];
  n.b.net
    .createServer((s) => {
      server = s;
      s.on('data', (d: Buffer) => {
        chunks.push(d);
        s.pause();
      });
    })
    .listen(PORT);
  const c = n.a.net.connect(PORT, '10.0.0.2');
  await n.until(() => server !== undefined && !c.connecting, { what: 'accepted' });
  const sent = pattern(200 * 1024, 3); // more than one 64 KiB read
  c.write(sent);
  await n.until(() => chunks.length > 0, { what: 'first data' });
  await n.sleep(50);
  assert.equal(chunks.length, 1, 'paused after the first chunk: no more data events');
  let total = chunks[0]!.length;
  assert.ok(total < sent.length);
  while (total < sent.length) {
    const before = chunks.length;
    server!.resume();
    await n.until(() => chunks.length > before, { what: `data after ${total} bytes` });
    total = chunks.reduce((s, d) => s + d.length, 0);
  }
  assert.ok(Buffer.concat(chunks).equals(sent));
  c.destroy();
  server!.destroy();
});

test('bytes that arrive with a RST reach data before the ECONNRESET error', async () => {
  const n = virtualNet();
  const events: string[] = [];
  n.b.net
    .createServer((s) => {
      s.write('last words');
      s.resetAndDestroy();
    })
    .listen(PORT);
  const c = n.a.net.connect(PORT, '10.0.0.2');
  c.on('data', (d: Buffer) => events.push(`data ${String(d)}`));
  c.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
  c.on('close', () => events.push('close'));
  await n.until(() => events.includes('close'), { what: 'close' });
  assert.deepEqual(events, ['data last words', 'error ECONNRESET', 'close']);
});
