/** MemoryLink `pathMtu` (src/link/path-mtu.ts): a narrower hop that drops too-big DF packets and may send ICMP back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLink, type TapEvent } from '../../src/link/memory.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { buildTcpPacket, parseIcmpPacket, writeIpv4Header } from '../../src/wire/index.js';

const A = new Uint8Array([10, 0, 0, 1]);
const B = new Uint8Array([10, 0, 0, 2]);
const packet = (payload: number): Uint8Array => buildTcpPacket(A, B, { srcPort: 1, dstPort: 2, seq: 77, ack: 0, flags: 0x10, window: 1, payload: new Uint8Array(payload) });

test('pathMtu: a DF packet over the hop MTU is dropped (reason path-mtu); with pathMtuIcmp the sender gets frag-needed with the MTU after the delay', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { delayMs: 3, aToB: { pathMtu: 1280, pathMtuIcmp: true } });
  const atA: Array<[number, Uint8Array]> = [];
  const atB: Uint8Array[] = [];
  const taps: TapEvent[] = [];
  a.onPacket((p) => atA.push([clock.now(), p]));
  b.onPacket((p) => atB.push(p));
  a.onTap((ev) => taps.push(ev));
  a.send(packet(1240)); // 1280 bytes: fits
  a.send(packet(1241)); // 1281: dropped
  b.send(packet(1400)); // the other direction has no narrow hop
  clock.runUntilIdle();
  assert.equal(atB.length, 1);
  assert.equal(atB[0]!.length, 1280);
  assert.deepEqual(taps.map((t) => [t.dropped, t.reason]), [[false, undefined], [true, 'path-mtu']]);
  assert.equal(atA.length, 2, 'B\'s packet and the ICMP');
  const icmp = atA.map(([, p]) => parseIcmpPacket(p)).find((r) => r.ok);
  assert.ok(icmp?.ok);
  assert.deepEqual([icmp.value.kind, icmp.value.mtu, icmp.value.quote.seq], ['packet-too-big', 1280, 77]);
  assert.equal(atA.find(([, p]) => parseIcmpPacket(p).ok)![0], 3);
  assert.deepEqual(a.stats, { sent: 2, delivered: 1, dropped: 1, duplicated: 0, corrupted: 0, reordered: 0, marked: 0 });
});

test('pathMtu without ICMP is a black hole; an IPv4 packet without DF passes (a router would fragment it); bad values are refused', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { pathMtu: 576 });
  const atA: Uint8Array[] = [];
  const atB: Uint8Array[] = [];
  a.onPacket((p) => atA.push(p));
  b.onPacket((p) => atB.push(p));
  a.send(packet(600));
  const noDf = packet(600);
  writeIpv4Header(noDf, 0, A, B, 6, noDf.length - 20, 64, 0, 0, false);
  a.send(noDf);
  clock.runUntilIdle();
  assert.deepEqual(atB, [noDf]);
  assert.deepEqual(atA, []);
  assert.throws(() => MemoryLink.pair(clock, { pathMtu: 67 }), RangeError);
  assert.throws(() => MemoryLink.pair(clock, { bToA: { pathMtu: 1280.5 } }), RangeError);
});
