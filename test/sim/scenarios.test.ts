import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, findScenario } from '../../src/sim/catalogue.js';
import { runScenario } from '../../src/sim/scenario.js';
import { TCP_STATES } from '../../src/tcp/state.js';
import { errors, flow, path, run, segments, seqDiff, stateTime } from './doc-helpers.js';

const REQUIRED = [
  'handshake', 'simultaneous-open', 'syn-to-closed-port', 'rst-in-syn-rcvd', 'connect-timeout', 'active-close',
  'passive-close', 'half-close', 'fin-ack-combined', 'simultaneous-close', 'time-wait-expiry', 'lost-final-ack',
  'fin-wait-2-timeout', 'close-with-unread-data', 'rst-abort', 'blind-rst', 'syn-flood', 'zero-window', 'keepalive-timeout', 'lossy-transfer',
  'time-wait-reuse', 'accept-queue-overflow', 'close-wait-leak', 'rst-on-data-after-close',
];

test('the catalogue has every scenario the core issue names, each with a one-line summary', () => {
  for (const name of REQUIRED) assert.ok(findScenario(name), name);
  for (const s of SCENARIOS) {
    assert.ok(s.summary.length > 10 && !s.summary.includes('\n'), s.name);
    assert.ok(s.params.every((p) => p === 'loss' || p === 'msl'), s.name);
  }
});

const SEGMENT_KEYS = ['ack', 'dropped', 'flags', 'from', 'len', 'seq', 't', 'to', 'type', 'win'];
const SEGMENT_OPTIONAL = ['rtx', 'sack', 'options', 'note', 'ecn', 'ecnFlags'];

test('every scenario yields the documented event format (docs/events.md), deterministically per seed', () => {
  const flagOrder = ['SYN', 'FIN', 'RST', 'PSH', 'ACK', 'URG'];
  for (const s of SCENARIOS) {
    const doc = runScenario(s, { seed: 7 });
    assert.equal(doc.scenario, s.name);
    const attacked = segments(doc).some((e) => e.from === 'X' || e.to === 'X');
    assert.deepEqual(doc.endpoints, attacked ? ['A', 'B', 'X'] : ['A', 'B'], s.name);
    let last = 0;
    for (const e of doc.events) {
      assert.ok(e.t >= last, `${s.name}: events in time order`);
      last = e.t;
      if (e.type === 'state') {
        const keys = Object.keys(e);
        for (const k of ['endpoint', 'from', 't', 'to', 'type', 'cause']) assert.ok(keys.includes(k), `${s.name}: state event has ${k}`);
        assert.ok(keys.every((k) => ['endpoint', 'from', 't', 'to', 'type', 'cause', 'timer', 'local', 'remote'].includes(k)), `${s.name}: ${keys}`);
        assert.match(e.local!, e.from === 'CLOSED' && e.to === 'LISTEN' || e.from === 'LISTEN' && e.to === 'CLOSED' ? /^\*:\d+$/ : /^10\.0\.\d+\.\d+:\d+$/);
        assert.ok((TCP_STATES as readonly string[]).includes(e.from) && (TCP_STATES as readonly string[]).includes(e.to));
      } else if (e.type === 'segment') {
        const keys = Object.keys(e);
        for (const k of SEGMENT_KEYS) assert.ok(keys.includes(k), `${s.name}: segment event has ${k}`);
        assert.ok(keys.every((k) => SEGMENT_KEYS.includes(k) || SEGMENT_OPTIONAL.includes(k)), `${s.name}: ${keys}`);
        const names = e.flags.split(',');
        assert.deepEqual(names, flagOrder.filter((f) => names.includes(f)), `${s.name}: flag order ${e.flags}`);
        assert.ok(Number.isInteger(e.seq) && e.seq >= 0 && e.seq < 2 ** 32);
        assert.ok(Number.isInteger(e.ack) && e.ack >= 0 && e.ack < 2 ** 32);
        assert.ok(Number.isInteger(e.win) && e.win! >= 0 && e.win! <= 0xffff);
        assert.ok(['A', 'B', 'X'].includes(e.from) && ['A', 'B', 'X'].includes(e.to));
      } else {
        assert.equal(e.type, 'error');
        assert.ok(['code,endpoint,t,type', 'code,endpoint,local,remote,t,type'].includes(Object.keys(e).sort().join()), `${s.name}: ${Object.keys(e)}`);
        assert.match(e.code, /^E[A-Z]+$/);
      }
    }
    assert.equal(JSON.stringify(runScenario(s, { seed: 7 })), JSON.stringify(doc), `${s.name}: same seed, same document`);
  }
  assert.notEqual(JSON.stringify(run('handshake', { seed: 1 })), JSON.stringify(run('handshake', { seed: 2 })), 'the seed matters');
});

test('handshake: SYN, SYN-ACK (seq=y, ack=x+1), ACK (seq=x+1, ack=y+1); both ESTABLISHED', () => {
  const doc = run('handshake');
  const [syn, synAck, ack] = segments(doc);
  assert.equal(syn!.flags, 'SYN');
  assert.equal(synAck!.flags, 'SYN,ACK');
  assert.equal(synAck!.ack, (syn!.seq + 1) >>> 0);
  assert.equal(ack!.flags, 'ACK');
  assert.equal(ack!.seq, (syn!.seq + 1) >>> 0);
  assert.equal(ack!.ack, (synAck!.seq + 1) >>> 0);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED']);
});

test('simultaneous-open: SYN_SENT → SYN_RCVD → ESTABLISHED on both sides', () => {
  const doc = run('simultaneous-open');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED']);
  assert.deepEqual(segments(doc).map((s) => s.flags), ['SYN', 'SYN', 'SYN,ACK', 'SYN,ACK']);
});

test('syn-to-closed-port: RST,ACK with ack = ISN+1; A goes SYN_SENT → CLOSED', () => {
  const doc = run('syn-to-closed-port');
  const [syn, rst] = segments(doc);
  assert.equal(rst!.flags, 'RST,ACK');
  assert.equal(rst!.ack, (syn!.seq + 1) >>> 0);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'CLOSED']);
  assert.deepEqual(path(doc, 'B'), [], 'B never has a connection: the RST comes from no TCB');
  assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}`), ['A:ECONNREFUSED']);
});

test('rst-in-syn-rcvd: B returns to LISTEN and still accepts the next connection', () => {
  const doc = run('rst-in-syn-rcvd');
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED']);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'CLOSED', 'SYN_SENT', 'ESTABLISHED']);
  const rst = segments(doc, 'A').find((s) => s.flags === 'RST')!;
  const synAck = segments(doc, 'B').find((s) => s.flags === 'SYN,ACK')!;
  assert.equal(rst.seq, synAck.ack, 'RST <SEQ=SEG.ACK>');
});

test('connect-timeout: 7 SYNs at 0, 1, 3, 7, 15, 31, 63 s; CLOSED at 127 s', () => {
  const doc = run('connect-timeout');
  const syns = segments(doc, 'A');
  assert.deepEqual(syns.map((s) => s.t), [0, 1000, 3000, 7000, 15000, 31000, 63000]);
  assert.ok(syns.every((s) => s.flags === 'SYN' && s.dropped));
  assert.ok(syns.slice(1).every((s) => s.rtx === true) && syns[0]!.rtx === undefined, 'retransmissions are marked');
  assert.equal(stateTime(doc, 'A', 'CLOSED'), 127_000);
  assert.deepEqual(path(doc, 'B'), []);
  assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}@${e.t}`), ['A:ETIMEDOUT@127000']);
});

test('active-close: the four-way close and TIME_WAIT on A', () => {
  const doc = run('active-close');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  const close = segments(doc).slice(3).map((s) => `${s.from}:${s.flags}`);
  assert.deepEqual(close, ['A:FIN,ACK', 'B:ACK', 'B:FIN,ACK', 'A:ACK']);
});

const FOUR_WAY_A = ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED'];
const FOUR_WAY_B = ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'];

test('passive-close: B sends data in CLOSE_WAIT before its FIN; both ends take the four-way close', () => {
  const doc = run('passive-close');
  assert.deepEqual(path(doc, 'A'), FOUR_WAY_A);
  assert.deepEqual(path(doc, 'B'), FOUR_WAY_B);
  const fromB = segments(doc, 'B');
  const dataAt = fromB.findIndex((s) => s.len > 0);
  const finAt = fromB.findIndex((s) => s.flags.includes('FIN'));
  assert.ok(dataAt >= 0 && dataAt < finAt);
  assert.ok(fromB[dataAt]!.t > stateTime(doc, 'B', 'CLOSE_WAIT'));
  const data = fromB[dataAt]!;
  assert.equal(fromB[finAt]!.seq, (data.seq + data.len) >>> 0, 'the FIN follows the last byte');
  const finA = segments(doc, 'A').find((s) => s.flags.includes('FIN'))!;
  assert.ok(segments(doc, 'A').some((s) => s.t > data.t && s.ack === ((data.seq + data.len) >>> 0)), 'A acknowledges the data from FIN_WAIT_2');
  assert.ok(segments(doc, 'A').some((s) => s.ack === ((fromB[finAt]!.seq + 1) >>> 0) && s.seq === ((finA.seq + 1) >>> 0)), 'A acknowledges B’s FIN');
});

test('half-close: A receives B’s data while in FIN_WAIT_2; both ends take the four-way close', () => {
  const doc = run('half-close');
  assert.deepEqual(path(doc, 'A'), FOUR_WAY_A);
  assert.deepEqual(path(doc, 'B'), FOUR_WAY_B);
  const fw2 = stateTime(doc, 'A', 'FIN_WAIT_2');
  const tw = stateTime(doc, 'A', 'TIME_WAIT');
  const data = segments(doc, 'B').filter((s) => s.len > 0);
  assert.equal(data.length, 3);
  assert.ok(data.every((s) => s.t >= fw2 && s.t < tw), 'sent while A is in FIN_WAIT_2 (arriving one link delay later)');
  const acks = segments(doc, 'A').filter((s) => s.t > fw2 && s.t <= tw && s.flags === 'ACK');
  for (const d of data) {
    assert.ok(acks.some((a) => seqDiff(a.ack, (d.seq + d.len) >>> 0) >= 0), `A acknowledges the data at seq ${d.seq} from FIN_WAIT_2`);
  }
});

test('fin-ack-combined: A goes FIN_WAIT_1 → TIME_WAIT with no FIN_WAIT_2', () => {
  const doc = run('fin-ack-combined');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'TIME_WAIT', 'CLOSED']);
  assert.deepEqual(path(doc, 'B'), FOUR_WAY_B);
  const close = segments(doc).slice(3).map((s) => `${s.from}:${s.flags}`);
  assert.deepEqual(close, ['A:FIN,ACK', 'B:FIN,ACK', 'A:ACK']);
});

test('simultaneous-close: both ends FIN_WAIT_1 → CLOSING → TIME_WAIT → CLOSED', () => {
  const doc = run('simultaneous-close');
  for (const e of ['A', 'B'] as const) {
    assert.deepEqual(path(doc, e).slice(-5), ['ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT', 'CLOSED']);
  }
});

test('time-wait-expiry: TIME_WAIT lasts 2×MSL (60 s default, and with --msl)', () => {
  for (const msl of [undefined, 5000]) {
    const doc = run('time-wait-expiry', { msl });
    const entered = stateTime(doc, 'A', 'TIME_WAIT');
    const left = doc.events.find((e) => e.type === 'state' && e.endpoint === 'A' && e.from === 'TIME_WAIT')!;
    assert.equal(left.type === 'state' && left.to, 'CLOSED');
    assert.equal(left.t - entered, 2 * (msl ?? 30_000));
  }
});

test('lost-final-ack: dropped ACK, retransmitted FIN, a second ACK from TIME_WAIT, B reaches CLOSED; 2MSL restarts', () => {
  const doc = run('lost-final-ack');
  const finsB = segments(doc, 'B').filter((s) => s.flags.includes('FIN'));
  assert.equal(finsB.length, 2);
  assert.equal(finsB[0]!.seq, finsB[1]!.seq, 'the same FIN, retransmitted');
  const acksA = segments(doc, 'A').filter((s) => s.flags === 'ACK' && s.ack === ((finsB[0]!.seq + 1) >>> 0));
  assert.equal(acksA.length, 2);
  assert.equal(acksA[0]!.dropped, true);
  assert.equal(acksA[1]!.dropped, false);
  assert.ok(acksA[1]!.t > finsB[1]!.t);
  assert.deepEqual(path(doc, 'B'), FOUR_WAY_B);
  assert.deepEqual(path(doc, 'A'), FOUR_WAY_A);
  const twEnd = doc.events.find((e) => e.type === 'state' && e.endpoint === 'A' && e.from === 'TIME_WAIT')!;
  assert.equal(twEnd.t - acksA[1]!.t, 60_000, 'the 2MSL timer restarted at the second ACK');
});

test('fin-wait-2-timeout: A’s orphan FIN_WAIT_2 is reaped after 60 s; B’s late FIN then meets a RST', () => {
  const doc = run('fin-wait-2-timeout');
  const fw2 = stateTime(doc, 'A', 'FIN_WAIT_2');
  const gone = doc.events.find((e) => e.type === 'state' && e.endpoint === 'A' && e.from === 'FIN_WAIT_2')!;
  assert.equal(gone.type === 'state' && gone.to, 'CLOSED');
  assert.equal(gone.t - fw2, 60_000);
  assert.ok(segments(doc, 'A').some((s) => s.flags.includes('RST') && s.t > gone.t));
  assert.deepEqual(path(doc, 'B'), FOUR_WAY_B);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSED']);
});

test('close-with-unread-data: A sends RST, not FIN; both ends go ESTABLISHED → CLOSED and B sees ECONNRESET', () => {
  const doc = run('close-with-unread-data');
  const fromA = segments(doc, 'A').slice(2);
  assert.deepEqual(flow(fromA).filter((f) => f !== 'A:ACK'), ['A:RST,ACK']);
  const data = segments(doc, 'B').find((s) => s.len > 0)!;
  const rst = fromA.find((s) => s.flags === 'RST,ACK')!;
  assert.equal(rst.ack, (data.seq + data.len) >>> 0, 'the RST acknowledges what A received (unread)');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'CLOSED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSED']);
  assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}`), ['B:ECONNRESET']);
});

test('rst-abort: one RST; both CLOSED; nothing else sent', () => {
  const doc = run('rst-abort');
  assert.deepEqual(segments(doc).slice(3).map((s) => `${s.from}:${s.flags}`), ['A:RST,ACK']);
  assert.deepEqual(path(doc, 'A').slice(-2), ['ESTABLISHED', 'CLOSED']);
  assert.deepEqual(path(doc, 'B').slice(-2), ['ESTABLISHED', 'CLOSED']);
  assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}`), ['B:ECONNRESET']);
});

test('blind-rst: X’s in-window RST and SYN earn challenge ACKs, its far RST is dropped, only its exact RST resets B; A learns from B’s RST', () => {
  const doc = run('blind-rst');
  const after = segments(doc).slice(3);
  assert.deepEqual(flow(after), ['X:RST', 'B:ACK', 'X:RST', 'X:SYN', 'B:ACK', 'X:RST', 'A:PSH,ACK', 'B:RST', ]);
  assert.deepEqual(after.map((s) => s.note ?? ''), ['challenge ACK', 'challenge ACK', 'dropped: out of window', 'challenge ACK', 'challenge ACK', 'accepted: connection reset', '', '']);
  const exact = after[5]!;
  const bClosed = doc.events.find((e) => e.type === 'state' && e.endpoint === 'B' && e.to === 'CLOSED')!;
  assert.equal(bClosed.t, exact.t + 10, 'B is reset when X’s exact RST arrives');
  assert.equal(bClosed.type === 'state' && bClosed.cause, 'rcv RST');
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSED']);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'CLOSED']);
  assert.ok(stateTime(doc, 'A', 'CLOSED') > after[7]!.t, 'A is reset only by B’s answer to its data');
  assert.equal(after[7]!.seq, after[6]!.ack, 'B’s RST <SEQ=SEG.ACK> for a connection it no longer has');
  assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}`), ['B:ECONNRESET', 'A:ECONNRESET']);
});

test('syn-flood: after the SYN queue fills, B answers with cookies and A still connects and delivers data', () => {
  const doc = run('syn-flood');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED']);
  const halfOpen = doc.events.filter((e) => e.type === 'state' && e.endpoint === 'B' && e.to === 'SYN_RCVD').length;
  assert.equal(halfOpen, 5, 'four half-open floods plus the cookie connection');
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'SYN_RCVD', 'SYN_RCVD', 'SYN_RCVD', 'SYN_RCVD', 'ESTABLISHED']);
  assert.equal(doc.events.filter((e) => e.type === 'state' && e.endpoint === 'B' && e.to === 'ESTABLISHED').length, 1);
  const data = segments(doc, 'A').find((s) => s.len > 0)!;
  const acked = segments(doc, 'B').some((s) => s.ack === ((data.seq + data.len) >>> 0));
  assert.ok(acked, 'B acknowledges A’s data');
});

test('zero-window: B advertises window 0, A probes with growing gaps, and the transfer resumes after B reads', () => {
  const doc = run('zero-window');
  const zero = segments(doc, 'B').find((s) => s.flags === 'ACK' && s.t > 30);
  assert.ok(zero);
  const probes = segments(doc, 'A').filter((s) => s.len === 1);
  assert.ok(probes.length >= 3, `${probes.length} one-byte probes`);
  const gaps = probes.slice(1).map((p, i) => p.t - probes[i]!.t);
  for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! > gaps[i - 1]!, 'the persist timer backs off');
  const resumed = segments(doc, 'A').filter((s) => s.len > 1 && s.t > probes[probes.length - 1]!.t);
  assert.ok(resumed.length >= 3, 'full segments flow again');
  assert.deepEqual(path(doc, 'B'), FOUR_WAY_B);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'TIME_WAIT', 'CLOSED']);
  assert.ok(segments(doc, 'B').some((s) => s.win === 0), 'B advertises window 0');
});

test('keepalive-timeout: a probe after 2 h (SEQ = SND.UNA − 1) is answered; later 9 unanswered probes 75 s apart, then CLOSED', () => {
  const doc = run('keepalive-timeout');
  const probes = segments(doc, 'A').filter((s) => s.t > 1000 && s.flags === 'ACK');
  assert.equal(probes[0]!.t, 7_200_020);
  assert.equal(probes[0]!.dropped, false);
  assert.ok(segments(doc, 'B').some((s) => s.t > probes[0]!.t && s.t < probes[0]!.t + 100), 'B answers the first probe');
  const unanswered = probes.filter((s) => s.dropped);
  assert.equal(unanswered.length, 9);
  for (let i = 1; i < 9; i++) assert.equal(unanswered[i]!.t - unanswered[i - 1]!.t, 75_000);
  assert.equal(stateTime(doc, 'A', 'CLOSED') - unanswered[8]!.t, 75_000);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'CLOSED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED'], 'B never learns: its host vanished');
  assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}`), ['A:ETIMEDOUT']);
});

test('lossy-transfer: lost segments are retransmitted and all 64 KiB arrive; --loss is honoured', () => {
  const s = findScenario('lossy-transfer')!;
  const doc = runScenario(s, { seed: 1, loss: 0.1 });
  const data = segments(doc, 'A').filter((x) => x.len > 0);
  const lost = data.filter((x) => x.dropped);
  assert.ok(lost.length > 0, 'some data was lost');
  for (const l of lost) assert.ok(data.some((d) => d.seq === l.seq && !d.dropped && d.t > l.t), `seq ${l.seq} was resent and got through`);
  const first = data[0]!.seq;
  const acks = segments(doc, 'B').filter((x) => x.flags.includes('ACK'));
  assert.ok(acks.some((x) => seqDiff(x.ack, first) >= 64 * 1024), 'B acknowledged every byte');
  assert.ok(acks.every((x) => seqDiff(x.ack, first) >= 0 && seqDiff(x.ack, first) <= 64 * 1024 + 1), 'every ACK lies within the transfer (+ FIN)');
  assert.deepEqual(path(doc, 'A'), FOUR_WAY_A);
  assert.deepEqual(path(doc, 'B'), FOUR_WAY_B);
  const none = runScenario(s, { seed: 1, loss: 0 });
  assert.equal(segments(none).filter((x) => x.dropped).length, 0);
});
