/**
 * R9 and issue 10 #4 (the CVE-2019-11478 class): a peer that SACKs byte by byte
 * must not grow the sender's scoreboard without bound nor make each ACK cost
 * time proportional to what it grew. Cost is counted in the scoreboard's own
 * operations (`work`), never in wall time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SACK_ISLANDS, SackScoreboard } from '../../src/tcp/sack-scoreboard.js';
import { tcpTest } from '../helpers/tcp-test.js';

const UNA = 0xffff_0000; // the flight crosses the sequence-space wrap
const NXT = (UNA + 200_000) >>> 0;
const at = (k: number) => (UNA + k) >>> 0;

/** Per insert, what a bounded scoreboard may spend: a binary search plus one splice of at most every edge. */
const PER_INSERT_BOUND = 2 * MAX_SACK_ISLANDS + 64;

for (const [order, index] of [
  ['ascending', (i: number) => i],
  ['descending', (i: number) => 49_999 - i],
  ['interleaved', (i: number) => (i * 7919) % 50_000],
] as const) {
  test(`R9 50,000 byte-granular SACK blocks (${order}) leave at most ${MAX_SACK_ISLANDS} islands at bounded cost per insert`, () => {
    const sb = new SackScoreboard();
    let maxStep = 0;
    for (let i = 0; i < 50_000; i++) {
      const s = at(2 * index(i) + 1); // every other byte: no two blocks touch
      const before = sb.work;
      sb.update([[s, (s + 1) >>> 0]], UNA, NXT);
      maxStep = Math.max(maxStep, sb.work - before);
      // The queries an ACK makes, too.
      sb.isSacked(s);
      sb.nextHole(UNA, NXT);
      sb.lostEdge(UNA, 1460, 3);
    }
    assert.ok(sb.blockCount <= MAX_SACK_ISLANDS, `${sb.blockCount} islands`);
    assert.ok(maxStep <= PER_INSERT_BOUND, `one insert cost ${maxStep} operations`);
    assert.ok(sb.work <= 50_000 * PER_INSERT_BOUND * 2, `total ${sb.work} operations`);
    // What it holds is still exact: the bytes it counts are those of the islands it kept.
    assert.equal(sb.sackedBytes, sb.blocks().reduce((n, [s, e]) => n + ((e - s) >>> 0), 0));
  });
}

test('R9 a refused island is not lost information for good: when SND.UNA passes, room returns and blocks are taken again', () => {
  const sb = new SackScoreboard();
  for (let i = 0; i < MAX_SACK_ISLANDS + 10; i++) sb.update([[at(2 * i + 1), at(2 * i + 2)]], UNA, NXT);
  assert.equal(sb.blockCount, MAX_SACK_ISLANDS);
  assert.equal(sb.isSacked(at(2 * (MAX_SACK_ISLANDS + 5) + 1)), false, 'over the cap: ignored (ignoring SACK is always safe)');
  // A block that merges with an island is taken even at the cap.
  sb.update([[at(3), at(5)]], UNA, NXT);
  assert.equal(sb.isSacked(at(4)), true);
  sb.advance(at(100));
  sb.update([[at(2 * (MAX_SACK_ISLANDS + 5) + 1), at(2 * (MAX_SACK_ISLANDS + 5) + 2)]], at(100), NXT);
  assert.equal(sb.isSacked(at(2 * (MAX_SACK_ISLANDS + 5) + 1)), true);
});

test('R9 the scoreboard queries agree with a plain model on random blocks', () => {
  let x = 12345;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  for (let round = 0; round < 50; round++) {
    const sb = new SackScoreboard();
    const model = new Uint8Array(4000);
    for (let k = 0; k < 40; k++) {
      const s = rnd(4000);
      const e = Math.min(4000, s + 1 + rnd(200));
      sb.update([[at(s), at(e)]], UNA, at(4000));
      model.fill(1, s, e);
    }
    for (let q = 0; q < 4000; q += 37) {
      assert.equal(sb.isSacked(at(q)), model[q] === 1, `isSacked(${q})`);
      const below = model.subarray(0, q).reduce((n, v) => n + v, 0);
      assert.equal(sb.sackedBelow(at(q)), below, `sackedBelow(${q})`);
      let h = q;
      while (h < 4000 && model[h]) h++;
      const hole = sb.nextHole(at(q), at(4000));
      if (h >= 4000) assert.equal(hole, undefined);
      else {
        let end = h;
        while (end < 4000 && !model[end]) end++;
        assert.deepEqual(hole, { seq: at(h), end: at(end) }, `nextHole(${q})`);
      }
    }
  }
});

test('R9 a connection under byte-granular SACK from a scripted peer keeps its scoreboard bounded', () => {
  const t = tcpTest({ cfg: { sack: true, sendBufferSize: 1 << 20, initialCwnd: 200 } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: 1460, sackPermitted: true } });
  t.recv({ flags: 'ACK' });
  t.user.send(new Uint8Array(60_000));
  t.out.length = 0;
  for (let i = 0; i < 20_000; i++) {
    const s = 1001 + 1 + 2 * (i % 29_000);
    t.send({ flags: 'ACK', seq: 5001, ack: 1001, options: { sack: [[s, s + 1]] } });
    t.out.length = 0;
  }
  const sb = (t.c as unknown as { rec: { sb: SackScoreboard } }).rec.sb;
  assert.ok(sb.blockCount <= MAX_SACK_ISLANDS, `${sb.blockCount} islands`);
  assert.ok(sb.work <= 20_000 * PER_INSERT_BOUND * 4, `${sb.work} operations for 20,000 ACKs`);
});
