/**
 * SEG.SEQ of segments without data (pure ACKs and RSTs) after SND.NXT was
 * rewound (RTO go-back-N, persist). They carry SND.MAX, as BSD's tcp_output
 * does (snd_max unless data, SYN or FIN is sent): at SND.NXT they can lie
 * below what the peer has already received, and the peer drops them unread as
 * old duplicates, ACK field and all (RFC 9293 §3.10.7.4). Fuzz case 3605780945:
 * with pure ACKs at SND.NXT each end dropped the other's ACKs until one timed
 * out. Not clamped to the send window's edge as Linux's tcp_acceptable_seq:
 * fuzz case 439084160 (spoofed zero windows) deadlocked the same way with it.
 * One exception, found against Linux: once the peer has refused our
 * zero-window probe octet, pure ACKs carry SND.UNA, its RCV.NXT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpTest } from '../helpers/tcp-test.js';
import { ACK } from '../../src/wire/flags.js';

/** The pure ACKs (no data, no SYN/FIN/RST) sent since the last call, by SEG.SEQ. */
function pureAckSeqs(t: ReturnType<typeof tcpTest>): number[] {
  const seqs = t.out.filter((s) => s.payload.length === 0 && s.flags === ACK).map((s) => s.seq);
  t.out.length = 0;
  return seqs;
}

/** The next segment sent carries 1460 octets at `seq`. */
function takeData(t: ReturnType<typeof tcpTest>, seq: number): void {
  const s = t.out.shift();
  assert.ok(s, `expected a segment at ${seq}`);
  assert.deepEqual([s.seq, s.payload.length], [seq, 1460]);
}

/**
 * A sender whose SND.NXT (5381) lies below SND.MAX (6841) inside an open window (edge 10461): a zero window
 * rewound SND.NXT, the one segment resent then was lost, and after the RTO slow start has sent two again.
 */
function rewoundSender(): ReturnType<typeof tcpTest> {
  const t = tcpTest();
  t.establishActive();
  t.user.send(new Uint8Array(5840));
  for (const seq of [1001, 2461, 3921, 5381]) takeData(t, seq);
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 0 }); // window shut: SND.NXT goes back to SND.UNA
  assert.equal(t.c.sndNxt, 1001);
  assert.equal(t.c.sndMax, 6841);
  t.out.length = 0;
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 1460 }); // room for one segment: 1001..2461 goes again
  takeData(t, 1001);
  for (let i = 0; i < 20 && t.out.length === 0; i++) t.advance(250); // it is lost: the RTO resends it, cwnd = 1
  takeData(t, 1001);
  t.send({ flags: 'ACK', seq: 5001, ack: 2461, window: 8000 }); // slow start again: two segments
  takeData(t, 2461);
  takeData(t, 3921);
  assert.equal(t.c.sndNxt, 5381);
  assert.equal(t.c.sndMax, 6841);
  return t;
}

test('after a zero window rewinds SND.NXT, an RTO and a cwnd-limited restart, a pure ACK carries SND.MAX', () => {
  const t = rewoundSender();
  // The peer may hold everything up to 6841 (sent before the window shut) and sends data. Our ACK of it must be
  // acceptable to a receiver at RCV.NXT = 6841: SEG.SEQ = SND.MAX (≤ the window's edge 10461), not SND.NXT.
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 2461, window: 8000, payload: 'x'.repeat(100) });
  t.advance(200);
  assert.deepEqual(pureAckSeqs(t), [6841]);
});

test('a RST after a rewind carries SND.MAX', () => {
  const t = rewoundSender();
  t.out.length = 0;
  t.user.abort();
  t.recv({ flags: 'RST,ACK', seq: 6841, ack: 5001 });
});

test('with the window shrunk below SND.MAX (by the peer, or by a spoofed segment), a pure ACK still carries SND.MAX', () => {
  const t = tcpTest();
  t.establishActive();
  t.user.send(new Uint8Array(2920));
  t.recv({ flags: 'ACK', seq: 1001, len: 1460 });
  t.recv({ flags: 'PSH,ACK', seq: 2461, len: 1460 });
  t.out.length = 0;
  // A partial ACK that shrinks the window to 500 (edge 2961 < SND.MAX 3921; not zero, so nothing is rewound), with data.
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 2461, window: 500, payload: 'x'.repeat(10) });
  t.advance(200);
  // BSD, not Linux's tcp_acceptable_seq (SND.UNA + SND.WND = 2961): a spoofed small window must not pull our
  // ACKs below a RCV.NXT the peer already has (fuzz case 439084160).
  assert.deepEqual(pureAckSeqs(t), [3921]);
});

/** The peer's window is zero from the start and 'xyz' waits: the persist timer has sent its probe octet at 1001. */
function probedZeroWindow(): ReturnType<typeof tcpTest> {
  const t = tcpTest();
  t.establishActive(0);
  t.user.send('xyz');
  while (t.out.length === 0) t.advance(100);
  t.recv({ flags: 'ACK', seq: 1001, len: 1 }); // the probe
  return t;
}

test('after the peer refuses a zero-window probe, a pure ACK carries SND.UNA (its RCV.NXT), not the refused octet\'s SND.MAX', () => {
  // Seen against Linux (interop close case "the kernel half-closes first"): the kernel's window is 0, our probe
  // octet at 1001 is refused (answered with ACK 1001, window 0), then its FIN comes. An ACK at SND.MAX = 1002 is
  // beyond a zero window (Linux tcp_sequence: seq > rcv_nxt + 0), so the kernel drops it, ACK field and all, and
  // sits in FIN_WAIT_1 until a later probe happens to carry the acknowledgment.
  const t = probedZeroWindow();
  assert.equal(t.c.sndMax, 1002);
  t.send({ flags: 'ACK', seq: 5001, ack: 1001, window: 0 }); // refused
  t.out.length = 0;
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1001, window: 0 });
  t.expectState('CLOSE_WAIT');
  assert.deepEqual(
    t.out.filter((s) => s.payload.length === 0).map((s) => [s.seq, s.ack, s.flags]),
    [[1001, 5002, ACK]],
  );
  // The window opens: the data goes, and pure ACKs are back at SND.MAX.
  t.out.length = 0;
  t.send({ flags: 'ACK', seq: 5002, ack: 1001, window: 1000 });
  t.recv({ flags: 'PSH,ACK', seq: 1001, payload: 'xyz' });
  t.send({ flags: 'ACK', seq: 5002, ack: 1004, window: 1000 });
  t.out.length = 0;
  t.send({ flags: 'FIN,ACK', seq: 5001, ack: 1004, window: 1000 }); // the FIN again: our ACK was lost
  t.advance(200);
  assert.deepEqual(pureAckSeqs(t), [1004]);
});

test('a probe the peer takes (its answer covers the octet) leaves pure ACKs at SND.MAX', () => {
  const t = probedZeroWindow();
  t.send({ flags: 'ACK', seq: 5001, ack: 1002, window: 0 }); // taken, and the window is shut again
  t.out.length = 0;
  t.send({ flags: 'PSH,ACK', seq: 5001, ack: 1002, window: 0, payload: 'hi' });
  t.advance(200);
  assert.deepEqual(pureAckSeqs(t), [1002]);
});
