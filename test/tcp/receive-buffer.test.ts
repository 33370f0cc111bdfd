/**
 * The receive buffer (receive-queue.ts) and the assembler (reassembly.ts):
 * each payload is copied once into storage the connection owns, allocated on
 * demand, and the memory held is bounded by the window whatever the segment
 * sizes (TCP-BEHAVIOR R9, D3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_PAGE, MIN_PAGE, ReceiveQueue, pageLimit, receiveMemoryBound } from '../../src/tcp/receive-queue.js';
import { Reassembly } from '../../src/tcp/reassembly.js';
import { CHUNK } from '../../src/tcp/island-set.js';
import { tcpTest } from '../helpers/tcp-test.js';

/** Stream bytes with a position-dependent pattern, so a byte out of place shows. */
function pattern(from: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ((from + i) * 7 + ((from + i) >>> 8)) & 0xff;
  return b;
}

function drain(q: ReceiveQueue, max?: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let d = q.read(max); d; d = q.read(max)) parts.push(d);
  return new Uint8Array(Buffer.concat(parts));
}

test('receive queue: an unused queue holds no storage; a small exchange read to the end leaves none', () => {
  const q = new ReceiveQueue();
  assert.equal(q.memory, 0);
  assert.equal(q.read(), null);
  q.push(pattern(0, 300));
  assert.ok(q.memory > 0 && q.memory <= 1024, `one small page, got ${q.memory}`);
  assert.deepEqual(q.read(), pattern(0, 300));
  assert.equal(q.length, 0);
  assert.equal(q.memory, 0, 'storage released once everything was read');
});

test('receive queue: a first segment of a few bytes takes a small slice of a shared slab, not a 1 KiB buffer of its own', () => {
  // A short connection (connect, 1 byte each way, close) paid for a fresh 1 KiB ArrayBuffer per receiving end.
  const queues = Array.from({ length: 4 }, () => new ReceiveQueue());
  const views = queues.map((q, k) => {
    q.push(Uint8Array.of(k + 1));
    return q.read()!;
  });
  for (const [k, v] of views.entries()) {
    assert.deepEqual(v, Uint8Array.of(k + 1));
    assert.ok(v.buffer.byteLength <= MIN_PAGE, `a slice of at most one small page's buffer, got ${v.buffer.byteLength}`);
  }
  assert.equal(new Set(views.map((v) => v.buffer)).size, 1, 'the four 1-byte pages share one buffer');
  // Views stay valid while the other queues (and the slab's next slices) are written and read.
  for (const [k, q] of queues.entries()) {
    q.push(pattern(1, 200).fill(0xf0 + k));
    q.push(pattern(201, 1500));
    assert.deepEqual(drain(q), Uint8Array.from([...new Uint8Array(200).fill(0xf0 + k), ...pattern(201, 1500)]));
  }
  views.forEach((v, k) => assert.deepEqual(v, Uint8Array.of(k + 1)));
});

test('receive queue: pushed segments are copied — the caller may reuse its buffer — and read in order', () => {
  const q = new ReceiveQueue();
  const buf = new Uint8Array(1448);
  let sent = 0;
  for (let k = 0; k < 200; k++) {
    buf.set(pattern(sent, buf.length));
    q.push(buf);
    buf.fill(0xee); // a link reusing its packet buffer
    sent += buf.length;
  }
  assert.equal(q.length, sent);
  assert.deepEqual(drain(q, 5000), pattern(0, sent));
});

test('receive queue: a view handed out by read() never changes afterwards', () => {
  const q = new ReceiveQueue();
  q.push(pattern(0, 100));
  const first = q.read(60)!;
  const copy = first.slice();
  for (let k = 0; k < 100; k++) q.push(pattern(100 + k * 1000, 1000).fill(k));
  assert.deepEqual(first, copy);
  assert.deepEqual(q.read(40), pattern(60, 40));
});

test('receive queue: read(max) returns exactly min(max, length), copying only across a page edge', () => {
  const q = new ReceiveQueue();
  q.push(pattern(0, 1000));
  q.push(pattern(1000, 3000)); // the second write crosses into further pages
  const first = q.read(600)!;
  assert.deepEqual(first, pattern(0, 600));
  assert.equal(first.buffer.byteLength, 1024, 'a view into the first page');
  assert.deepEqual(q.read(2000), pattern(600, 2000));
  assert.deepEqual(q.read(), pattern(2600, 1400));
  assert.equal(q.read(), null);
});

test('receive queue: full-sized segments do not straddle pages once the stream is large', () => {
  const q = new ReceiveQueue();
  let pos = 0;
  let whole = 0;
  for (let k = 0; k < 400; k++) {
    q.push(pattern(pos, 1448));
    const d = q.read()!;
    assert.deepEqual(d, pattern(pos, 1448));
    if (k >= 50 && d.byteLength !== d.buffer.byteLength) whole++; // a view into a page, not a copy
    pos += 1448;
  }
  assert.equal(whole, 350, 'past the first small pages, each segment lies in one page: every read is a view, not a copy');
  assert.ok(q.memory <= MAX_PAGE, 'a bulk stream keeps at most its current page between reads');
});

test('property: whatever the segment size and buffer size, storage stays within receiveMemoryBound of the bytes held', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 512, max: 300_000 }), (size, readEvery, bufferSize) => {
      const q = new ReceiveQueue(bufferSize);
      assert.equal(q.maxPage, pageLimit(bufferSize));
      assert.ok(q.maxPage <= Math.max(MIN_PAGE, bufferSize / 2));
      const seg = Math.min(size, bufferSize);
      let written = 0;
      for (let k = 0; k < 300 && written < 4 * MAX_PAGE + bufferSize; k++) {
        if (q.length + seg > bufferSize) q.read(seg); // the window: never more than the buffer held
        q.push(pattern(written, seg));
        written += seg;
        if (readEvery > 0 && k % readEvery === 0) q.read(seg);
        const bound = receiveMemoryBound(q.length, q.maxPage);
        assert.ok(q.memory <= bound, `segment ${seg}, buffer ${bufferSize}: ${q.memory} B for ${q.length} B held > ${bound}`);
        assert.ok(q.memory <= 2 * bufferSize + 2048);
      }
    }),
    { numRuns: 300 },
  );
});

test('receive queue: a large payload that fills its packet is copied (the packet is valid only during the call), or kept as it is when the link gave the packet away (owned); a small one is always copied', () => {
  const q = new ReceiveQueue();
  const packet = new Uint8Array(40 + 65000);
  packet.set(pattern(0, 65000), 40);
  q.push(packet.subarray(40));
  packet.fill(0xee); // the link reuses its buffer
  const copied = q.read()!;
  assert.notEqual(copied.buffer, packet.buffer, 'a copy');
  assert.deepEqual(copied, pattern(0, 65000));
  assert.equal(q.read(), null);
  const owned = new Uint8Array(40 + 65000);
  owned.set(pattern(65000, 65000), 40);
  q.push(owned.subarray(40), true);
  assert.equal(q.memory, owned.length, 'the whole packet is accounted for');
  const d = q.read()!;
  assert.equal(d.buffer, owned.buffer, 'no copy');
  assert.deepEqual(d, pattern(65000, 65000));
  assert.equal(q.memory, 0);
  const small = new Uint8Array(40 + 1000);
  q.push(small.subarray(40), true);
  assert.notEqual(q.read()!.buffer, small.buffer, 'a small payload is copied: its packet is not pinned');
  const sparse = new Uint8Array(4 * 65000); // a large payload in a much larger buffer is copied too
  q.push(sparse.subarray(0, 65000), true);
  assert.notEqual(q.read()!.buffer, sparse.buffer);
});

test('receive queue: bytes written ahead join the readable part on commit', () => {
  const q = new ReceiveQueue();
  q.push(pattern(0, 10));
  q.writeAhead(20, pattern(30, 10)); // a hole at 10..30
  assert.equal(q.length, 10);
  q.push(pattern(10, 20));
  q.commit(10);
  assert.deepEqual(drain(q), pattern(0, 40));
  assert.throws(() => q.commit(1), RangeError);
});

test('reassembly: islands merge, SACK blocks list the newest first, and RCV.NXT joins them', () => {
  const q = new ReceiveQueue();
  const r = new Reassembly(q, 8);
  const nxt = 1000;
  assert.ok(r.isEmpty);
  r.insert(1010, pattern(10, 5), nxt); // [1010,1015)
  r.insert(1030, pattern(30, 5), nxt); // [1030,1035)
  r.insert(1020, pattern(20, 5), nxt); // [1020,1025)
  assert.equal(r.blockCount, 3);
  assert.deepEqual(r.sackBlocks(4), [
    [1020, 1025],
    [1030, 1035],
    [1010, 1015],
  ]);
  r.insert(1015, pattern(15, 5), nxt); // bridges the first two: [1010,1025)
  assert.equal(r.blockCount, 2);
  assert.equal(r.size, 20);
  assert.deepEqual(r.sackBlocks(4), [
    [1010, 1025],
    [1030, 1035],
  ]);
  assert.equal(r.takeFrom(nxt), 0, 'nothing reaches RCV.NXT yet');
  q.push(pattern(0, 12)); // in-order data overlapping the first island
  assert.equal(r.takeFrom(1012), 13, 'RCV.NXT 1012 reaches the island ending at 1025');
  assert.equal(r.blockCount, 1);
  assert.equal(r.size, 5);
  assert.deepEqual(drain(q), pattern(0, 25));
  q.push(pattern(25, 5));
  assert.equal(r.takeFrom(1030), 5);
  assert.ok(r.isEmpty);
  assert.deepEqual(drain(q), pattern(25, 10));
});

test('reassembly: a new island beyond the block limit is dropped, and nothing of it is stored', () => {
  const q = new ReceiveQueue();
  const r = new Reassembly(q, 2);
  assert.ok(r.insert(110, pattern(10, 1), 100));
  assert.ok(r.insert(120, pattern(20, 1), 100));
  assert.equal(r.insert(130, pattern(30, 1), 100), false);
  assert.ok(r.insert(121, pattern(21, 1), 100), 'growing an island is still allowed');
  assert.equal(r.size, 3);
});

test('R9 1-byte out-of-order segments: receive memory stays within the window plus two pages, and every byte arrives once', () => {
  const t = tcpTest({ cfg: { recvBufferSize: 65535, sack: true } });
  t.establishPassive();
  const base = 5001;
  const window = 65535;
  const stream = pattern(0, window);
  const bound = window + 2 * pageLimit(window); // 1-byte segments never leave a page end unused: tighter than receiveMemoryBound
  assert.ok(bound <= receiveMemoryBound(window, pageLimit(window)));
  const payload = new Uint8Array(1); // one buffer for every segment: the connection must copy
  // From the right edge of the window down to the second byte: one island that grows to the left.
  for (let off = window - 1; off >= 1; off--) {
    payload[0] = stream[off]!;
    t.send({ flags: 'ACK', seq: base + off, ack: 1001, payload });
    assert.ok(t.c.receiveMemory <= bound, `receive memory ${t.c.receiveMemory} > ${bound} after offset ${off}`);
  }
  assert.equal(t.c.info().oooBytes, window - 1);
  assert.ok(t.c.receiveMemory <= bound);
  t.out.length = 0;
  payload[0] = stream[0]!;
  t.send({ flags: 'ACK', seq: base, ack: 1001, payload });
  t.recv({ flags: 'ACK', ack: base + window });
  assert.equal(t.c.readableBytes, window);
  const got = new Uint8Array(window);
  let n = 0;
  for (let d = t.user.read(); d; d = t.user.read()) {
    got.set(d, n);
    n += d.length;
  }
  assert.equal(n, window);
  assert.deepEqual(got, stream);
  assert.equal(t.c.receiveMemory, 0, 'read to the end: no receive storage left');
});

test('R9 1-byte islands all over a 64 KiB window: at most oooMaxBlocks (per 64 KiB of window) are kept, memory stays within the bound', () => {
  const t = tcpTest({ cfg: { recvBufferSize: 65535, sack: true, oooMaxBlocks: 64 } });
  t.establishPassive();
  const payload = new Uint8Array([42]);
  for (let off = 65533; off >= 2; off -= 2) {
    t.send({ flags: 'ACK', seq: 5001 + off, ack: 1001, payload });
    assert.ok(t.c.receiveMemory <= receiveMemoryBound(65535, pageLimit(65535)));
  }
  assert.equal(t.c.info().oooBytes, 64);
});

test('R9 the island limit scales with the window: a 4 MiB window keeps 1000 islands of full-sized segments (64 did before)', () => {
  const t = tcpTest({ cfg: { recvBufferSize: 4 * 1024 * 1024, windowScaling: true, sack: true } });
  t.user.listen();
  t.send({ flags: 'SYN', seq: t.peerIsn, options: { mss: 1460, sackPermitted: true, wscale: 7 } });
  t.recv({ flags: 'SYN,ACK', seq: t.isn, ack: t.peerIsn + 1 });
  t.send({ flags: 'ACK', seq: t.peerIsn + 1, ack: t.isn + 1 });
  t.expectState('ESTABLISHED');
  const mss = 1448;
  const base = t.peerIsn + 1;
  const islands = 1000;
  // Every other segment is missing (the first too): 1000 islands a segment apart, in 2.9 MB of the window.
  for (let k = 1; k <= islands; k++) {
    t.send({ flags: 'ACK', seq: base + (2 * k - 1) * mss, ack: t.isn + 1, payload: pattern((2 * k - 1) * mss, mss) });
    const ack = t.out.at(-1)!;
    assert.equal(ack.ack, base, 'each out-of-order segment is ACKed at once, RCV.NXT unchanged');
    assert.deepEqual(ack.options.sack?.[0], [base + (2 * k - 1) * mss, base + 2 * k * mss], `island ${k} is the first SACK block`);
  }
  assert.equal(t.c.info().oooBytes, islands * mss, 'every island is kept');
  assert.ok(t.c.receiveMemory <= receiveMemoryBound(4 * 1024 * 1024), `receive memory ${t.c.receiveMemory}`);
  // The holes fill: the whole stream becomes readable, byte for byte.
  for (let k = 0; k < islands; k++) t.send({ flags: 'ACK', seq: base + 2 * k * mss, ack: t.isn + 1, payload: pattern(2 * k * mss, mss) });
  assert.equal(t.out.at(-1)!.ack, base + 2 * islands * mss);
  assert.equal(t.c.info().oooBytes, 0);
  const got = Buffer.concat([...(function* () { for (let d = t.user.read(); d; d = t.user.read()) yield d; })()]);
  assert.deepEqual(new Uint8Array(got), pattern(0, 2 * islands * mss));
});

test('R9 1-byte islands over a 4 MiB span: at most one per KiB is kept, and each segment costs binary searches and moves bounded by a chunk, at the front too', () => {
  const q = new ReceiveQueue(4 * 1024 * 1024);
  const r = new Reassembly(q, 64);
  const nxt = 0xfff0_0000; // the span crosses the sequence-space wrap
  const span = 4 * 1024 * 1024;
  const limit = r.limitFor(span);
  assert.equal(limit, 4096);
  assert.equal(r.limitFor(65535), 64, 'at least perWindow whatever the span');
  const byte = new Uint8Array(1);
  let maxStep = 0;
  let kept = 0;
  // Descending from the right edge: every insert is a new island at the front of the ones held (the most moved).
  for (let i = 0; i < limit + 1000; i++) {
    const off = span - 1 - 2 * i;
    const before = r.work;
    if (r.insert((nxt + off) >>> 0, byte, nxt)) kept++;
    r.sackBlocks(4);
    r.overlap((nxt + off) >>> 0, (nxt + off + 1) >>> 0);
    maxStep = Math.max(maxStep, r.work - before);
  }
  assert.equal(kept, limit);
  assert.equal(r.blockCount, limit);
  assert.equal(r.size, limit);
  // A chunk's worth of islands moved, the chunk list on a split or join, and the binary searches: far below the island count.
  const perInsert = 4 * CHUNK + 2 * ((4 * limit) / CHUNK + 2) + 64;
  assert.ok(perInsert < limit / 4);
  assert.ok(maxStep <= perInsert, `one segment cost ${maxStep} operations (bound ${perInsert})`);
  // At the front of the islands held, bridge the two lowest (a merge frees room) and open a new lowest one, again and again.
  let low = (nxt + span - 1 - 2 * (limit - 1)) >>> 0;
  for (let i = 0; i < 2000; i++) {
    let before = r.work;
    assert.ok(r.insert((low + 1) >>> 0, byte, nxt), 'filling a hole is always taken');
    maxStep = Math.max(maxStep, r.work - before);
    assert.equal(r.blockCount, limit - 1);
    low = (low - 2) >>> 0;
    before = r.work;
    assert.ok(r.insert(low, byte, nxt), 'room for one island');
    maxStep = Math.max(maxStep, r.work - before);
    assert.equal(r.blockCount, limit);
    assert.deepEqual(r.sackBlocks(1), [[low, (low + 1) >>> 0]]);
  }
  assert.ok(maxStep <= perInsert, `one segment cost ${maxStep} operations (bound ${perInsert})`);
  assert.ok(q.memory <= receiveMemoryBound(span, q.maxPage), `memory ${q.memory}`);
});

test('property: the reassembler holds exactly the bytes inserted, as the fewest islands, across chunk splits and joins', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(6000), fc.integer({ min: 1, max: 40 }), fc.nat(30)), { minLength: 1, maxLength: 1500 }),
      fc.nat(0xffff_ffff),
      (ops, nxt0) => {
        const q = new ReceiveQueue();
        const r = new Reassembly(q, 1 << 20); // no limit: many chunks
        const held = new Uint8Array(6100);
        let nxt = 0; // offset of RCV.NXT from nxt0
        for (const [at, len, advance] of ops) {
          if (advance === 0) {
            // In-order data up to the first hole, as the connection does: push, then take the islands it reaches.
            const add = 1 + (at % 50);
            q.push(new Uint8Array(add));
            for (let i = nxt; i < nxt + add && i < held.length; i++) held[i] = 0;
            nxt += add;
            const joined = r.takeFrom((nxt0 + nxt) >>> 0);
            let expect = 0;
            while (nxt + expect < held.length && held[nxt + expect]) held[nxt + expect++] = 0;
            assert.equal(joined, expect);
            nxt += joined;
            continue;
          }
          const off = nxt + 1 + at;
          if (off + len > held.length) continue;
          assert.ok(r.insert((nxt0 + off) >>> 0, new Uint8Array(len), (nxt0 + nxt) >>> 0));
          held.fill(1, off, off + len);
          let islands = 0;
          let bytes = 0;
          for (let i = nxt; i < held.length; i++) {
            bytes += held[i]!;
            if (held[i] && !held[i - 1]) islands++;
          }
          assert.equal(r.blockCount, islands);
          assert.equal(r.size, bytes);
          const first = r.sackBlocks(4)[0]!;
          assert.ok(((off - ((first[0] - nxt0) >>> 0)) >>> 0) < ((first[1] - first[0]) >>> 0), 'the first SACK block holds the newest segment');
        }
        for (let i = nxt; i < held.length; i += 7) {
          const o = r.overlap((nxt0 + i) >>> 0, (nxt0 + i + 1) >>> 0);
          assert.equal(o !== undefined, held[i] === 1, `byte ${i}`);
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('an established connection that received nothing holds no receive storage', () => {
  const t = tcpTest();
  t.establishPassive();
  assert.equal(t.c.receiveMemory, 0);
});
