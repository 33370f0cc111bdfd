/**
 * Scenarios that show what they are about: one test per point of the
 * catalogue review (an own time-wait-expiry lesson, the attacker as X,
 * windows/options/retransmissions/SACK, application errors, causes of
 * transitions, time caps and changed settings, human time units), and the
 * scenarios added with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, findScenario } from '../../src/sim/catalogue.js';
import { runScenario } from '../../src/sim/scenario.js';
import { renderLadder } from '../../src/observe/ladder.js';
import { renderLadderSvg } from '../../src/observe/ladder-svg.js';
import { renderStateDiagramText } from '../../src/observe/state-diagram.js';
import { DEFAULT_TCP_CONFIG } from '../../src/tcp/config.js';
import { errors, flow, path, run, segments, states, stateTime } from './doc-helpers.js';

test('time-wait-expiry is its own lesson: a four-way close, the 2MSL timer shown, the port refused until it fires', () => {
  const doc = run('time-wait-expiry');
  assert.notEqual(JSON.stringify(doc.events), JSON.stringify(run('fin-ack-combined').events));
  assert.notEqual(JSON.stringify(doc.events), JSON.stringify(run('active-close').events));
  assert.deepEqual(path(doc, 'A').slice(0, 7), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
  assert.deepEqual(path(doc, 'B').slice(0, 7), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  for (const msl of [undefined, 5000]) {
    const d = run('time-wait-expiry', { msl });
    const tw = states(d, 'A').find((e) => e.to === 'TIME_WAIT')!;
    assert.deepEqual(tw.timer, { name: '2MSL', ms: 2 * (msl ?? 30_000) }, 'the timer TIME_WAIT runs on is in the trace');
    const out = states(d, 'A').find((e) => e.from === 'TIME_WAIT')!;
    assert.equal(out.t - tw.t, 2 * (msl ?? 30_000));
    assert.equal(out.cause, 'timeout=2MSL');
    // Reusing the 4-tuple during TIME_WAIT fails; after the timer it succeeds, from the same port.
    const [refused] = errors(d, 'A');
    assert.ok(refused && refused.code === 'EADDRINUSE' && refused.t > tw.t && refused.t < out.t);
    const syns = segments(d, 'A').filter((s) => s.flags === 'SYN');
    assert.equal(syns.length, 2);
    assert.ok(syns[1]!.t > out.t);
    assert.deepEqual(path(d, 'A').slice(-3), ['CLOSED', 'SYN_SENT', 'ESTABLISHED']);
  }
  assert.match(renderLadder(doc, { width: 120 }), /FIN_WAIT_2 → TIME_WAIT \(rcv FIN; 2MSL timer 1 min\)/);
});

test('spoofed segments come from a third endpoint X in the JSON, the ladder and the SVG, labelled with what B did', () => {
  const flood = run('syn-flood');
  assert.deepEqual(flood.endpoints, ['A', 'B', 'X']);
  const spoofed = segments(flood, 'X');
  assert.equal(spoofed.length, 8);
  assert.ok(spoofed.every((s) => s.flags === 'SYN' && s.to === 'B'));
  assert.deepEqual(spoofed.map((s) => s.note), [...Array(4).fill('SYN-ACK: half-open in the SYN queue'), ...Array(4).fill('SYN cookie sent')]);
  assert.ok(segments(flood, 'A').every((s) => s.t >= 20), 'nothing before A’s own SYN is drawn as A’s');
  const toX = segments(flood, 'B').filter((s) => s.to === 'X');
  assert.ok(toX.length >= 8 && toX.every((s) => s.flags === 'SYN,ACK'), 'B’s answers go to the spoofed sources, not to A');
  assert.equal(toX.filter((s) => s.note === 'SYN cookie').length, 4);
  const blind = run('blind-rst');
  const notes = segments(blind, 'X').map((s) => s.note);
  assert.deepEqual(notes, ['challenge ACK', 'dropped: out of window', 'challenge ACK', 'accepted: connection reset']);
  for (const doc of [flood, blind]) {
    // Text: X has a lane of its own right of B's column; its arrows end at B, never start on A's side.
    const lines = renderLadder(doc, { width: 220 }).split('\n');
    assert.match(lines[1]!, /A: CLOSED +B: CLOSED +X$/);
    const fromX = lines.filter((l) => / X$/.test(l) && l.includes('←'));
    assert.equal(fromX.length, segments(doc, 'X').length, 'one arrow per spoofed segment, pointing at B');
    for (const l of fromX) {
      assert.match(l, /(LISTEN|ESTABLISHED|SYN_RCVD) +←─+ (SYN|RST) seq=\d+ win=65535 \([^)]+\) ─+ X$/);
      assert.ok([...l].indexOf('←') > [...lines[1]!].indexOf('B') + 3, `the arrow lies right of B’s column: ${l}`);
    }
    // SVG: a third, dashed timeline headed X; X's arrows run between it and B's.
    const svg = renderLadderSvg(doc);
    assert.match(svg, /font-size="14" font-weight="bold" fill="#[0-9a-f]+">X<\/text>/);
    assert.match(svg, />no TCP state</);
  }
  assert.match(renderLadder(blind, { width: 220 }), /\(challenge ACK\)/);
  assert.match(renderLadder(blind, { width: 220 }), /\(dropped: out of window\)/);
  assert.match(renderLadder(flood, { width: 220 }), /\(SYN cookie sent\)/);
  assert.match(renderLadderSvg(blind), /\(challenge ACK\)/);
});

test('blind-rst’s reset is a spoofed exact RST from X (SEQ = B’s RCV.NXT), not A’s own abort', () => {
  const doc = run('blind-rst');
  const rsts = segments(doc).filter((s) => s.flags.includes('RST'));
  const fromA = rsts.filter((s) => s.from === 'A');
  assert.deepEqual(fromA, [], 'A sends no RST');
  const exact = segments(doc, 'X').at(-1)!;
  const lastFromA = segments(doc, 'A').filter((s) => s.t < exact.t).at(-1)!;
  assert.equal(exact.flags, 'RST');
  assert.equal(exact.seq, lastFromA.seq, 'exactly RCV.NXT');
  assert.equal(states(doc, 'B').at(-1)!.cause, 'rcv RST');
});

test('segments carry their window, SYNs their options, retransmissions and SACK blocks are marked — in JSON, text and SVG', () => {
  const hs = run('handshake');
  const [syn, synAck, ack] = segments(hs);
  assert.equal(syn!.win, 65535);
  assert.deepEqual(syn!.options, { mss: 1460, wscale: syn!.options!.wscale, sackOK: true, ts: [syn!.options!.ts![0], 0] });
  assert.ok(Number.isInteger(syn!.options!.wscale) && Number.isInteger(syn!.options!.ts![0]));
  assert.equal(synAck!.options!.ts![1], syn!.options!.ts![0], 'the SYN-ACK echoes the SYN’s TSval');
  assert.equal(synAck!.options!.mss, 1460);
  assert.equal(ack!.options, undefined, 'options are shown on SYNs');
  const text = renderLadder(hs, { width: 160 });
  assert.match(text, /SYN seq=\d+ win=65535 <mss 1460,wscale \d+,sackOK,TS \d+\/0>/);
  assert.match(renderLadderSvg(hs), /win=65535 &lt;mss 1460/);

  const lossy = run('lossy-transfer', { loss: 0.1 });
  const rtx = segments(lossy, 'A').filter((s) => s.rtx);
  assert.ok(rtx.length > 0);
  for (const r of rtx) assert.ok(segments(lossy, 'A').some((s) => s.seq === r.seq && s.t < r.t && !s.rtx), `rtx at seq ${r.seq} repeats an earlier segment`);
  const sacked = segments(lossy, 'B').filter((s) => s.sack);
  assert.ok(sacked.length > 0, 'B sends SACK blocks');
  for (const s of sacked) for (const [l, r] of s.sack!) assert.ok(((r - l) | 0) > 0 && ((l - s.ack) | 0) > 0, 'a SACK block lies above the cumulative ACK');
  const lt = renderLadder(lossy, { width: 200 });
  assert.match(lt, / rtx/);
  assert.match(lt, /sack=\d+-\d+/);
  const svg = renderLadderSvg(lossy);
  assert.match(svg, / rtx/);
  assert.match(svg, /sack=\d+-\d+/);
});

test('errors the application sees are events and ladder rows', () => {
  const cases: Array<[string, string[]]> = [
    ['syn-to-closed-port', ['A:ECONNREFUSED']],
    ['connect-timeout', ['A:ETIMEDOUT']],
    ['rst-abort', ['B:ECONNRESET']],
    ['rst-on-data-after-close', ['B:EPIPE']],
  ];
  for (const [name, want] of cases) {
    const doc = run(name);
    assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}`), want, name);
    const code = want[0]!.split(':')[1]!;
    assert.match(renderLadder(doc, { width: 120 }), new RegExp(`✗ ${code}`), name);
    assert.match(renderLadderSvg(doc), new RegExp(`✗ ${code}`), name);
  }
  const refused = run('syn-to-closed-port');
  assert.equal(errors(refused)[0]!.t, segments(refused, 'B')[0]!.t + 10, 'ECONNREFUSED when the RST arrives');
});

test('--states ticks a transition by its cause, not by the from/to pair', () => {
  const timeout = run('connect-timeout');
  assert.equal(states(timeout, 'A').at(-1)!.cause, 'timeout');
  const table = renderStateDiagramText(timeout);
  assert.match(table, /^ {4}SYN_SENT\s+→ CLOSED\s+CLOSE \/ delete TCB/m, 'the figure’s CLOSE arc is not ticked by a timeout');
  assert.match(table, /^ {2}● SYN_SENT\s+→ CLOSED\s+timeout$/m);
  const reuse = run('time-wait-reuse');
  const reuseTable = renderStateDiagramText(reuse);
  assert.match(reuseTable, /^ {4}TIME_WAIT\s+→ CLOSED\s+timeout=2MSL/m, 'a reopened TIME_WAIT did not time out');
  assert.match(reuseTable, /^ {2}● TIME_WAIT\s+→ CLOSED\s+rcv SYN \(RFC 6191 reuse\)$/m);
  const expiry = renderStateDiagramText(run('time-wait-expiry'));
  assert.match(expiry, /^ {2}● TIME_WAIT\s+→ CLOSED\s+timeout=2MSL/m);
  const reset = renderStateDiagramText(run('blind-rst'));
  assert.match(reset, /^ {2}● ESTABLISHED\s+→ CLOSED\s+rcv RST$/m);
});

test('a run cut by its time cap says "incomplete after …"; changed defaults are stated', () => {
  const flood = run('syn-flood');
  assert.deepEqual(flood.incomplete, { after: 200 });
  assert.match(renderLadder(flood), /^incomplete after 200 ms/m);
  for (const s of SCENARIOS) {
    if (s.name === 'syn-flood') continue;
    assert.equal(runScenario(s, { seed: 1 }).incomplete, undefined, `${s.name} runs to its end`);
  }
  const lossy = run('lossy-transfer');
  assert.ok(lossy.settings!.some((x) => x.includes(`synRetries 10 (default ${DEFAULT_TCP_CONFIG.synRetries})`) && x.includes('retries2 30')));
  assert.match(renderLadder(lossy, { width: 200 }), /^setting: A connects with synRetries 10/m);
  for (const name of ['zero-window', 'keepalive-timeout', 'syn-flood', 'accept-queue-overflow']) {
    assert.ok((run(name).settings ?? []).length > 0, `${name} states the setting it changes`);
  }
  assert.equal(run('handshake').settings, undefined);
  const listed = SCENARIOS.filter((s) => s.params.includes('loss')).map((s) => s.name);
  assert.deepEqual(listed, ['lossy-transfer']);
});

test('each scenario takes --msl exactly when its run shows TIME_WAIT', () => {
  for (const s of SCENARIOS) {
    const doc = runScenario(s, { seed: 1 });
    const tw = doc.events.some((e) => e.type === 'state' && e.to === 'TIME_WAIT');
    assert.equal(s.params.includes('msl'), tw, s.name);
  }
});

test('long times print in human units', () => {
  const text = renderLadder(run('keepalive-timeout'), { width: 120 });
  assert.match(text, /^ *2 h 0 min 0\.02 s  ESTABLISHED/m);
  assert.match(text, /⋮ {2}1 h 59 min 59\.99 s pass {2}⋮/);
  assert.doesNotMatch(text, /\d{5,} ms/);
});

test('time-wait-reuse: a SYN with newer timestamps reopens B’s TIME_WAIT 4-tuple at once (RFC 6191)', () => {
  const doc = run('time-wait-reuse');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED', 'SYN_SENT', 'ESTABLISHED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'TIME_WAIT', 'CLOSED', 'SYN_RCVD', 'ESTABLISHED']);
  const syns = segments(doc, 'A').filter((s) => s.flags === 'SYN');
  assert.equal(syns.length, 2);
  assert.ok(syns[1]!.options!.ts![0] > syns[0]!.options!.ts![0], 'the new SYN’s TSval is higher');
  const reopened = states(doc, 'B').find((e) => e.from === 'TIME_WAIT')!;
  assert.equal(reopened.t, syns[1]!.t + 10, 'TIME_WAIT ends when the SYN arrives, long before 2MSL');
  assert.equal(reopened.cause, 'rcv SYN (RFC 6191 reuse)');
  const synAcks = segments(doc, 'B').filter((s) => s.flags === 'SYN,ACK');
  assert.equal(synAcks[1]!.ack, (syns[1]!.seq + 1) >>> 0);
});

test('accept-queue-overflow: two connections wait ESTABLISHED unaccepted, the third SYN is dropped (ListenOverflows) until ETIMEDOUT', () => {
  const doc = run('accept-queue-overflow');
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'SYN_RCVD', 'ESTABLISHED']);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'SYN_SENT', 'ESTABLISHED', 'SYN_SENT', 'CLOSED']);
  const third = segments(doc, 'A').filter((s) => s.flags === 'SYN' && s.t >= 200);
  assert.equal(third.length, 7, 'the SYN and its 6 retransmissions');
  assert.ok(third.every((s) => !s.dropped && /^dropped: accept queue full \(ListenOverflows \d+\)$/.test(s.note ?? '')), 'each reaches B and is dropped there');
  assert.deepEqual(third.map((s) => Number(/ListenOverflows (\d+)/.exec(s.note!)![1])), [1, 2, 3, 4, 5, 6, 7]);
  assert.ok(!segments(doc, 'B').some((s) => s.t > 200), 'B never answers the third');
  assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}`), ['A:ETIMEDOUT']);
  // State events name their connection, so each one's path can be told apart.
  const byConn = new Map<string, string[]>();
  for (const e of states(doc, 'A')) byConn.set(`${e.local}>${e.remote}`, [...(byConn.get(`${e.local}>${e.remote}`) ?? ['CLOSED']), e.to]);
  assert.deepEqual([...byConn.values()], [
    ['CLOSED', 'SYN_SENT', 'ESTABLISHED'],
    ['CLOSED', 'SYN_SENT', 'ESTABLISHED'],
    ['CLOSED', 'SYN_SENT', 'CLOSED'],
  ]);
  assert.ok([...byConn.keys()].every((k) => k.endsWith('>10.0.0.2:80')));
  assert.equal(errors(doc)[0]!.local, [...byConn.keys()][2]!.split('>')[0], 'the error names the connection that timed out');
});

test('close-wait-leak: B stays in CLOSE_WAIT for good; A’s FIN_WAIT_2 is reaped after 60 s', () => {
  const doc = run('close-wait-leak');
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT']);
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSED']);
  const reaped = states(doc, 'A').at(-1)!;
  assert.equal(reaped.t - stateTime(doc, 'A', 'FIN_WAIT_2'), 60_000);
  assert.equal(reaped.cause, 'timeout (tcp_fin_timeout)');
  assert.ok(!segments(doc, 'B').some((s) => s.flags.includes('FIN')), 'B never sends its FIN');
  assert.equal(doc.incomplete, undefined, 'nothing is pending: CLOSE_WAIT has no timer');
  assert.match(renderLadder(doc), /^end at 1 min 0\.09 s: A CLOSED · B CLOSE_WAIT$/m);
});

test('rst-on-data-after-close: data reaching A’s closed socket in FIN_WAIT_2 is answered with RST; B gets EPIPE', () => {
  const doc = run('rst-on-data-after-close');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSED']);
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'CLOSED']);
  const data = segments(doc, 'B').find((s) => s.len > 0)!;
  assert.ok(data.t > stateTime(doc, 'A', 'FIN_WAIT_2'));
  const rst = segments(doc, 'A').at(-1)!;
  assert.deepEqual(flow([rst]), ['A:RST,ACK']);
  assert.equal(rst.t, data.t + 10);
  assert.equal(rst.seq, data.ack, 'the RST is at A’s SND.NXT');
  assert.equal(states(doc, 'A').at(-1)!.cause, 'rcv data after close');
  assert.deepEqual(errors(doc).map((e) => `${e.endpoint}:${e.code}`), ['B:EPIPE']);
});

test('findScenario knows the new scenarios', () => {
  for (const n of ['time-wait-reuse', 'accept-queue-overflow', 'close-wait-leak', 'rst-on-data-after-close']) assert.ok(findScenario(n));
});

test('a FIN that arrived out of order counts as "rcv FIN" when the hole before it is filled', () => {
  const doc = run('lossy-transfer');
  const closeWait = states(doc, 'B').find((e) => e.to === 'CLOSE_WAIT')!;
  const fin = segments(doc, 'A').find((s) => s.flags.includes('FIN'))!;
  assert.ok(fin.t + 10 < closeWait.t, 'the FIN arrived before B could take it (a hole was open)');
  assert.equal(closeWait.cause, 'rcv FIN');
  const causes = new Set(SCENARIOS.flatMap((s) => states(runScenario(s, { seed: 1 })).map((e) => e.cause)));
  assert.ok(!causes.has('rcv segment'), 'every transition on receipt has a named cause');
});
