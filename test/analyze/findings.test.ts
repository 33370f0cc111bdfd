import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findScenario } from '../../src/sim/catalogue.js';
import { analyzeBytes, type Analysis } from '../../src/analyze/analyze.js';
import { findFindings } from '../../src/analyze/findings.js';
import { scenarioPcap } from '../../src/analyze/scenario-pcap.js';
import { summarize } from '../../src/analyze/summary.js';
import { connectionDocument } from '../../src/analyze/document.js';
import { ipPacket, pcapFile, type Seg } from './capture-builders.js';

function run(name: string, loss?: number): Analysis {
  const { pcap, end } = scenarioPcap(findScenario(name)!, { seed: 1, loss });
  return analyzeBytes(pcap, { rfc1337: true, until: end });
}
const ids = (an: Analysis) => findFindings(an).map((f) => f.id);
const rows = (an: Analysis) => an.connections.map((c) => summarize(c, an.start, an.end));

test('close kinds and who closed first, per scenario', () => {
  const cases: Array<[string, string, 'A' | 'B' | undefined]> = [
    ['active-close', 'four-way', 'A'],
    ['fin-ack-combined', 'fin-ack-combined', 'A'],
    ['simultaneous-close', 'simultaneous', 'A'],
    ['rst-abort', 'reset', 'A'],
    ['close-with-unread-data', 'reset', 'A'],
    ['syn-to-closed-port', 'refused', undefined],
    ['connect-timeout', 'connect-timeout', undefined],
    ['handshake', 'open', undefined],
  ];
  for (const [name, kind, closer] of cases) {
    const r = rows(run(name))[0];
    assert.equal(r.close, kind, name);
    assert.equal(r.closer === undefined ? undefined : r.closer === r.a ? 'A' : 'B', closer, name);
  }
});

test('summary row: bytes each way, final states at capture end, handshake RTT, zero windows', () => {
  const zw = rows(run('zero-window'))[0];
  assert.equal(zw.bytesAtoB, 12 * 1024);
  assert.equal(zw.bytesBtoA, 0);
  assert.equal(zw.rttMs, 20); // two 10 ms legs
  assert.ok(zw.zeroWindows >= 1);
  assert.equal(zw.finalA, 'CLOSED'); // the scenario runs until A's 60 s TIME_WAIT has ended
  assert.equal(zw.finalB, 'CLOSED');
  // A capture that stops inside the 60 s TIME_WAIT leaves the closer there.
  const stopped = rows(analyzeBytes(capture(closeThenReuse(0, false).slice(0, 7))))[0];
  assert.deepEqual([stopped.finalA, stopped.finalB], ['TIME_WAIT', 'CLOSED']);
  const tw = rows(run('time-wait-expiry'))[0];
  assert.equal(tw.finalA, 'CLOSED');
  assert.ok(tw.uncertain.some((u) => /TIME_WAIT lasts 60 s/.test(u)), 'the inferred end of TIME_WAIT is flagged');
});

test('findings: each scenario shows its pathology, and only where it happened', () => {
  assert.ok(ids(run('lost-final-ack')).includes('lost-final-ack'));
  assert.ok(!ids(run('active-close')).includes('lost-final-ack'));
  assert.ok(ids(run('syn-flood')).includes('syn-flood'));
  const fw2 = ids(run('fin-wait-2-timeout'));
  assert.ok(fw2.includes('close-wait') && fw2.includes('fin-wait-2'), fw2.join());
  assert.ok(ids(run('zero-window')).includes('zero-window'));
  const ka = ids(run('keepalive-timeout'));
  assert.ok(ka.includes('keepalive') && !ka.includes('rst-on-close'), ka.join());
  const unread = findFindings(run('close-with-unread-data')).find((f) => f.id === 'rst-on-close');
  assert.ok(unread && /unread/.test(unread.detail));
  assert.ok(ids(run('connect-timeout')).includes('connect-timeout'));
  assert.ok(ids(run('syn-to-closed-port')).includes('connection-refused'));
  assert.ok(ids(run('blind-rst')).includes('blind-segments'));
  assert.ok(ids(run('lossy-transfer', 0.3)).includes('retransmissions'));
  assert.deepEqual(ids(run('handshake')), []);
  for (const f of findFindings(run('fin-wait-2-timeout'))) assert.ok(f.explanation.length > 100 && f.advice.length > 20);
});

const A = '192.0.2.10';
const B = '192.0.2.20';
function closeThenReuse(gapMs: number, rst: boolean): Seg[] {
  const c = { src: A, dst: B, sport: 40000, dport: 80 };
  const s = { src: B, dst: A, sport: 80, dport: 40000 };
  const segs: Seg[] = [
    { ...c, t: 0, flags: 'SYN', seq: 100 },
    { ...s, t: 1, flags: 'SYN,ACK', seq: 900, ack: 101 },
    { ...c, t: 2, flags: 'ACK', seq: 101, ack: 901 },
    { ...c, t: 10, flags: 'FIN,ACK', seq: 101, ack: 901 },
    { ...s, t: 11, flags: 'ACK', seq: 901, ack: 102 },
    { ...s, t: 20, flags: 'FIN,ACK', seq: 901, ack: 102 },
    { ...c, t: 21, flags: 'ACK', seq: 102, ack: 902 },
  ];
  if (rst) segs.push({ ...s, t: 500, flags: 'RST', seq: 902 });
  segs.push({ ...c, t: 21 + gapMs, flags: 'SYN', seq: 50_000 }, { ...s, t: 22 + gapMs, flags: 'SYN,ACK', seq: 7000, ack: 50_001 }, { ...c, t: 23 + gapMs, flags: 'ACK', seq: 50_001, ack: 7001 });
  return segs;
}
const capture = (segs: Seg[]) => pcapFile(segs.map((s) => ({ t: 1_700_000_000_000 + s.t, bytes: ipPacket(s) })), { linkType: 101 });

test('port reuse: a new SYN on the 4-tuple 5 s into TIME_WAIT is a new connection, and a finding', () => {
  const an = analyzeBytes(capture(closeThenReuse(5000, false)));
  assert.equal(an.connections.length, 2);
  assert.deepEqual(an.portReuse.map((r) => [r.previous, r.connection, r.endpoint]), [[1, 2, `${A}:40000`]]);
  const first = an.connections[0].ends[0].path.at(-1)!;
  assert.equal(first.to, 'CLOSED');
  assert.match(first.inferred ?? '', /new SYN/);
  assert.ok(ids(an).includes('port-reuse'));
  // After TIME_WAIT has run out (60 s), reuse is ordinary.
  assert.equal(analyzeBytes(capture(closeThenReuse(70_000, false))).portReuse.length, 0);
});

test('TIME_WAIT assassination: a RST into TIME_WAIT ends it on Linux (tcp_rfc1337=0), not with --rfc1337', () => {
  const segs = closeThenReuse(0, true).slice(0, 8);
  const linux = analyzeBytes(capture(segs));
  const a = linux.connections[0].ends[0];
  assert.deepEqual(a.path.slice(-2).map((t) => `${t.from}>${t.to}`), ['FIN_WAIT_2>TIME_WAIT', 'TIME_WAIT>CLOSED']);
  assert.equal(a.path.at(-1)!.t - linux.start, 500);
  assert.ok(ids(linux).includes('time-wait-assassination'));
  const rfc = analyzeBytes(capture(segs), { rfc1337: true });
  assert.equal(rfc.connections[0].ends[0].path.at(-1)!.t - rfc.start, 21 + 60_000);
});

test('a capture that starts mid-connection says so, and ACKs for data it never saw are counted as capture gaps', () => {
  const c = { src: A, dst: B, sport: 40000, dport: 80 };
  const s = { src: B, dst: A, sport: 80, dport: 40000 };
  const an = analyzeBytes(
    capture([
      { ...c, t: 0, flags: 'PSH,ACK', seq: 1000, ack: 5000, len: 100 },
      { ...s, t: 1, flags: 'ACK', seq: 5000, ack: 1100 },
      { ...s, t: 2, flags: 'ACK', seq: 5000, ack: 1600 }, // 500 bytes the capture missed
      { ...c, t: 3, flags: 'FIN,ACK', seq: 1600, ack: 5000 },
      { ...s, t: 4, flags: 'FIN,ACK', seq: 5000, ack: 1601 },
      { ...c, t: 5, flags: 'ACK', seq: 1601, ack: 5001 },
    ]),
  );
  const r = rows(an)[0];
  assert.equal(r.a, `${A}:40000`); // the ephemeral-port side is taken as the opener
  assert.ok(r.uncertain.some((u) => /mid-connection/.test(u)));
  assert.ok(r.uncertain.some((u) => /missing from the capture/.test(u)));
  assert.equal(r.close, 'fin-ack-combined');
  assert.deepEqual(an.connections[0].ends[1].path.map((t) => t.to), ['CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
});

test('the JSON document of a connection is in the scenario format, endpoints named addr:port', () => {
  const doc = connectionDocument(run('active-close').connections[0]);
  assert.deepEqual(doc.endpoints, ['10.0.0.1:49417', '10.0.0.2:80']);
  const seg = doc.events.find((e) => e.type === 'segment')!;
  assert.deepEqual(Object.keys(seg).slice(0, 9), ['t', 'type', 'from', 'to', 'flags', 'seq', 'ack', 'len', 'dropped']);
  const st = doc.events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? `${e.endpoint.split(':')[1]} ${e.from}>${e.to}` : ''));
  assert.deepEqual(st.slice(0, 2), ['49417 CLOSED>SYN_SENT', '80 LISTEN>SYN_RCVD']);
});
