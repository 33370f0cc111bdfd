/** The packet ring TunLink's reader thread fills (pure SharedArrayBuffer + Atomics; no root needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { MAX_PACKET, PacketRing, RingConsumer, RingProducer } from '../../src/link/tun/ring.js';
import { fill, sizeOf } from '../fixtures/ring-producer.js';

const SMALL = 1 << 18; // the smallest ring: 2 × (MAX_PACKET + 4) rounded up to a power of two

function put(p: RingProducer, bytes: number[]): boolean {
  const off = p.reserve(bytes.length);
  if (off < 0) return false;
  p.data.set(bytes, off);
  p.commit(bytes.length);
  return true;
}

test('capacity must be a power of two that holds two maximum-size packets', () => {
  assert.throws(() => PacketRing.create(1 << 16), RangeError);
  assert.throws(() => PacketRing.create(SMALL + 4), RangeError);
  assert.equal(new PacketRing(PacketRing.create(SMALL)).capacity, SMALL);
});

test('packets come out in order, each in a buffer of its own, and drain() honours max', () => {
  const sab = PacketRing.create(SMALL);
  const p = new RingProducer(sab);
  const c = new RingConsumer(sab);
  for (let i = 0; i < 5; i++) assert.ok(put(p, [i, i + 1, i + 2].slice(0, 1 + (i % 3))));
  const got: Uint8Array[] = [];
  assert.equal(c.drain((x) => got.push(x), 3), 3);
  assert.equal(c.drain((x) => got.push(x), 100), 2);
  assert.equal(c.drain((x) => got.push(x), 100), 0);
  assert.deepEqual(got.map((x) => [...x]), [[0], [1, 2], [2, 3, 4], [3], [4, 5]]);
  assert.ok(got.every((x) => !(x.buffer instanceof SharedArrayBuffer)), 'copies, not views of the ring');
  assert.equal(c.used(), 0);
});

test('in place, packets are views of the ring whose space the producer takes back once drain() has returned', () => {
  const sab = PacketRing.create(SMALL);
  const p = new RingProducer(sab);
  const c = new RingConsumer(sab);
  const big = new Array<number>(60_000).fill(7);
  assert.ok(put(p, [1, 2, 3]));
  const kept: Uint8Array[] = [];
  const seen: number[][] = [];
  assert.equal(c.drain((x) => {
    kept.push(x);
    seen.push([...x]);
  }, 10, 0, true), 1);
  assert.deepEqual(seen, [[1, 2, 3]], 'valid during the call');
  assert.ok(kept[0]!.buffer instanceof SharedArrayBuffer, 'a view, not a copy');
  // The producer fills the ring, wraps, and writes over the space of the packet drained above.
  let n = 0;
  while (put(p, big)) n++;
  c.drain(() => {}, 100, 0, true);
  while (put(p, big)) n++;
  assert.ok(n > 4);
  assert.notDeepEqual([...kept[0]!], [1, 2, 3], 'a view kept past the call reads other bytes');
  assert.equal(c.drain(() => {}, 100, 0, true) > 0, true);
});

test('records never straddle the end: the producer pads and wraps; a full ring refuses until drained', () => {
  const sab = PacketRing.create(SMALL);
  const p = new RingProducer(sab);
  const c = new RingConsumer(sab);
  const big = new Array<number>(60_000).fill(7);
  let n = 0;
  while (put(p, big)) n++;
  assert.equal(n, 4, '4 × 60004 bytes fit in 256 KiB, a fifth does not');
  assert.equal(p.reserve(MAX_PACKET), -1);
  assert.equal(c.drain(() => {}, 2), 2);
  // Room for two more now, but only by wrapping: the tail of the buffer is too short.
  assert.ok(put(p, big));
  assert.ok(put(p, [1, 2, 3]));
  const got: Uint8Array[] = [];
  c.drain((x) => got.push(x), 100);
  assert.deepEqual(got.map((x) => x.length), [60_000, 60_000, 60_000, 3]);
  assert.deepEqual([...got[3]!], [1, 2, 3]);
  assert.equal(c.used(), 0);
});

test('wake-up handshake: the producer wakes the consumer only after the consumer went idle', () => {
  const sab = PacketRing.create(SMALL);
  const p = new RingProducer(sab);
  const c = new RingConsumer(sab);
  put(p, [1]);
  assert.equal(p.consumerNeedsWake(), false, 'consumer never said it was idle');
  assert.equal(c.idle(), true, 'idle() sees the waiting packet and stays awake');
  assert.equal(p.consumerNeedsWake(), false);
  c.drain(() => {}, 10);
  assert.equal(c.idle(), false, 'nothing waiting: really idle');
  put(p, [2]);
  assert.equal(p.consumerNeedsWake(), true);
  assert.equal(p.consumerNeedsWake(), false, 'one wake-up per idle period');
});

test('a handler that throws loses neither the ring position nor later packets', () => {
  const sab = PacketRing.create(SMALL);
  const p = new RingProducer(sab);
  const c = new RingConsumer(sab);
  put(p, [1]);
  put(p, [2]);
  assert.throws(() => c.drain(() => { throw new Error('boom'); }, 10), /boom/);
  const got: number[] = [];
  c.drain((x) => got.push(x[0]!), 10);
  assert.deepEqual(got, [2]);
});

test('stop handshake: requestStop is seen by the producer, waitStopped returns once it marks stopped', () => {
  const sab = PacketRing.create(SMALL);
  const p = new RingProducer(sab);
  const c = new RingConsumer(sab);
  assert.equal(p.stopRequested, false);
  assert.equal(c.waitStopped(1), false);
  c.requestStop();
  assert.equal(p.stopRequested, true);
  p.markStopped();
  assert.equal(c.waitStopped(1000), true);
});

test('across threads: 200k packets of 1..1600 bytes through the smallest ring arrive intact and in order', async () => {
  const count = 200_000;
  const sab = PacketRing.create(SMALL);
  const c = new RingConsumer(sab);
  const worker = new Worker(new URL('../fixtures/ring-producer.js', import.meta.url), { workerData: { sab, count, wakeEvery: 64 } });
  let next = 0;
  let bad = -1;
  const expected = new Uint8Array(1600);
  const deliver = (pkt: Uint8Array): void => {
    const len = sizeOf(next);
    fill(expected, 0, next, len);
    if (bad < 0 && (pkt.length !== len || Buffer.compare(pkt, expected.subarray(0, len)) !== 0)) bad = next;
    next++;
  };
  const result = await new Promise<{ fullWaits: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stuck after ${next} packets`)), 30_000);
    let done: { fullWaits: number } | undefined;
    const pump = (): void => {
      while (c.drain(deliver, 256) === 256);
      if (done && next === count) {
        clearTimeout(timer);
        resolve(done);
      } else if (c.idle()) setImmediate(pump);
    };
    worker.on('message', (m: 'wake' | { done: true; fullWaits: number }) => {
      if (m !== 'wake') done = m;
      setImmediate(pump);
    });
    worker.on('error', reject);
    pump();
  });
  await worker.terminate();
  assert.equal(bad, -1, `packet ${bad} corrupted`);
  assert.equal(next, count);
  // 200k packets (~160 MB) through a 256 KiB ring, the consumer checking every byte: the producer must
  // have met a full ring and waited for room, or the back-pressure path went untested.
  assert.ok(result.fullWaits > 0, `the producer never found the ring full (${result.fullWaits} waits)`);
});
