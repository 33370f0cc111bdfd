/**
 * Issue 10 #8: the same segment must not go out twice at one instant unless a
 * timer fired in between. Lost-retransmission detection took SACKs of data
 * sent *before* a hole's retransmission (but after the recovery began) as
 * proof that the retransmission was lost, and sent the hole again at once.
 * Linux (tcp_mark_lost_retrans, RACK) only counts data sent after the retransmission.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';

const MSS = 1460;
const seg = (k: number) => 1001 + MSS * k;

function establishSack(): TcpTest {
  const t = tcpTest({ cfg: { sack: true, congestionControl: 'newreno' } });
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: MSS, sackPermitted: true } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  return t;
}

function sackAck(t: TcpTest, ackSeg: number, blocks: Array<[number, number]>): string[] {
  t.send({ flags: 'ACK', seq: 5001, ack: seg(ackSeg), window: 65535, options: { sack: blocks.map(([a, b]) => [seg(a), seg(b)] as [number, number]) } });
  return t.out.splice(0).map((s) => `${(s.seq - 1001) / MSS}${s.rtx ? 'R' : ''}+${s.payload.length}`);
}

test('D7 a hole retransmitted during SACK recovery is not sent again at the same instant because data sent before it is SACKed', () => {
  const t = establishSack();
  t.user.send(new Uint8Array(40 * MSS));
  assert.equal(t.out.splice(0).length, 10); // segments 0–9
  const sent: string[] = [];
  // Segment 0 is lost: three duplicate ACKs SACK 1–3, fast retransmit of 0; recovery point = segment 10.
  sent.push(...sackAck(t, 0, [[1, 2]]), ...sackAck(t, 0, [[1, 3]]), ...sackAck(t, 0, [[1, 4]]));
  // Segment 0's retransmission arrives, and 1–6; 7 is lost too but only one segment above it is SACKed yet:
  // not lost yet, so new data goes out.
  sent.push(...sackAck(t, 7, [[8, 9]]));
  // More SACKs above 7, of data sent before 7 is retransmitted: 7 is lost now and is retransmitted.
  sent.push(...sackAck(t, 7, [[8, 12]]));
  sent.push(...sackAck(t, 7, [[8, 14]]));
  sent.push(...sackAck(t, 7, [[8, 16]]));
  const rtx7 = sent.filter((s) => s === '7R+1460').length;
  assert.equal(rtx7, 1, `segment 7 retransmitted once at this instant: ${sent.join(' ')}`);
});
