/** Link.txScratch: a link that copies packets out on send lends the stack one buffer to build every packet in. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Link } from '../../src/link/link.js';
import { MemoryLink } from '../../src/link/memory.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { Stack } from '../../src/stack/stack.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

/** Wraps a MemoryLink as TunLink behaves: offers `txScratch`, copies each packet out before send returns, then scribbles over the scratch. */
function scratchLink(inner: MemoryLink): Link & { inScratch: number; fresh: number } {
  const txScratch = new Uint8Array(inner.mtu);
  const link = {
    mtu: inner.mtu,
    txScratch,
    inScratch: 0,
    fresh: 0,
    send(packet: Uint8Array): void {
      if (packet.buffer === txScratch.buffer) link.inScratch++;
      else link.fresh++;
      inner.send(packet.slice());
      txScratch.fill(0xa5); // a stack that kept a view of the scratch would now send garbage
    },
    onPacket: (h: (p: Uint8Array, f?: number) => void) => inner.onPacket(h),
    close: () => inner.close(),
  };
  return link;
}

test('a stack builds every packet in the link’s txScratch: 300 kB arrive intact both ways, none built elsewhere', () => {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { seed: 3 });
  const a = new Stack({ clock, name: 'A', seed: 5 });
  const b = new Stack({ clock, name: 'B', seed: 6 });
  const sa = scratchLink(la);
  a.attach(sa, { address: '10.0.0.1' });
  b.attach(lb, { address: '10.0.0.2' });
  let server: TcpSocket | undefined;
  b.listen(80).on('connection', (s) => (server = s));
  const client = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  const up = new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
  const down = up.map((x) => x ^ 0x5a);
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  assert.ok(server);
  const got = { a: [] as Uint8Array[], b: [] as Uint8Array[] };
  let sentUp = 0;
  let sentDown = 0;
  for (let i = 0; i < 200 && (got.a.reduce((n, c) => n + c.length, 0) < down.length || got.b.reduce((n, c) => n + c.length, 0) < up.length); i++) {
    sentUp += client.write(up.subarray(sentUp)); // write() takes what fits in the send buffer
    sentDown += server.write(down.subarray(sentDown));
    clock.runUntilIdle({ maxTime: clock.now() + 100 });
    for (let d = client.read(); d; d = client.read()) got.a.push(d.slice());
    for (let d = server.read(); d; d = server.read()) got.b.push(d.slice());
  }
  const sha = (chunks: Uint8Array[]): string => chunks.reduce((h, c) => h.update(c), createHash('sha256')).digest('hex');
  assert.equal(sha(got.b), sha([up]), 'what A sent from its scratch arrived intact');
  assert.equal(sha(got.a), sha([down]), 'and A’s ACKs and window updates, built there too, kept B sending');
  assert.ok(sa.inScratch > 200, `A built its packets in the scratch (${sa.inScratch})`);
  assert.equal(sa.fresh, 0, 'and none anywhere else');
});

test('a packet to one of the stack’s own addresses is not built in the scratch (it is delivered later, from the stack)', () => {
  const clock = new VirtualClock();
  const [la] = MemoryLink.pair(clock, { seed: 3 });
  const a = new Stack({ clock, name: 'A', seed: 5 });
  const sa = scratchLink(la);
  a.attach(sa, { address: '10.0.0.1' });
  let server: TcpSocket | undefined;
  a.listen(80).on('connection', (s) => (server = s));
  const client = a.connect({ remoteAddress: '10.0.0.1', remotePort: 80 });
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  assert.ok(server);
  client.write(new TextEncoder().encode('to myself'));
  clock.runUntilIdle({ maxTime: clock.now() + 1000 });
  assert.equal(new TextDecoder().decode(server.read()!), 'to myself');
  assert.equal(sa.inScratch + sa.fresh, 0, 'nothing went through the link');
});
