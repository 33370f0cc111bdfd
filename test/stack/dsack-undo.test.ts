import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks } from '../helpers/two-stacks.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import type { PairOptions } from '../../src/link/memory.js';

// P3 end to end: two synack stacks on a link that reorders (but loses nothing). Reordering deep enough makes the
// sender retransmit data that was only late; the receiver D-SACKs the duplicates and the sender undoes the cwnd cut.

function transfer(link: PairOptions, bytes: number) {
  const n = twoStacks({ link: { delayMs: 5, ...link }, tcpA: { tlp: false, sendBufferSize: 4 << 20 } });
  let received = 0;
  n.b.listen(80).on('connection', (s: TcpSocket) => {
    s.on('readable', () => {
      for (let d = s.read(); d; d = s.read()) received += d.length;
    });
  });
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c.write(new Uint8Array(bytes));
  n.settle(120_000);
  return { a: n.a.stats(), b: n.b.stats(), received };
}

test('P3 a reordering link: the receiver D-SACKs the needless retransmissions, the sender recognises them and undoes its reductions', () => {
  const { a, b, received } = transfer({ aToB: { reorder: 0.03, reorderDelayMs: 40 } }, 2_000_000);
  assert.equal(received, 2_000_000);
  assert.ok(a.TCPSackRecovery + a.TCPTimeouts >= 1, 'reordering was taken for loss at least once');
  assert.ok(b.TCPDSACKOldSent + b.TCPDSACKOfoSent >= 1, `B D-SACKed duplicates: ${b.TCPDSACKOldSent} old, ${b.TCPDSACKOfoSent} ofo`);
  assert.equal(a.TCPDSACKRecv + a.TCPDSACKOfoRecv, b.TCPDSACKOldSent + b.TCPDSACKOfoSent, 'A recognised every D-SACK B sent (no ACK is lost)');
  const undone = a.TCPFullUndo + a.TCPPartialUndo + a.TCPDSACKUndo + a.TCPLossUndo;
  assert.ok(undone >= 1, `A undid spurious reductions: full ${a.TCPFullUndo}, partial ${a.TCPPartialUndo}, D-SACK ${a.TCPDSACKUndo}, loss ${a.TCPLossUndo}`);
  assert.equal(a.TCPDSACKIgnoredDubious, 0, 'every D-SACK reports a real retransmission');
});

test('P3 a lossy link that never reorders or duplicates: nothing is D-SACKed and nothing is undone', () => {
  const { a, b, received } = transfer({ aToB: { loss: 0.02 } }, 1_000_000);
  assert.equal(received, 1_000_000);
  assert.ok(a.TCPSackRecovery >= 1);
  for (const k of ['TCPFullUndo', 'TCPPartialUndo', 'TCPDSACKUndo', 'TCPLossUndo', 'TCPSpuriousRTOs', 'TCPDSACKRecv'] as const) assert.equal(a[k], 0, k);
  assert.equal(b.TCPDSACKOldSent + b.TCPDSACKOfoSent, 0);
});
