/**
 * MemoryLink's reused packet slots (packet-pool.ts): with no tap and no drop hook a packet is
 * delivered from a slot that carries the next packet as soon as the handler has returned, so it comes
 * without RX_OWNED (Link contract: valid only during the call). Stacks on such a link must copy what
 * they keep: a payload queued by reference, a held out-of-order segment or a kept view would read a
 * later packet's bytes, and the transfers below would not arrive intact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RX_OWNED } from '../../src/link/link.js';
import { MemoryLink, type PairOptions } from '../../src/link/memory.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import type { Stack } from '../../src/stack/stack.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { twoStacks } from '../helpers/two-stacks.js';

function packet(fill: number, length = 60): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

test('a pooled packet comes without RX_OWNED, and its buffer carries the next packet once the handler has returned', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock);
  const got: Array<{ p: Uint8Array; flags: number | undefined; first: number }> = [];
  b.onPacket((p, flags) => got.push({ p, flags, first: p[0]! }));
  a.send(packet(1));
  clock.runUntilIdle();
  a.send(packet(2));
  clock.runUntilIdle();
  assert.equal(got.length, 2);
  assert.deepEqual(got.map((g) => [g.first, (g.flags ?? 0) & RX_OWNED]), [[1, 0], [2, 0]]);
  // The slot was reused: the first packet, kept past its call, now shows the second one's bytes.
  assert.equal(got[0]!.p.buffer, got[1]!.p.buffer);
  assert.equal(got[0]!.p[0], 2);
});

test('the pool a burst leaves behind is at most 1 MiB: a second burst bigger than it has 1 MiB pooled and the rest in buffers of its own (RX_OWNED)', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { delayMs: 1 });
  let pooled = 0;
  let owned = 0;
  b.onPacket((_p, flags) => ((flags ?? 0) & RX_OWNED ? owned++ : pooled++));
  const cap = Math.floor((1024 * 1024) / 1504); // slots of a 1500-byte packet (8-byte aligned) in 1 MiB
  // The first burst grows the pool (its arena doubles: the slots of the arenas it outgrew are in flight too,
  // and go with the garbage once delivered); what stays is one arena of at most 1 MiB.
  for (let round = 0; round < 2; round++) {
    pooled = owned = 0;
    for (let i = 0; i < 2000; i++) a.send(packet(i & 0xff, 1500)); // 3 MB in flight at once
    clock.runUntilIdle();
    assert.equal(pooled + owned, 2000);
  }
  assert.equal(pooled, cap, 'the second burst: one arena of 1 MiB pooled');
  assert.equal(owned, 2000 - cap);
});

test('packets in flight at once sit in slots of their own; the sender\'s buffer is free as send returns', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { delayMs: 5 });
  const firsts: number[] = [];
  b.onPacket((p) => firsts.push(p[0]!, p[p.length - 1]!));
  const buf = packet(0, 1500);
  for (let i = 1; i <= 40; i++) a.send(buf.fill(i)); // more than the pool's first arena: it grows
  buf.fill(99);
  clock.runUntilIdle();
  assert.deepEqual(firsts, Array.from({ length: 40 }, (_, i) => [i + 1, i + 1]).flat());
  assert.deepEqual(a.stats, { sent: 40, delivered: 40, dropped: 0, duplicated: 0, corrupted: 0, reordered: 0, marked: 0 });
});

test('with a tap, or a drop hook, every packet is the receiver\'s to keep (RX_OWNED)', () => {
  for (const opts of [{}, { drop: () => false }] as PairOptions[]) {
    const clock = new VirtualClock();
    const [a, b] = MemoryLink.pair(clock, opts);
    if (opts.drop === undefined) a.onTap(() => {});
    const got: Array<{ p: Uint8Array; flags: number | undefined }> = [];
    b.onPacket((p, flags) => got.push({ p, flags }));
    a.send(packet(1));
    a.send(packet(2));
    clock.runUntilIdle();
    assert.deepEqual(got.map((g) => [g.p[0], (g.flags ?? 0) & RX_OWNED]), [[1, RX_OWNED], [2, RX_OWNED]]);
  }
});

test('close cancels pooled packets in flight and counts them dropped', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { delayMs: 10 });
  let delivered = 0;
  b.onPacket(() => delivered++);
  for (let i = 0; i < 5; i++) a.send(packet(i));
  a.close();
  assert.equal(clock.pending(), 0);
  clock.runUntilIdle();
  assert.equal(delivered, 0);
  assert.deepEqual(a.stats, { sent: 5, delivered: 0, dropped: 5, duplicated: 0, corrupted: 0, reordered: 0, marked: 0 });
});

/** A stream of `n` octets in which a misplaced, repeated or lost octet shows. */
function pattern(n: number, salt: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + (i >>> 8) * 7 + salt) & 0xff;
  return out;
}

/** A→B and B→A at once over a plain (pooled) MemoryLink pair; what each end read. */
function transfer(link: PairOptions, ab: Uint8Array, ba: Uint8Array): { atB: Uint8Array; atA: Uint8Array; b: Stack } {
  const { clock, a, b } = twoStacks({ link: { seed: 11, ...link } });
  let server: TcpSocket | undefined;
  b.listen(80).on('connection', (s) => (server = s));
  const client = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: clock.now() + 5000 });
  assert.ok(server);
  const flows = [
    { from: client, to: server, data: ab, sent: 0, got: [] as Uint8Array[] },
    { from: server, to: client, data: ba, sent: 0, got: [] as Uint8Array[] },
  ];
  for (let round = 0; round < 50_000; round++) {
    let busy = false;
    for (const f of flows) {
      if (f.sent < f.data.length) f.sent += f.from.write(f.data.subarray(f.sent));
      for (let d = f.to.read(); d; d = f.to.read()) f.got.push(d); // kept as views: they must stay valid
      busy ||= f.got.reduce((n, c) => n + c.length, 0) < f.data.length;
    }
    if (!busy) break;
    clock.advance(1);
  }
  const [atB, atA] = flows.map((f) => new Uint8Array(Buffer.concat(f.got)));
  return { atB: atB!, atA: atA!, b };
}

function assertSame(got: Uint8Array, want: Uint8Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} octets arrived of ${want.length}`);
  const bad = got.findIndex((x, i) => x !== want[i]);
  assert.equal(bad, -1, `${what}: octet ${bad} differs`);
}

test('stacks on pooled slots: both ways at once, with loss (retransmission, reassembly), every octet arrives intact, once', () => {
  const ab = pattern(400_000, 1);
  const ba = pattern(250_000, 2);
  const r = transfer({ delayMs: 2, loss: 0.02 }, ab, ba);
  assertSame(r.atB, ab, 'A→B');
  assertSame(r.atA, ba, 'B→A');
  assert.ok(r.b.stats().TCPOFOQueue > 5, `B queued ${r.b.stats().TCPOFOQueue} segments out of order`);
});

test('stacks on pooled slots at MTU 8192, the largest packet pooled: payloads that fill their packets are copied, not kept as views of the slot', () => {
  const ab = pattern(2_000_000, 3);
  const r = transfer({ mtu: 8192, delayMs: 1 }, ab, new Uint8Array(0));
  assertSame(r.atB, ab, 'A→B');
});

test('a packet above 8 KiB gets a buffer of its own (RX_OWNED), which the receive queue may adopt as a page', () => {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(clock, { mtu: 65535 });
  const got: Array<{ p: Uint8Array; flags: number | undefined }> = [];
  b.onPacket((p, flags) => got.push({ p, flags }));
  a.send(packet(1, 8192));
  a.send(packet(2, 8193));
  clock.runUntilIdle();
  assert.deepEqual(got.map((g) => [g.p.length, (g.flags ?? 0) & RX_OWNED]), [[8192, 0], [8193, RX_OWNED]]);
  assert.equal(got[1]!.p.buffer.byteLength, 8193);
});
