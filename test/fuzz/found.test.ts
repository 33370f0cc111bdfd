/**
 * Bugs the fuzzer found, each pinned by a scripted-peer test (our ISN 1000,
 * the peer's 5000). The fuzz cases that found them replay in regressions.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';

test('an old ACK (SEG.ACK < SND.UNA) does not update the send window, whatever its SEQ (RFC 9293 §3.10.7.4)', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send('abcdef');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 6 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1007, window: 65535 });
  // Spoofed: an ACK below SND.UNA, SEQ ahead in our receive window, window 0. Taken, it would close the
  // window and move SND.WL1 past every segment the peer sends next: the connection would stall.
  t.send({ flags: 'ACK', seq: 5001 + 30_000, ack: 1001, window: 0 });
  assert.equal(t.c.sndWnd, 65535);
  t.user.send('ghi');
  t.recv({ flags: 'PSH,ACK', seq: 1007, len: 3 });
});

test('an ACK that advances SND.UNA updates the window even when SEG.SEQ is behind SND.WL1 (as Linux tcp_may_update_window)', () => {
  const t = tcpTest();
  t.establishActive();
  // Spoofed: SEG.ACK = SND.UNA (not old), SEQ ahead in the window, window 0: the WL1/WL2 rule takes it.
  t.send({ flags: 'ACK', seq: 5001 + 30_000, ack: 1001, window: 0 });
  assert.equal(t.c.sndWnd, 0);
  t.user.send('abc');
  t.recvNothing();
  t.advance(1000); // persist timer: one probe octet
  t.recv({ flags: 'ACK', seq: 1001, len: 1 });
  // The real peer takes the probe and opens its window; its SEQ (5001) is behind the spoofed SND.WL1.
  t.send({ flags: 'ACK', seq: 5001, ack: 1002, window: 65535 });
  assert.equal(t.c.sndWnd, 65535);
  t.recv({ flags: 'PSH,ACK', seq: 1002, len: 2 });
});

test('a spoofed old segment from far below RCV.NXT cannot plant a future TSval in TS.Recent (R8; Linux: it must reach the last ACK sent)', () => {
  const t = tcpTest({ cfg: { timestamps: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460, ts: { val: 100, ecr: 0 } } });
  t.recv({ flags: 'ACK' });
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'abc', options: { ts: { val: 200, ecr: 0 } } });
  t.recv({ flags: 'ACK', ack: 5004 });
  // Old data 100,000 octets below RCV.NXT (unacceptable: answered with a duplicate ACK) carrying a TSval from the future.
  t.send({ flags: 'PSH,ACK', seq: 5004 - 100_000, ack: 1001, payload: 'xxxxxxxxxx', options: { ts: { val: 0x7fff0000, ecr: 0 } } });
  t.recv({ flags: 'ACK', ack: 5004, options: { ts: { val: 0, ecr: 200 } } });
  // The real peer's next segment must not fail PAWS.
  t.send({ flags: 'PSH,ACK', seq: 5004, ack: 1001, payload: 'def', options: { ts: { val: 210, ecr: 0 } } });
  t.recv({ flags: 'ACK', ack: 5007, options: { ts: { val: 0, ecr: 210 } } });
  assert.equal(t.c.info().pawsDrops, 0);
});

test('ACKs below SND.UNA are not duplicate ACKs (RFC 5681 §2 (d)): three of them trigger no fast retransmit', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send(new Uint8Array(1000));
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 1000 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1501 }); // partial: 500 octets still in flight
  for (let i = 0; i < 3; i++) t.send({ flags: 'ACK', seq: 5001, ack: 1001 }); // old (or spoofed) ACKs
  t.recvNothing();
  assert.equal(t.c.info().fastRetransmits, 0);
  assert.equal(t.c.info().dupAcks, 0);
});

test('a retransmitted SYN-ACK does not move the receive window edge left of what an ACK offered since (RFC 9293 §3.8.6.2.2)', () => {
  const t = tcpTest({ cfg: { windowScaling: true, recvBufferSize: 131072 } });
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000, options: { mss: 1460, wscale: 2 } });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001, window: 65535 });
  // A segment outside the window earns an ACK, whose window (32768 << 2) offers 131,072 octets.
  t.send({ flags: 'ACK', seq: 5001 + 1_000_000, ack: 1001 });
  t.recv({ flags: 'ACK', ack: 5001, window: 32768 });
  t.out.length = 0;
  t.advance(1000); // the SYN-ACK goes again (RTO)
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
  t.expectState('ESTABLISHED');
  // Data 70,000 octets ahead is inside the window offered: kept out of order, not refused.
  t.send({ flags: 'ACK', seq: 5001 + 70_000, ack: 1001, payload: new Uint8Array(100) });
  assert.equal(t.c.info().oooBytes, 100);
});

test('an old ACK (below SND.UNA) does not update TS.Recent, as Linux (tcp_ack: old_ack skips tcp_replace_ts_recent) — fuzz case 2818058202', () => {
  const t = tcpTest({ cfg: { timestamps: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460, ts: { val: 100, ecr: 0 } } });
  t.recv({ flags: 'ACK' });
  t.user.send('abcdef');
  t.recv({ flags: 'PSH,ACK', seq: 1001, len: 6 });
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1007, payload: 'abc', options: { ts: { val: 200, ecr: 0 } } });
  t.recv({ flags: 'ACK', ack: 5004 });
  // Spoofed, with an old ACK (1001 < SND.UNA 1007, within the peer's window) and a TSval from the future:
  // a duplicate ending at the last ACK sent (the path Linux's rcv_wup rule accepts), then a bare ACK at RCV.NXT.
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'abc', options: { ts: { val: 0x7fff0000, ecr: 0 } } });
  t.out.splice(0);
  t.send({ flags: 'ACK', seq: 5004, ack: 1001, options: { ts: { val: 0x7fff0001, ecr: 0 } } });
  t.out.splice(0);
  // The real peer's next segment must not fail PAWS.
  t.send({ flags: 'PSH,ACK', seq: 5004, ack: 1007, payload: 'def', options: { ts: { val: 210, ecr: 0 } } });
  t.recv({ flags: 'ACK', ack: 5007, options: { ts: { val: 0, ecr: 210 } } });
  assert.equal(t.c.info().pawsDrops, 0);
});
