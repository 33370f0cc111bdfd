/**
 * R8 (RFC 7323 §5.4, issue 10 #7): TSval = clock + an offset random per
 * connection, as Linux's secure_tcp_ts_off (a keyed hash, so one 4-tuple keeps
 * its offset across incarnations and PAWS still works for its successor).
 * Without it TSval was the process uptime shared by every connection, and
 * TSval 0 collided with "TSecr 0 means none". A configured tsOffset wins
 * (the scenario world fixes it to 0 so traces stay readable and reproducible).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks } from '../helpers/two-stacks.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { SYN } from '../../src/wire/flags.js';

function synTsvals(tcp?: { tsOffset?: number }, seed = 1): { a: number[]; b: number[]; now: number } {
  const n = twoStacks({ seed, tcp });
  const a: number[] = [];
  const b: number[] = [];
  let now = 0;
  for (const link of [n.linkA, n.linkB]) {
    link.onTap((ev) => {
      const r = parseTcpPacket(ev.packet);
      if (r.ok && r.value.tcp.flags & SYN && r.value.tcp.options.ts) {
        (ev.direction === 'a->b' ? a : b).push(r.value.tcp.options.ts.val);
        now = ev.time;
      }
    });
  }
  n.b.listen(80);
  n.b.listen(81);
  n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 81 });
  n.settle(1000);
  return { a, b, now };
}

test('R8 TSval offsets are random per connection (RFC 7323 §5.4): two connections, two offsets, neither the bare clock', () => {
  const { a, b } = synTsvals();
  assert.equal(a.length, 2);
  assert.equal(b.length, 2);
  assert.notEqual(a[0], a[1], 'two connections of one stack use different offsets');
  assert.ok(a[0]! > 10 && a[1]! > 10, `not the bare clock: ${a.join(',')}`);
  assert.notEqual(a[0], b[0], 'the two ends of a connection use different offsets');
});

test('R8 the offsets follow from the stack seed: a seeded run is reproducible', () => {
  assert.deepEqual(synTsvals(undefined, 7), synTsvals(undefined, 7));
  assert.notDeepEqual(synTsvals(undefined, 7).a, synTsvals(undefined, 8).a);
});

test('R8 a configured tsOffset is used as given', () => {
  const { a } = synTsvals({ tsOffset: 0 });
  assert.ok(a.every((v) => v < 10), `TSval is the clock: ${a.join(',')}`);
});
