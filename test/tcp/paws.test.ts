import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest, type TcpTest } from '../helpers/tcp-test.js';

// Our ISN is 1000, the peer's 5000. Timestamps on both sides; our clock is at 0 so our TSval is `now`.
function establishTs(peerTsval: number): TcpTest {
  const t = tcpTest({ cfg: { timestamps: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460, ts: { val: peerTsval, ecr: 0 } } });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001, options: { ts: { val: 0, ecr: peerTsval } } });
  return t;
}

const ts = (val: number, ecr = 0) => ({ ts: { val, ecr } });

test('D8 PAWS (RFC 7323 §5.3): a segment whose TSval is older than TS.Recent is dropped and answered with an ACK', () => {
  const t = establishTs(100);
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'new', options: ts(200) });
  t.recv({ flags: 'ACK', ack: 5004, options: ts(0, 200) });
  // An old duplicate from an earlier wrap of the sequence space: in the window, but TSval 150 < 200.
  t.send({ flags: 'PSH,ACK', seq: 5004, ack: 1001, payload: 'old', options: ts(150) });
  t.recv({ flags: 'ACK', ack: 5004, options: ts(0, 200) });
  assert.equal(new TextDecoder().decode(t.user.read()!), 'new');
  assert.equal(t.user.read(), null, 'the old segment was not delivered');
  assert.equal(t.c.info().pawsDrops, 1);
  // The next in-order segment with a current TSval is fine.
  t.send({ flags: 'PSH,ACK', seq: 5004, ack: 1001, payload: 'more', options: ts(210) });
  t.recv({ flags: 'ACK', ack: 5008, options: ts(0, 210) });
});

test('D8 PAWS also drops an old ACK: it does not move SND.UNA or the window', () => {
  const t = establishTs(100);
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, options: ts(300) });
  t.user.send('abc');
  t.recv({ flags: 'PSH,ACK', seq: 1001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1004, window: 0, options: ts(250) });
  assert.equal(t.c.sndUna, 1001);
  t.recv({ flags: 'ACK', seq: 1004, ack: 5001 });
  assert.notEqual(t.c.sndWnd, 0);
});

test('D8 a RST is not subject to PAWS (RFC 7323 §5.3 R1)', () => {
  const t = establishTs(100);
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, options: ts(300) });
  t.send({ flags: 'RST', seq: 5001, options: ts(5) });
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), ['ECONNRESET']);
});

test('D8 TS.Recent takes the TSval of the segment at the left edge of the window (RFC 7323 §4.3); later ones wait for the ACK', () => {
  const t = tcpTest({ cfg: { timestamps: true, delayedAck: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1460, ts: { val: 10, ecr: 0 } } });
  t.recv({ flags: 'ACK' });
  const full = new Uint8Array(1460);
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, payload: full, options: ts(20) });
  t.send({ flags: 'ACK', seq: 6461, ack: 1001, payload: full, options: ts(30) });
  // One ACK for both (delayed ACK): it echoes the earlier TSval, which covers the whole delay.
  t.recv({ flags: 'ACK', ack: 7921, options: ts(0, 20) });
});

test('D8 timestamps compare modulo 2^32: a TSval that wrapped past zero is newer, not older', () => {
  const t = establishTs(0xffff_fff0);
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'a', options: ts(0x10) });
  t.recv({ flags: 'ACK', ack: 5002, options: ts(0, 0x10) });
  assert.equal(t.c.info().pawsDrops, 0);
});

test('D8 after 24 days of idleness TS.Recent is no longer valid and PAWS does not reject (RFC 7323 §5.5)', () => {
  const t = establishTs(1000);
  t.advance(25 * 24 * 3600 * 1000);
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'hi', options: ts(5) });
  t.recv({ flags: 'ACK', ack: 5003 });
  assert.equal(t.c.info().pawsDrops, 0);
});

// R8 (issue 10 #2): TS.Recent changes only once a segment has passed the RST, SYN and ACK checks, as
// Linux (tcp_validate_incoming, then tcp_ack with FLAG_UPDATE_TS_RECENT). A spoofed segment that only
// earns a challenge ACK must not plant a TSval that makes PAWS drop the real peer's data.
const spoofs: Array<[string, { flags: string; seq: number; ack: number }]> = [
  ['a SYN at RCV.NXT (challenge ACK)', { flags: 'SYN', seq: 5001, ack: 0 }],
  ['a SYN,ACK at RCV.NXT (challenge ACK)', { flags: 'SYN,ACK', seq: 5001, ack: 1001 }],
  ['an ACK above SND.MAX', { flags: 'ACK', seq: 5001, ack: 900_000 }],
  ['an ACK below SND.UNA − MAX.SND.WND', { flags: 'ACK', seq: 5001, ack: (1001 - 200_000) >>> 0 }],
  ['a segment without ACK', { flags: 'PSH', seq: 5001, ack: 0 }],
];
for (const [what, spoof] of spoofs) {
  test(`R8 ${what} with a far-future TSval does not change TS.Recent: the real peer's next data is taken`, () => {
    const t = establishTs(100);
    t.send({ ...spoof, options: ts(0x7000_0000) });
    t.out.length = 0; // whatever was answered (a challenge ACK or nothing)
    t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'real', options: ts(110) });
    t.recv({ flags: 'ACK', ack: 5005, options: ts(0, 110) });
    assert.equal(t.c.info().pawsDrops, 0);
    assert.equal(new TextDecoder().decode(t.user.read()!), 'real');
  });
}

test('R8 a retransmission below RCV.NXT with an invalid ACK does not change TS.Recent', () => {
  const t = establishTs(100);
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1001, payload: 'abc', options: ts(110) });
  t.recv({ flags: 'ACK', ack: 5004, options: ts(0, 110) });
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 900_000, payload: 'abc', options: ts(0x7000_0000) });
  t.out.length = 0;
  t.send({ flags: 'PSH,ACK', seq: 5004, ack: 1001, payload: 'de', options: ts(120) });
  t.recv({ flags: 'ACK', ack: 5006, options: ts(0, 120) });
});
