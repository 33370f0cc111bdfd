/**
 * Socket events are delivered in order and never from inside a call the
 * application makes in a handler: a read() in a 'readable' handler returns its
 * chunk before the 'end' queued behind it is delivered (as Node, whose events
 * come later too). Two helpers' read loops lost the last chunk before this.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks } from '../helpers/two-stacks.js';
import type { TcpSocket } from '../../src/stack/socket.js';

test("a read loop in 'readable' has counted every byte when 'end' arrives (the FIN came first, the data fills the hole)", () => {
  // The first copy of A's data segment is lost, its FIN arrives and waits out of order: the retransmission
  // then makes the data readable and the FIN in order in one arrival — 'readable' and 'end' queued together.
  let dropped = false;
  const drop = ({ packet, direction }: { packet: Uint8Array; direction: string }): boolean => {
    if (dropped || direction !== 'a->b' || packet.length < 1000) return false;
    dropped = true;
    return true;
  };
  const n = twoStacks({ link: { drop } });
  let server: TcpSocket | undefined;
  n.b.listen(80).on('connection', (s) => (server = s));
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  const log: string[] = [];
  let got = 0;
  server!.on('readable', () => {
    for (let d = server!.read(); d; d = server!.read()) {
      got += d.length;
      log.push(`chunk ${d.length}`);
    }
    log.push('loop done');
  });
  server!.on('end', () => log.push(`end at ${got}`));
  c.write(new Uint8Array(1000));
  c.shutdown();
  n.settle(5000);
  assert.ok(dropped);
  assert.equal(got, 1000);
  assert.deepEqual(log, ['chunk 1000', 'loop done', 'end at 1000']);
});

test("events a handler's call raises are delivered after that handler returns, in order", () => {
  const n = twoStacks();
  let server: TcpSocket | undefined;
  n.b.listen(80).on('connection', (s) => (server = s));
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  const log: string[] = [];
  server!.on('readable', () => {
    log.push('readable: abort');
    server!.abort(); // raises 'close' (and state changes) inside this handler's call
    log.push('readable returns');
  });
  server!.on('close', () => log.push('close'));
  c.write(new Uint8Array(10));
  n.settle(100);
  assert.deepEqual(log, ['readable: abort', 'readable returns', 'close']);
});
