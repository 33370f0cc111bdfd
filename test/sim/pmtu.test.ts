import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, path, run, segments } from './doc-helpers.js';

const BYTES = 120 * 1448;
const A_PATH = ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'TIME_WAIT', 'CLOSED'];
const B_PATH = ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'];

/** Octets of A's data that reached B, each once: the union of the delivered segments' ranges, relative to the first. */
function delivered(doc: ReturnType<typeof run>): number {
  const data = segments(doc, 'A').filter((s) => s.len > 0);
  const base = data[0]!.seq;
  const got = new Uint8Array(BYTES);
  for (const s of data) if (!s.dropped) got.fill(1, (s.seq - base) >>> 0, ((s.seq - base) >>> 0) + s.len);
  return got.reduce((n, b) => n + b, 0);
}

test('pmtu-black-hole-icmp: the hop drops the 1448-byte segments and sends frag-needed; A resends the flight at once in 1228-byte segments, no timeout; both ends close normally', () => {
  const doc = run('pmtu-black-hole-icmp');
  const data = segments(doc, 'A').filter((s) => s.len > 0);
  const dropped = data.filter((s) => s.dropped);
  assert.equal(dropped.length, 10, 'the first flight (ten segments of 1448) dies at the hop');
  assert.ok(dropped.every((s) => s.len === 1448 && s.note === 'dropped: over the path MTU'));
  const after = data.filter((s) => s.t > dropped[0]!.t);
  assert.ok(after.every((s) => s.len <= 1228), 'nothing bigger than 1228 after the ICMP');
  // The ICMP comes back after one way (10 ms); the retransmissions go at once, well before any RTO (≥ 200 ms).
  const firstRtx = after.find((s) => s.rtx)!;
  assert.equal(firstRtx.t - dropped[0]!.t, 10);
  assert.equal(firstRtx.seq, dropped[0]!.seq);
  assert.equal(firstRtx.len, 1228);
  assert.equal(after.filter((s) => s.dropped).length, 0);
  assert.equal(delivered(doc), BYTES, 'every byte reached B');
  assert.deepEqual(path(doc, 'A'), A_PATH);
  assert.deepEqual(path(doc, 'B'), B_PATH);
  assert.deepEqual(errors(doc), []);
  // B's side: it never saw a segment over 1228, and it ACKed all of A's data and FIN.
  const bAcks = segments(doc, 'B');
  assert.equal(bAcks.at(-1)!.flags, 'FIN,ACK');
  assert.equal((bAcks.at(-1)!.ack - data[0]!.seq) >>> 0, BYTES + 1, 'B acknowledges every byte and the FIN');
});

test('pmtu-black-hole: no ICMP; 3 s into its timeouts (the 5th) A falls to tcp_base_mss (1012 + timestamps), probes upward, loses the 1230 probe, settles at 1222; both ends close normally', () => {
  const doc = run('pmtu-black-hole');
  const data = segments(doc, 'A').filter((s) => s.len > 0);
  const big = data.filter((s) => s.len === 1448);
  assert.ok(big.every((s) => s.dropped), 'every 1448-byte segment dies at the hop');
  const bigRtx = big.filter((s) => s.rtx);
  // Tail loss probe, then RTOs at 200, 400, 800, 1600 ms backoff: the 5th timeout, 6 s after the first (3 s or more, Linux
  // retransmits_timed_out with tcp_retries1), sends 1012.
  const firstSmall = data.find((s) => s.len === 1012)!;
  assert.ok(firstSmall.rtx && firstSmall.seq === big[0]!.seq, 'the black-hole retransmission of SND.UNA');
  assert.ok(firstSmall.t - big[0]!.t > 6_000, `after the timeouts (${firstSmall.t - big[0]!.t} ms)`);
  assert.ok(bigRtx.length >= 4, `the full-size retransmissions that vanished: ${bigRtx.length}`);
  const after = data.filter((s) => s.t >= firstSmall.t);
  const probes = after.filter((s) => s.len > 1012 && !s.rtx);
  assert.deepEqual([...new Set(probes.map((s) => s.len))].slice(0, 6), [1230, 1120, 1174, 1201, 1215, 1222], 'the RFC 4821 search');
  assert.ok(probes[0]!.dropped && probes.slice(1).every((s) => !s.dropped), 'only the first probe is over the path');
  assert.ok(!after.some((s) => s.len > 1230), 'nothing over the first probe');
  assert.equal(delivered(doc), BYTES, 'every byte reached B');
  assert.deepEqual(path(doc, 'A'), A_PATH);
  assert.deepEqual(path(doc, 'B'), B_PATH);
  assert.deepEqual(errors(doc), []);
  const bLast = segments(doc, 'B').at(-1)!;
  assert.equal((bLast.ack - data[0]!.seq) >>> 0, BYTES + 1, 'B acknowledges every byte and the FIN');
});
