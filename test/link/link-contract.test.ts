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

test('a link that keeps the packet after send sees it overwritten by the next one; MemoryLink’s copies stay what was sent', () => {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { seed: 1 });
  const tapped: Uint8Array[] = [];
  la.onTap((ev) => tapped.push(ev.packet));
  const a = new Stack({ clock, name: 'A', seed: 1 });
  const b = new Stack({ clock, name: 'B', seed: 2 });
  const keeper = keepingLink(la);
  a.attach(keeper, { address: '10.0.0.1' });
  b.attach(lb, { address: '10.0.0.2' });
  let server: TcpSocket | undefined;
  b.listen(80).on('connection', (s) => (server = s));
  const client = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  assert.ok(server);
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
