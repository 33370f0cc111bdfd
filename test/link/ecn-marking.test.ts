import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLink } from '../../src/link/memory.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { buildTcpPacket, parseTcpPacket } from '../../src/wire/packet.js';
import { CE, ECT0, NOT_ECT, ipEcn } from '../../src/wire/ecn.js';
import { parseAddress } from '../../src/wire/ip.js';
import { ACK } from '../../src/wire/flags.js';

const SIZE = 1000; // bytes per packet (20 IP + 20 TCP + 960)
const src = parseAddress('10.0.0.1')!;
const dst = parseAddress('10.0.0.2')!;

/** Send `n` packets at once into an 8 Mbit/s queue (1000 bytes per ms) that marks above 3000 bytes; what arrives, in order. */
function burst(n: number, ecn: number, seed = 7): { got: Array<number | 'lost'>; stats: MemoryLink['stats'] } {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { seed, aToB: { rateBps: 8_000_000, ecnMarkBytes: 3 * SIZE } });
  const arrived = new Map<number, number>();
  b.onPacket((p) => {
    const r = parseTcpPacket(p);
    assert.ok(r.ok, 'a marked packet still parses (IPv4 checksum fixed)');
    arrived.set(r.value.tcp.seq, ipEcn(r.value.ip));
  });
  for (let i = 0; i < n; i++) a.send(buildTcpPacket(src, dst, { srcPort: 1, dstPort: 2, seq: i, ack: 0, flags: ACK, window: 0, payload: new Uint8Array(SIZE - 40) }, { ecn }));
  clock.runUntilIdle();
  return { got: Array.from({ length: n }, (_, i) => arrived.get(i) ?? 'lost'), stats: a.stats };
}

test('MemoryLink ecnMarkBytes: a RED-like queue CE-marks ECT packets past the threshold, all of them past twice it, and drops none', () => {
  const { got, stats } = burst(12, ECT0);
  // Packet i joins a backlog of i×1000 bytes: none marked up to the threshold, all from twice the threshold on.
  assert.deepEqual(got.slice(0, 4), [ECT0, ECT0, ECT0, ECT0]);
  assert.deepEqual(got.slice(6), [CE, CE, CE, CE, CE, CE]);
  assert.ok(!got.includes('lost'));
  assert.equal(stats.marked, got.filter((c) => c === CE).length);
  assert.equal(stats.dropped, 0);
  assert.deepEqual(burst(12, ECT0).got, got, 'seeded: the same marks every run');
});

test('MemoryLink ecnMarkBytes: Not-ECT packets are dropped where ECT ones would be marked', () => {
  const ect = burst(12, ECT0).got;
  const plain = burst(12, NOT_ECT);
  // The same draws up to the first early drop (a dropped packet leaves the backlog shorter, so the runs part there).
  const first = ect.indexOf(CE);
  assert.ok(first >= 4);
  assert.deepEqual(plain.got.slice(0, first + 1), [...Array<number>(first).fill(NOT_ECT), 'lost']);
  assert.ok(!plain.got.includes(CE));
  assert.equal(plain.stats.marked, 0);
  assert.equal(plain.stats.delivered + plain.stats.dropped, plain.stats.sent);
});

test('MemoryLink ecnMarkBytes must be a non-negative number', () => {
  assert.throws(() => MemoryLink.pair(new VirtualClock(), { ecnMarkBytes: -1 }), /ecnMarkBytes/);
});
