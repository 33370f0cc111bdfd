import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';

test('O1 active open: CLOSED → SYN_SENT, SYN carries ISN and MSS, WS, SACK-permitted, TS', () => {
  const t = tcpTest({ cfg: { windowScaling: true, sack: true, timestamps: true, recvBufferSize: 1 << 20, tsOffset: 7 } });
  t.now = 100;
  t.user.connect();
  t.expectState('SYN_SENT');
  assert.deepEqual(t.transitions(), ['CLOSED>SYN_SENT']);
  const syn = t.recv({ flags: 'SYN', seq: 1000, ack: 0, len: 0 });
  assert.equal(syn.options.mss, 1460);
  assert.equal(syn.options.wscale, 5); // 1 MiB buffer → 1<<20 >> 5 = 32768 fits in 16 bits
  assert.equal(syn.options.sackPermitted, true);
  assert.deepEqual(syn.options.ts, { val: 107, ecr: 0 });
  assert.equal(syn.window, 65535, 'the window in a SYN is never scaled');
});

test('O2 passive open: LISTEN + SYN → SYN_RCVD, SYN-ACK with seq=y, ack=x+1', () => {
  const t = tcpTest({ isn: 9000, peerIsn: 300 });
  t.user.listen();
  t.send({ flags: 'SYN', seq: 300 });
  t.expectState('SYN_RCVD');
  assert.deepEqual(t.transitions(), ['LISTEN>SYN_RCVD']);
  t.recv({ flags: 'SYN,ACK', seq: 9000, ack: 301, len: 0 });
  t.recvNothing();
});

test('O3 SYN_SENT + acceptable SYN-ACK → ESTABLISHED, ACK seq=x+1 ack=y+1 (SYN consumes one number)', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001 });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.expectState('ESTABLISHED');
  assert.deepEqual(t.transitions(), ['CLOSED>SYN_SENT', 'SYN_SENT>ESTABLISHED']);
  t.advance(60_000);
  t.recvNothing();
});

test('O4 SYN_RCVD + ACK → ESTABLISHED; nothing more is sent', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  t.send({ flags: 'ACK', seq: 5001, ack: 1001 });
  t.expectState('ESTABLISHED');
  assert.deepEqual(t.transitions(), ['LISTEN>SYN_RCVD', 'SYN_RCVD>ESTABLISHED']);
  t.recvNothing();
});

test('O4 SYN_RCVD + ACK that does not acknowledge our SYN → RST <SEQ=SEG.ACK>, stay SYN_RCVD', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK' });
  t.send({ flags: 'ACK', seq: 5001, ack: 777 });
  t.recv({ flags: 'RST', seq: 777 });
  t.expectState('SYN_RCVD');
});

test('O4 the final ACK may carry data, which is delivered', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK' });
  t.send({ flags: 'ACK,PSH', seq: 5001, ack: 1001, payload: 'hello' });
  t.expectState('ESTABLISHED');
  t.recv({ flags: 'ACK', seq: 1001, ack: 5006 });
  assert.equal(new TextDecoder().decode(t.user.read()!), 'hello');
});

test('O5 simultaneous open: SYN_SENT + SYN → SYN_RCVD (SYN-ACK) → ESTABLISHED', () => {
  const t = tcpTest({ isn: 100, peerIsn: 300 });
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 100 });
  t.send({ flags: 'SYN', seq: 300 });
  t.expectState('SYN_RCVD');
  t.recv({ flags: 'SYN,ACK', seq: 100, ack: 301 });
  t.send({ flags: 'SYN,ACK', seq: 300, ack: 101 }); // RFC 9293 figure 8, line 6
  t.expectState('ESTABLISHED');
  assert.deepEqual(t.transitions(), ['CLOSED>SYN_SENT', 'SYN_SENT>SYN_RCVD', 'SYN_RCVD>ESTABLISHED']);
  t.recvNothing();
});

test('O6 SYN_SENT + RST with acceptable ACK → CLOSED with ECONNREFUSED', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'RST,ACK', seq: 0, ack: 1001 });
  t.expectState('CLOSED');
  assert.deepEqual(t.errors(), ['ECONNREFUSED']);
  assert.ok(t.hasEvent('closed'));
  t.recvNothing();
});

test('O6 SYN_SENT + RST whose ACK is not acceptable is ignored', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'RST,ACK', seq: 0, ack: 4242 });
  t.expectState('SYN_SENT');
  t.send({ flags: 'RST', seq: 0 }); // no ACK at all: RFC 9293 drops it
  t.expectState('SYN_SENT');
  t.recvNothing();
});

test('O7 SYN_SENT + unacceptable ACK → RST with seq = SEG.ACK, stay SYN_SENT', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 999 });
  t.recv({ flags: 'RST', seq: 999 });
  t.expectState('SYN_SENT');
  t.send({ flags: 'ACK', seq: 5000, ack: 1000 }); // ACK = ISS is unacceptable too
  t.recv({ flags: 'RST', seq: 1000 });
  t.expectState('SYN_SENT');
  // The real SYN-ACK still completes the handshake.
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001 });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.expectState('ESTABLISHED');
});

test('O8 SYN_RCVD (passive) + valid RST → back to LISTEN, the connection is gone, no error to anyone', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK' });
  t.send({ flags: 'RST', seq: 5001 });
  assert.deepEqual(t.transitions(), ['LISTEN>SYN_RCVD', 'SYN_RCVD>LISTEN']);
  assert.equal(t.c.state, 'CLOSED', 'the child TCB is deleted');
  assert.deepEqual(t.errors(), []);
  assert.ok(t.hasEvent('closed'));
  t.recvNothing();
});

test('O8 SYN_RCVD + RST with the wrong sequence number gets a challenge ACK (RFC 5961 §3.2)', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK' });
  t.send({ flags: 'RST', seq: 5100 });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.expectState('SYN_RCVD');
});

test('O9 SYN retransmitted with exponential backoff; ETIMEDOUT after tcp_syn_retries (6): 1+2+4+8+16+32+64 = 127 s', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  const times: number[] = [];
  let last = 0;
  for (const gap of [1000, 2000, 4000, 8000, 16000, 32000]) {
    t.advance(gap - 1);
    t.recvNothing();
    t.advance(1);
    const s = t.recv({ flags: 'SYN', seq: 1000 });
    assert.equal(s.rtx, true);
    last += gap;
    times.push(t.now);
  }
  assert.deepEqual(times, [1000, 3000, 7000, 15000, 31000, 63000]);
  assert.equal(last, 63000);
  t.advance(63_999);
  t.expectState('SYN_SENT');
  t.advance(1);
  t.expectState('CLOSED');
  assert.equal(t.now, 127_000);
  assert.deepEqual(t.errors(), ['ETIMEDOUT']);
  t.recvNothing();
});

test('O9 SYN-ACK retransmitted with backoff; after tcp_synack_retries (5) the half-open connection returns to LISTEN', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  for (const gap of [1000, 2000, 4000, 8000, 16000]) {
    t.advance(gap);
    t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  }
  t.advance(32_000);
  t.recvNothing();
  assert.deepEqual(t.transitions(), ['LISTEN>SYN_RCVD', 'SYN_RCVD>LISTEN']);
  assert.deepEqual(t.errors(), []);
});

test('O9 a retransmitted SYN in SYN_RCVD is answered with the SYN-ACK again', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  t.now += 500;
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  t.expectState('SYN_RCVD');
});

test('O9 SYN-ACKs answering retransmitted SYNs are rate-limited (as Linux tcp_oow_rate_limited, 500 ms)', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  t.send({ flags: 'SYN', seq: 5000 }); // the first copy is answered at once (our SYN-ACK may have been lost)
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  for (let i = 0; i < 100; i++) t.send({ flags: 'SYN', seq: 5000 }); // a burst of copies
  t.recvNothing();
  t.now += 499;
  t.send({ flags: 'SYN', seq: 5000 });
  t.recvNothing();
  t.now += 1;
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  for (let i = 0; i < 100; i++) t.send({ flags: 'SYN', seq: 5000 });
  t.recvNothing();
  t.expectState('SYN_RCVD');
});

test('O8 an in-window SYN with a different ISN in passive SYN_RCVD resets the embryonic connection (as Linux tcp_check_req)', () => {
  const t = tcpTest();
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  t.send({ flags: 'SYN', seq: 5100 }); // a new ISN, inside our receive window
  t.recv({ flags: 'RST,ACK', seq: 0, ack: 5101 });
  t.recvNothing();
  assert.deepEqual(t.transitions(), ['LISTEN>SYN_RCVD', 'SYN_RCVD>LISTEN']);
  assert.deepEqual(t.errors(), []);
});

test('O5 an in-window SYN with a different ISN in active (simultaneous-open) SYN_RCVD still earns a challenge ACK', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN', seq: 1000 });
  t.send({ flags: 'SYN', seq: 5000 });
  t.recv({ flags: 'SYN,ACK', seq: 1000, ack: 5001 });
  t.send({ flags: 'SYN', seq: 5100 });
  t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  t.expectState('SYN_RCVD');
});

test('O10 options are negotiated only when both sides offer them', () => {
  // We offer all three; the peer answers with TS only.
  const t = tcpTest({ cfg: { windowScaling: true, sack: true, timestamps: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 1000, ts: { val: 55, ecr: 0 } } });
  const ack = t.recv({ flags: 'ACK', seq: 1001, ack: 5001 });
  assert.deepEqual(ack.options, { ts: { val: 0, ecr: 55 } });
  const info = t.c.info();
  assert.equal(info.options.wscale, null);
  assert.equal(info.options.sack, false);
  assert.equal(info.options.timestamps, true);
  assert.equal(info.mss, 1000 - 12, 'MSS clamps segment size, less the timestamp option');
});

test('O10 a SYN-ACK offers only what the SYN offered', () => {
  const t = tcpTest({ cfg: { windowScaling: true, sack: true, timestamps: true } });
  t.user.listen();
  t.send({ flags: 'SYN', seq: 5000, options: { mss: 1400, sackPermitted: true } });
  const synAck = t.recv({ flags: 'SYN,ACK' });
  assert.deepEqual(synAck.options, { mss: 1460, sackPermitted: true });
});

test('O10 MSS clamps segment size: data goes out in segments of the peer MSS', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, options: { mss: 500 } });
  t.recv({ flags: 'ACK' });
  t.user.send(new Uint8Array(1200));
  t.recv({ flags: 'ACK', seq: 1001, len: 500 });
  t.recv({ flags: 'ACK', seq: 1501, len: 500 });
  t.recv({ flags: 'PSH,ACK', seq: 2001, len: 200 });
});

test('O10 window scale applies only after the handshake', () => {
  const t = tcpTest({ cfg: { windowScaling: true } });
  t.user.connect();
  t.recv({ flags: 'SYN' });
  // SYN-ACK window 1000 with wscale 2: the SYN-ACK's own window is NOT scaled.
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001, window: 1000, options: { wscale: 2 } });
  t.recv({ flags: 'ACK' });
  assert.equal(t.c.sndWnd, 1000);
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 1000 });
  assert.equal(t.c.sndWnd, 4000, 'later windows are shifted by the peer scale');
});

test('O10 without an MSS option the peer is assumed to take 536 bytes', () => {
  const t = tcpTest();
  t.user.connect();
  t.recv({ flags: 'SYN' });
  t.send({ flags: 'SYN,ACK', seq: 5000, ack: 1001 });
  t.recv({ flags: 'ACK' });
  assert.equal(t.c.info().mss, 536);
});
