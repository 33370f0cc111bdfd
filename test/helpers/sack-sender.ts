/**
 * A scripted peer for loss-recovery tests: our side has SACK negotiated and
 * one RTT sample, and segments are named by index. Our ISN is 1000, the
 * peer's 5000; the peer offers MSS 1460 and SACK, no timestamps.
 */
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from './tcp-test.js';
import type { TcpConfig } from '../../src/tcp/config.js';

export const MSS = 1460;
/** First data octet after the one-octet exchange that gives the first RTT sample. */
export const BASE = 1002;
/** First octet of data segment k. */
export const seg = (k: number): number => BASE + MSS * k;

/** Handshake, then one octet ACKed after `rtt` ms: SRTT is `rtt` (the handshake gives no sample here). */
export function establishSackSender(rtt: number, cfg: Partial<TcpConfig> = {}): TcpTest {
  const t = tcpTest({ cfg: { sack: true, ...cfg } });
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.advance(rtt);
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 65535, options: { mss: MSS, sackPermitted: true } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.user.send('x');
  t.recv({ flags: 'ACK,PSH', seq: 1001, len: 1 });
  t.advance(rtt);
  t.send({ flags: 'ACK', seq: 5001, ack: BASE, window: 65535 });
  assert.equal(t.c.info().srtt, rtt);
  return t;
}

/** The peer ACKs up to segment `ackSeg` and SACKs the [from, to) segment ranges. */
export function ack(t: TcpTest, ackSeg: number, blocks: Array<[number, number]> = []): void {
  t.send({ flags: 'ACK', seq: 5001, ack: seg(ackSeg), window: 65535, options: blocks.length ? { sack: blocks.map(([a, b]) => [seg(a), seg(b)] as [number, number]) } : {} });
}

/** What we sent since the last call: segment index, R for a retransmission. */
export function sent(t: TcpTest): string[] {
  return t.out.splice(0).map((s) => `${(s.seq - BASE) / MSS}${s.rtx ? 'R' : ''}`);
}
