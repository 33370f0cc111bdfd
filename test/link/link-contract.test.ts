/**
 * The Link contract (issue 11): a packet handed to `link.send` is valid only during the call. The stack builds
 * every packet in one reused buffer, so a link that keeps the reference sees it overwritten; MemoryLink copies,
 * so what it carries (and what its taps and the receiver see) is what was sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Link } from '../../src/link/link.js';
import { MemoryLink } from '../../src/link/memory.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { Stack } from '../../src/stack/stack.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { parseTcpPacket } from '../../src/wire/packet.js';

/** A link that breaks the contract: it keeps every packet it is handed (and a snapshot of its bytes at send time), then forwards it. */
function keepingLink(inner: MemoryLink): Link & { kept: Uint8Array[]; atSend: Uint8Array[] } {
  const link = {
    mtu: inner.mtu,
    kept: [] as Uint8Array[],
    atSend: [] as Uint8Array[],
    send(packet: Uint8Array): void {
      link.kept.push(packet);
      link.atSend.push(packet.slice());
      inner.send(packet);
    },
    onPacket: (h: (p: Uint8Array, f?: number) => void) => inner.onPacket(h),
    close: () => inner.close(),
  };
  return link;
}

/** Stack A on `la`, B on `lb`, A connected to B:80 and both ESTABLISHED; the sockets and stacks returned. */
function connected(clock: VirtualClock, la: Link, lb: Link): { client: TcpSocket; server: TcpSocket; a: Stack; b: Stack } {
  const a = new Stack({ clock, name: 'A', seed: 1 });
  const b = new Stack({ clock, name: 'B', seed: 2 });
  a.attach(la, { address: '10.0.0.1' });
  b.attach(lb, { address: '10.0.0.2' });
  let server: TcpSocket | undefined;
  b.listen(80).on('connection', (s) => (server = s));
  const client = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  assert.ok(server);
  assert.equal(client.state, 'ESTABLISHED');
  return { client, server, a, b };
}

test('a link that keeps the packet after send sees it overwritten by the next one; MemoryLink’s copies stay what was sent', () => {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { seed: 1 });
  const tapped: Uint8Array[] = [];
  la.onTap((ev) => tapped.push(ev.packet));
  const keeper = keepingLink(la);
  const { client, server } = connected(clock, keeper, lb);
  const data = new Uint8Array(20_000).map((_, i) => (i * 13) & 0xff);
  assert.equal(client.write(data), data.length);
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  let got = 0;
  for (let d = server.read(); d; d = server.read()) got += d.length;
  assert.equal(got, data.length, 'everything arrived intact');

  const n = keeper.kept.length;
  assert.ok(n > 10, `A sent ${n} packets`);
  assert.equal(tapped.length, n);
  // MemoryLink honours the contract: each packet on its wire is a copy, equal to what was sent, checksums valid.
  for (let i = 0; i < n; i++) {
    assert.deepEqual(tapped[i], keeper.atSend[i]);
    assert.ok(parseTcpPacket(tapped[i]!).ok);
    assert.notEqual(tapped[i]!.buffer, keeper.kept[i]!.buffer);
  }
  // The stack honours its side: every packet was built in one buffer (none allocated per packet) …
  assert.equal(new Set(keeper.kept.map((p) => p.buffer)).size, 1);
  // … so the link that kept references holds bytes of later packets, not what it was handed.
  const overwritten = keeper.kept.filter((p, i) => !p.every((x, k) => x === keeper.atSend[i]![k])).length;
  assert.ok(overwritten >= n - 2, `${overwritten} of ${n} kept packets were overwritten`);
});

/**
 * Two ends that deliver inside send() once `sync` is set (before: on the clock, as the stack cannot yet take a
 * SYN-ACK's answer while it is still creating the connection): the receiver gets a copy at once; each end
 * records [what it delivered, the packet as it is after delivery].
 */
function syncPair(clock: VirtualClock): { sync: boolean; ends: Array<Link & { recorded: Uint8Array[] }> } {
  const handlers: Array<((p: Uint8Array) => void) | undefined> = [undefined, undefined];
  const pair = { sync: false, ends: [] as Array<Link & { recorded: Uint8Array[] }> };
  for (const me of [0, 1]) {
    const recorded: Uint8Array[] = [];
    pair.ends.push({
      mtu: 1500,
      recorded,
      send(packet: Uint8Array): void {
        const delivered = packet.slice();
        if (!pair.sync) {
          clock.schedule(clock.now(), () => handlers[1 - me]?.(delivered));
          return;
        }
        handlers[1 - me]?.(delivered); // the peer answers within this call …
        recorded.push(delivered, packet.slice()); // … and the packet must still be the one this call was given
      },
      onPacket(h: (p: Uint8Array) => void): void {
        handlers[me] = h;
      },
      close(): void {},
    });
  }
  return pair;
}

test('a link that calls back into the stack from send() still holds its own packet afterwards (a nested send is built elsewhere)', () => {
  const clock = new VirtualClock();
  const pair = syncPair(clock);
  const [la, lb] = pair.ends as [Link & { recorded: Uint8Array[] }, Link & { recorded: Uint8Array[] }];
  const { client, server } = connected(clock, la, lb);
  pair.sync = true;
  // More than a window: B's ACKs, sent inside A's send(), release A's next segments inside it too.
  const data = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
  const accepted = client.write(data);
  assert.ok(accepted > 50_000, `the send buffer took ${accepted}`);
  let got = 0;
  for (let i = 0; i < 50 && got < accepted; i++) {
    clock.runUntilIdle({ maxTime: clock.now() + 100 });
    for (let d = server.read(); d; d = server.read()) got += d.length;
  }
  assert.equal(got, accepted);
  assert.ok(la.recorded.length >= 2 * 40, `A sent ${la.recorded.length / 2} packets`);
  for (const rec of [la.recorded, lb.recorded]) {
    for (let i = 0; i < rec.length; i += 2) {
      assert.deepEqual(rec[i + 1], rec[i], `packet ${i / 2} unchanged after its send() returned`);
      assert.ok(parseTcpPacket(rec[i]!).ok);
    }
  }
});

test('a link that delivers within send() from the first SYN on: the handshake completes, no packet is lost to an exception', () => {
  const clock = new VirtualClock();
  const pair = syncPair(clock);
  pair.sync = true; // the SYN-ACK's answer arrives while B is still creating its connection
  const { server, a, b } = connected(clock, pair.ends[0]!, pair.ends[1]!);
  assert.equal(server.state, 'ESTABLISHED');
  assert.equal(a.stats().PacketExceptions + b.stats().PacketExceptions, 0);
  assert.equal(a.stats().RetransSegs + b.stats().RetransSegs, 0, 'nothing had to be sent again');
});

test('a link that delivers within send() in both directions: no connection is re-entered, no packet lost to an exception', () => {
  const clock = new VirtualClock();
  const pair = syncPair(clock);
  const { client, server, a, b } = connected(clock, pair.ends[0]!, pair.ends[1]!);
  // Both ends have data queued and their FIN; then every segment makes the other end answer (ACK, data, FIN)
  // inside the send() that carried it — and that answer reaches the first end while it is still sending.
  const up = new Uint8Array(60_000).map((_, i) => (i * 7) & 0xff);
  const down = new Uint8Array(50_000).map((_, i) => (i * 11) & 0xff);
  assert.equal(client.write(up), up.length);
  assert.equal(server.write(down), down.length);
  client.shutdown();
  server.shutdown();
  pair.sync = true;
  clock.runUntilIdle({ maxTime: clock.now() + 10_000 });
  assert.equal(a.stats().PacketExceptions + b.stats().PacketExceptions, 0, 'a re-entered connection throws (SendBuffer.peek at a negative offset)');
  const read = (s: TcpSocket): Buffer => {
    const parts: Uint8Array[] = [];
    for (let d = s.read(); d; d = s.read()) parts.push(d.slice());
    return Buffer.concat(parts);
  };
  assert.deepEqual(read(server), Buffer.from(up));
  assert.deepEqual(read(client), Buffer.from(down));
  assert.equal(client.state, 'TIME_WAIT');
  assert.equal(server.state, 'TIME_WAIT');
});
