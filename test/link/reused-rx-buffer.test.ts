/**
 * The Link contract on the receive side (issue 11): a delivered packet is valid only during the handler's
 * call, so a link may deliver every packet from one reused buffer. These stacks sit on a link that does
 * exactly that, and scribbles over the buffer as soon as the handler returns: any part of the stack that kept
 * a view into a packet (a payload queued by reference, a SYN or its data kept for later, an options object)
 * would then read garbage. Every byte must arrive intact, in order, once — in order and out of order
 * (reassembly), with a FIN, in a SYN, in TIME_WAIT, and through a SYN-cookie handshake.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Link } from '../../src/link/link.js';
import { MemoryLink, type PairOptions } from '../../src/link/memory.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { Stack } from '../../src/stack/stack.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { ACK, FIN, SYN } from '../../src/wire/flags.js';
import { parseAddress } from '../../src/wire/ip.js';
import { buildTcpPacket, parseTcpPacket } from '../../src/wire/packet.js';

/**
 * Wraps `inner`: packets are delivered from `slots` places of one reused buffer in turn (as from a NIC's
 * ring), at offsets that differ by slot, and each place is overwritten once the handler returns. The
 * receiver reuses its view of each place (tcp/payload-views.ts): a view kept past the call, or a reused view
 * of the wrong extent, reads garbage.
 */
function ringLink(inner: MemoryLink, slots: number): Link & { deliveries: number } {
  const slotBytes = inner.mtu + 64;
  const buffer = new Uint8Array(slots * slotBytes);
  let handler: ((p: Uint8Array, f?: number) => void) | undefined;
  const link = {
    mtu: inner.mtu,
    deliveries: 0,
    send: (p: Uint8Array) => inner.send(p),
    onPacket: (h: (p: Uint8Array, f?: number) => void) => (handler = h),
    close: () => inner.close(),
  };
  inner.onPacket((p) => {
    const slot = link.deliveries % slots;
    const at = slot * slotBytes + 8 + (slot % 3) * 4; // never at offset 0 of the buffer
    buffer.set(p, at);
    handler?.(buffer.subarray(at, at + p.length));
    link.deliveries++;
    buffer.fill((link.deliveries * 37) & 0xff, at, at + p.length); // scribble: what was delivered is gone
  });
  return link;
}

/** Wraps `inner`: every packet is delivered from the same place of one buffer, overwritten once the handler returns. */
function reusingLink(inner: MemoryLink): Link & { deliveries: number } {
  return ringLink(inner, 1);
}

/** A stream of `n` octets in which a misplaced, repeated or lost octet shows. */
function pattern(n: number, salt: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + (i >>> 8) * 7 + salt) & 0xff;
  return out;
}

interface Pair {
  clock: VirtualClock;
  a: Stack;
  b: Stack;
  la: MemoryLink;
  lb: MemoryLink;
  client: TcpSocket;
  server: TcpSocket;
}

/** Stacks A and B, each on a reusing link, A connected to B:80. */
function connectedPair(link: PairOptions = {}, tcp: Partial<TcpConfig> = {}): Pair {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { seed: 7, ...link });
  const a = new Stack({ clock, name: 'A', seed: 1, tcp });
  const b = new Stack({ clock, name: 'B', seed: 2, tcp });
  a.attach(reusingLink(la), { address: '10.0.0.1' });
  b.attach(reusingLink(lb), { address: '10.0.0.2' });
  let server: TcpSocket | undefined;
  b.listen(80).on('connection', (s) => (server = s));
  const client = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: clock.now() + 5000 });
  assert.ok(server, 'B accepted');
  assert.equal(client.state, 'ESTABLISHED');
  return { clock, a, b, la, lb, client, server };
}

/** Send `out[i]` from `from[i]` (ending with a FIN when `fin`), reading every end as it goes; what each `to[i]` read. */
function exchange(p: Pair, flows: Array<{ from: TcpSocket; to: TcpSocket; data: Uint8Array }>, fin: boolean): Uint8Array[] {
  const sent = flows.map(() => 0);
  const got = flows.map(() => [] as Uint8Array[]);
  const ended = flows.map(() => false);
  for (let round = 0; round < 20_000; round++) {
    let busy = false;
    flows.forEach((f, i) => {
      if (sent[i]! < f.data.length) sent[i]! += f.from.write(f.data.subarray(sent[i]!));
      if (sent[i] === f.data.length && fin && !ended[i]) {
        f.from.shutdown();
        ended[i] = true;
      }
      for (let d = f.to.read(); d; d = f.to.read()) got[i]!.push(d); // kept as views: they must stay valid too
      busy ||= sent[i]! < f.data.length || (fin && !f.to.eof);
    });
    if (!busy && p.clock.pending() === 0) break;
    p.clock.advance(1);
  }
  return got.map((chunks) => new Uint8Array(Buffer.concat(chunks)));
}

function assertSame(got: Uint8Array, want: Uint8Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} octets arrived of ${want.length}`);
  const bad = got.findIndex((x, i) => x !== want[i]);
  assert.equal(bad, -1, `${what}: octet ${bad} differs`);
}

test('in order, both ways at once: every octet delivered from a reused, then scribbled, buffer arrives intact, once', () => {
  const p = connectedPair();
  const ab = pattern(300_000, 1);
  const ba = pattern(200_000, 2);
  const [atB, atA] = exchange(p, [
    { from: p.client, to: p.server, data: ab },
    { from: p.server, to: p.client, data: ba },
  ], false);
  assertSame(atB!, ab, 'A→B');
  assertSame(atA!, ba, 'B→A');
  assert.equal(p.a.stats().InCsumErrors + p.b.stats().InCsumErrors, 0);
});

test('MTU 65535: a payload that fills its packet is copied too, not kept as a receive-queue page viewing the buffer', () => {
  const p = connectedPair({ mtu: 65535 });
  const ab = pattern(1_000_000, 9);
  const [atB] = exchange(p, [{ from: p.client, to: p.server, data: ab }], false);
  assertSame(atB!, ab, 'A→B');
});

test('out of order (reassembly, SACK): held segments are copies, not views of the reused buffer', () => {
  const p = connectedPair({ aToB: { reorder: 0.2, loss: 0.02 } });
  const ab = pattern(400_000, 3);
  const [atB] = exchange(p, [{ from: p.client, to: p.server, data: ab }], true);
  assertSame(atB!, ab, 'A→B');
  assert.ok(p.b.stats().TCPOFOQueue > 10, `B queued ${p.b.stats().TCPOFOQueue} segments out of order`);
  assert.ok(p.server.eof);
});

test('a FIN with data, then TIME_WAIT answering a retransmitted FIN: the data arrives once, TIME_WAIT ACKs from the reused buffer', () => {
  // Drop A's first ACK of B's FIN, so B retransmits its FIN to A in TIME_WAIT.
  let droppedFinAck = false;
  let finSeen = false;
  const p = connectedPair({
    drop: ({ packet, direction }) => {
      if (droppedFinAck || direction !== 'a->b') return false;
      const r = parseTcpPacket(packet);
      if (!r.ok || r.value.tcp.flags !== ACK || r.value.tcp.payload.length > 0 || !finSeen) return false;
      droppedFinAck = true;
      return true;
    },
  });
  const ab = pattern(5000, 4);
  const ba = pattern(3000, 5);
  p.client.write(ab);
  p.client.shutdown(); // A's FIN rides on its last data segment
  p.clock.runUntilIdle({ maxTime: p.clock.now() + 1000 });
  const atB = p.server.read();
  assert.ok(atB);
  assertSame(atB.slice(), ab, 'A→B');
  assert.ok(p.server.eof);
  p.server.write(ba);
  finSeen = true;
  p.server.shutdown(); // B's FIN rides on its data; A's ACK of it is lost
  p.clock.advance(100);
  const atA = p.client.read();
  assert.ok(atA);
  assertSame(atA.slice(), ba, 'B→A');
  assert.ok(p.client.eof);
  assert.equal(p.client.state, 'TIME_WAIT');
  p.clock.runUntilIdle({ maxTime: p.clock.now() + 10_000 });
  assert.ok(droppedFinAck, 'the first ACK of B’s FIN was dropped');
  assert.equal(p.server.state, 'CLOSED', 'A in TIME_WAIT ACKed the retransmitted FIN');
});

test('a SYN with data and an ACK with data to a listener on a reused buffer: the data is taken from the later copy, once', () => {
  const clock = new VirtualClock();
  const [raw, lb] = MemoryLink.pair(clock, { seed: 3 });
  const b = new Stack({ clock, name: 'B', seed: 2 });
  b.attach(reusingLink(lb), { address: '10.0.0.2' });
  let server: TcpSocket | undefined;
  b.listen(80).on('connection', (s) => (server = s));
  const fromB: Array<{ flags: number; seq: number; ack: number }> = [];
  raw.onPacket((pk) => {
    const r = parseTcpPacket(pk);
    if (r.ok) fromB.push({ flags: r.value.tcp.flags, seq: r.value.tcp.seq, ack: r.value.tcp.ack });
  });
  const src = parseAddress('10.0.0.1')!;
  const dst = parseAddress('10.0.0.2')!;
  const synData = pattern(900, 6);
  raw.send(buildTcpPacket(src, dst, { srcPort: 4000, dstPort: 80, seq: 1000, ack: 0, flags: SYN, window: 65535, options: { mss: 1460 }, payload: synData }));
  clock.runUntilIdle({ maxTime: clock.now() + 10 });
  const synAck = fromB.find((s) => s.flags === (SYN | ACK));
  assert.ok(synAck, 'B answered the SYN');
  // As Linux without TCP Fast Open, the SYN's data is not acknowledged: the peer sends it again.
  assert.equal(synAck.ack, 1001);
  const data = pattern(1200, 7);
  raw.send(buildTcpPacket(src, dst, { srcPort: 4000, dstPort: 80, seq: 1001, ack: (synAck.seq + 1) >>> 0, flags: ACK, window: 65535, payload: data }));
  raw.send(buildTcpPacket(src, dst, { srcPort: 4000, dstPort: 80, seq: 1001 + data.length, ack: (synAck.seq + 1) >>> 0, flags: ACK | FIN, window: 65535, payload: synData }));
  clock.runUntilIdle({ maxTime: clock.now() + 10 });
  assert.ok(server);
  const got = server.read();
  assert.ok(got);
  const want = new Uint8Array(data.length + synData.length);
  want.set(data);
  want.set(synData, data.length);
  assertSame(got.slice(), want, 'peer→B');
  assert.equal(server.read(), null);
  assert.ok(server.eof);
});

test('SYN cookies: the handshake completed by a data segment (the bare ACK lost) takes that data intact', () => {
  const clock = new VirtualClock();
  let dropBareAck = true;
  const [la, lb] = MemoryLink.pair(clock, {
    seed: 5,
    drop: ({ packet, direction }) => {
      if (!dropBareAck || direction !== 'a->b') return false;
      const r = parseTcpPacket(packet);
      if (!r.ok || r.value.tcp.flags !== ACK || r.value.tcp.payload.length > 0) return false;
      dropBareAck = false;
      return true;
    },
  });
  const a = new Stack({ clock, name: 'A', seed: 1 });
  const b = new Stack({ clock, name: 'B', seed: 2, synCookies: true });
  a.attach(reusingLink(la), { address: '10.0.0.1' });
  b.attach(reusingLink(lb), { address: '10.0.0.2' });
  let server: TcpSocket | undefined;
  b.listen(80, { backlog: 1 }).on('connection', (s) => (server = s));
  // Fill B's SYN queue (backlog 1) with a SYN from a host that never answers.
  la.send(buildTcpPacket(parseAddress('10.0.0.99')!, parseAddress('10.0.0.2')!, { srcPort: 999, dstPort: 80, seq: 1, ack: 0, flags: SYN, window: 1000 }));
  clock.runUntilIdle({ maxTime: clock.now() + 5 });
  const client = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const data = pattern(1000, 8);
  client.on('connect', () => client.write(data));
  clock.runUntilIdle({ maxTime: clock.now() + 100 });
  assert.equal(dropBareAck, false, 'the bare third ACK was dropped');
  assert.equal(b.stats().SyncookiesRecv, 1, 'the data segment completed a cookie handshake');
  assert.ok(server);
  const got = server.read();
  assert.ok(got);
  assertSame(got.slice(), data, 'A→B');
});

/**
 * A, and B behind a link that holds every packet for B until B sends: then, within that send(), it delivers
 * (from one reused buffer per depth, scribbled afterwards) a held packet of the *other* connection — so B takes
 * a segment of one connection while a segment of the other is still being processed. What is still held
 * when the clock runs goes in order. The Connection reads a segment whole before it sends, so this does not
 * need the stack's per-depth records (one shared record passes too); it checks that nested deliveries from
 * reused buffers leave every stream intact. (A packet of the same connection nested in that connection's
 * own output is another matter: the sender is not re-entrant, SendBuffer.peek throws, on main too.)
 */
function nestingPair(clock: VirtualClock): { ends: [Link, Link]; nested: () => number } {
  let handlerA: ((p: Uint8Array, f?: number) => void) | undefined;
  let handlerB: ((p: Uint8Array, f?: number) => void) | undefined;
  const held: Uint8Array[] = [];
  const buffers: Uint8Array[] = [];
  let depth = 0;
  let nested = 0;
  const deliverToB = (packet: Uint8Array): void => {
    const buffer = (buffers[depth] ??= new Uint8Array(1500));
    buffer.set(packet);
    depth++;
    try {
      handlerB?.(buffer.subarray(0, packet.length));
    } finally {
      depth--;
      buffer.fill(0x5a);
    }
  };
  const srcPort = (p: Uint8Array): number => (p[20]! << 8) | p[21]!;
  const dstPort = (p: Uint8Array): number => (p[22]! << 8) | p[23]!;
  const a: Link = {
    mtu: 1500,
    send(packet: Uint8Array): void {
      held.push(packet.slice());
      clock.schedule(clock.now(), () => {
        const p = held.shift();
        if (p !== undefined) deliverToB(p);
      });
    },
    onPacket: (h) => (handlerA = h),
    close(): void {},
  };
  const b: Link = {
    mtu: 1500,
    send(packet: Uint8Array): void {
      const copy = packet.slice();
      clock.schedule(clock.now(), () => handlerA?.(copy));
      const other = held.findIndex((p) => srcPort(p) !== dstPort(packet));
      if (other < 0) return;
      const [p] = held.splice(other, 1);
      if (depth > 0) nested++;
      deliverToB(p!);
    },
    onPacket: (h) => (handlerB = h),
    close(): void {},
  };
  return { ends: [a, b], nested: () => nested };
}

test('a segment that arrives while another connection\'s segment is being processed (delivered within send) gets a record of its own: all four streams arrive intact', () => {
  const clock = new VirtualClock();
  const pair = nestingPair(clock);
  const a = new Stack({ clock, name: 'A', seed: 1 });
  const b = new Stack({ clock, name: 'B', seed: 2 });
  a.attach(pair.ends[0], { address: '10.0.0.1' });
  b.attach(pair.ends[1], { address: '10.0.0.2' });
  const servers: TcpSocket[] = [];
  b.listen(80).on('connection', (s) => servers.push(s));
  const clients = [0, 1].map(() => a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 }));
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  assert.equal(servers.length, 2);
  const byPort = (c: TcpSocket) => servers.find((s) => s.remotePort === c.localPort)!;
  const p: Pair = { clock, a, b, la: undefined as unknown as MemoryLink, lb: undefined as unknown as MemoryLink, client: clients[0]!, server: byPort(clients[0]!) };
  const flows = clients.flatMap((c, i) => [
    { from: c, to: byPort(c), data: pattern(150_000, 20 + i) },
    { from: byPort(c), to: c, data: pattern(120_000, 30 + i) },
  ]);
  const got = exchange(p, flows, true);
  flows.forEach((f, i) => assertSame(got[i]!, f.data, `flow ${i}`));
  assert.equal(a.stats().PacketExceptions + b.stats().PacketExceptions, 0);
  assert.ok(pair.nested() > 50, `${pair.nested()} segments were taken while another was being processed`);
});

test('a ring of reused places (the receiver reuses its view of each place): every octet arrives intact, once, in order and out of order, with segments of changing sizes', () => {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { seed: 11, aToB: { reorder: 0.1, loss: 0.01 } });
  const a = new Stack({ clock, name: 'A', seed: 1 });
  const b = new Stack({ clock, name: 'B', seed: 2 });
  const ra = ringLink(la, 5);
  const rb = ringLink(lb, 7);
  a.attach(ra, { address: '10.0.0.1' });
  b.attach(rb, { address: '10.0.0.2' });
  let server: TcpSocket | undefined;
  b.listen(80).on('connection', (s) => (server = s));
  const client = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: clock.now() + 5000 });
  assert.ok(server, 'B accepted');
  const p: Pair = { clock, a, b, la, lb, client, server };
  client.setNoDelay(true); // short writes go out as short segments: lengths change at each place
  const ab = pattern(300_000, 12);
  const ba = pattern(100_000, 13);
  // Writes of changing sizes, so the same place carries payloads of different lengths.
  const chunks = (data: Uint8Array): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let i = 0, k = 0; i < data.length; k++) {
      const n = Math.min(data.length - i, 100 + ((k * 977) % 3000));
      out.push(data.subarray(i, i + n));
      i += n;
    }
    return out;
  };
  const got: Uint8Array[][] = [[], []];
  const pending = [chunks(ab), chunks(ba)];
  const ends: Array<[TcpSocket, TcpSocket]> = [[client, server], [server, client]];
  for (let round = 0; round < 50_000; round++) {
    let busy = false;
    ends.forEach(([from, to], i) => {
      const q = pending[i]!;
      while (q.length > 0) {
        const c = q[0]!;
        const n = from.write(c);
        if (n < c.length) {
          q[0] = c.subarray(n);
          break;
        }
        q.shift();
      }
      for (let d = to.read(); d; d = to.read()) got[i]!.push(d);
      busy ||= q.length > 0;
    });
    const received = got[0]!.reduce((n, c) => n + c.length, 0) + got[1]!.reduce((n, c) => n + c.length, 0);
    if (!busy && received === ab.length + ba.length) break;
    p.clock.advance(1);
  }
  assertSame(new Uint8Array(Buffer.concat(got[0]!)), ab, 'A→B');
  assertSame(new Uint8Array(Buffer.concat(got[1]!)), ba, 'B→A');
  assert.ok(b.stats().TCPOFOQueue > 0, 'some segments were held out of order');
  assert.ok(ra.deliveries > 100 && rb.deliveries > 100);
});
