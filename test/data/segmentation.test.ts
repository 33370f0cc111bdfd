/**
 * Segmentation by the negotiated MSS and the link MTU: the stack clamps the
 * MSS we advertise to the link (MTU − 40 for IPv4, − 60 for IPv6), and no
 * segment we build — with timestamps and up to three SACK blocks in its
 * options — is ever larger than the link carries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBulk } from './bulk.js';

for (const { mtu, v6 } of [
  { mtu: 576, v6: false },
  { mtu: 1500, v6: false },
  { mtu: 9000, v6: false },
  { mtu: 1280, v6: true },
  { mtu: 65535, v6: false },
]) {
  test(`D10 O10 every packet fits the link MTU ${mtu}${v6 ? ' (IPv6)' : ''}, SACK and timestamp options included`, () => {
    let largest = 0;
    let tooBig = 0;
    const r = runBulk({
      seed: mtu,
      v6,
      link: { mtu, loss: 0.05, reorder: 0.05, delayMs: 2 },
      bytesAtoB: 400_000,
      bytesBtoA: 200_000,
      setup: (net) => {
        for (const link of [net.linkA, net.linkB]) {
          link.onTap((ev) => {
            if (ev.reason === 'mtu') tooBig++;
            largest = Math.max(largest, ev.packet.length);
          });
        }
      },
    });
    assert.equal(r.recvAtoB, r.sentAtoB);
    assert.equal(r.recvBtoA, r.sentBtoA);
    assert.equal(tooBig, 0, 'no packet was dropped for its size');
    assert.ok(largest <= mtu);
    const ipHeader = v6 ? 40 : 20;
    const info = r.clientInfo!;
    assert.equal(info.advMss, Math.min(mtu - ipHeader - 20, 65495), 'the advertised MSS is clamped to the link');
    assert.equal(info.mss, info.advMss - 12, 'segments carry MSS less the timestamp option');
    assert.equal(largest, Math.min(mtu, 65535), 'full-sized segments fill the MTU exactly');
  });
}
