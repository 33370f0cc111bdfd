/**
 * Issue 10 #0: sequence numbers on both sides of every 2^31 boundary. The
 * receive window's right edge must follow RCV.NXT once the SYN-ACK sets it,
 * whatever the distance between 0 (RCV.NXT before the SYN-ACK) and the peer's
 * ISS; a stale edge once left the client advertising no room for ever.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tcpTest } from '../helpers/tcp-test.js';
import { openExchange } from './conn-pair.js';
import { isnExchangeProperty } from './isn-property.js';

const B = 2 ** 31;
/** ISNs on both sides of 0, 2^31 and 2^32, and the ISS a benchmark captured in a hang. */
const BOUNDARY_ISNS = [0, 1, 65535, B - 65536, B - 2, B - 1, B, B + 1, B + 65535, 2 ** 32 - 65536, 2 ** 32 - 2, 2 ** 32 - 1, 2147428698];

for (const windowScaling of [false, true]) {
  test(`D1/D2 active open, window scaling ${windowScaling ? 'on' : 'off'}: data from a peer with an ISS at any 2^31 boundary is taken and the window stays open`, () => {
    for (const peerIsn of BOUNDARY_ISNS) {
      for (const isn of [0, B - 1, B, 2 ** 32 - 1]) {
        const t = tcpTest({ isn, peerIsn, cfg: { windowScaling, recvBufferSize: 262144 } });
        t.user.connect();
        t.recv({ flags: 'SYN', seq: isn });
        t.send({ flags: 'SYN,ACK', seq: peerIsn, ack: isn + 1, options: windowScaling ? { mss: 1460, wscale: 7 } : { mss: 1460 } });
        const ack = t.recv({ flags: 'ACK', seq: isn + 1, ack: peerIsn + 1 });
        assert.ok(ack.window > 0, `ISS ${isn}/${peerIsn}: the handshake ACK offers a window`);
        t.send({ flags: 'PSH,ACK', seq: peerIsn + 1, ack: isn + 1, payload: 'x'.repeat(1000) });
        const r = t.recv({ flags: 'ACK', seq: isn + 1, ack: peerIsn + 1001 });
        assert.ok(r.window > 0, `ISS ${isn}/${peerIsn}: window after data`);
        assert.ok(t.c.info().rcvWnd >= 64_000, `ISS ${isn}/${peerIsn}: RCV.WND ${t.c.info().rcvWnd}`);
      }
    }
  });
}

test('D1/D2 passive open: data from a client with an ISS at any 2^31 boundary is taken', () => {
  for (const peerIsn of BOUNDARY_ISNS) {
    for (const isn of [0, B - 1, B, 2 ** 32 - 1]) {
      const t = tcpTest({ isn, peerIsn, cfg: { recvBufferSize: 262144 } });
      t.establishPassive();
      t.send({ flags: 'PSH,ACK', seq: peerIsn + 1, ack: isn + 1, payload: 'y'.repeat(1000) });
      t.recv({ flags: 'ACK', seq: isn + 1, ack: peerIsn + 1001 });
    }
  }
});

test('D1 every pair of boundary ISNs completes an exchange both ways and closes cleanly (two Connections)', () => {
  for (const issA of BOUNDARY_ISNS) {
    for (const issB of BOUNDARY_ISNS) {
      for (const windowScaling of [false, true]) {
        const r = openExchange(issA, issB, { windowScaling });
        assert.ok(r.ok, `ISS A=${issA} B=${issB} ws=${windowScaling}: ${r.why}`);
      }
    }
  }
});

test('D1 property: connections with random ISNs on both sides each complete an exchange (2,000 runs; the fuzz run does 10^5)', () => {
  fc.assert(isnExchangeProperty(), { numRuns: 2000, seed: 0x15a }); // a fixed seed: `npm test` is reproducible
});
