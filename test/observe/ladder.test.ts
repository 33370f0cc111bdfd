import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderLadder, segmentLabel, buildLadder, GAP_MS } from '../../src/observe/ladder.js';
import { formatDuration } from '../../src/observe/duration.js';
import { renderLadderSvg } from '../../src/observe/ladder-svg.js';
import type { ScenarioDocument, SegmentEvent } from '../../src/observe/events.js';
import {
  allFixtures,
  doc,
  fullLifecycle,
  handshake,
  lostSyn,
  oddities,
  seg,
  simultaneousClose,
  st,
  stripAnsi,
  visibleWidth,
} from './fixtures.js';

const segments = (d: ScenarioDocument): SegmentEvent[] =>
  d.events.filter((e): e is SegmentEvent => e.type === 'segment');

/** The one line that carries this segment's label at its time (rows are "<time>  …", e.g. "10 ms", "1 s"). */
function rowOf(text: string, ev: SegmentEvent, label = segmentLabel(ev)): string {
  const rows = text.split('\n').filter((l) => l.trimStart().startsWith(`${formatDuration(ev.t)} `) && l.includes(` ${label} `));
  assert.equal(rows.length, 1, `expected exactly one row for "${label}" at ${ev.t} ms in\n${text}`);
  return rows[0]!;
}

/** Column where a header's "X: STATE" puts the state names of that side. */
function columns(text: string): { a: number; b: number } {
  const head = text.split('\n')[1]!;
  return { a: head.indexOf('A: '), b: head.indexOf('B: ') + 3 };
}

test('handshake reads like the seed diagram (full text)', () => {
  const expected = [
    'scenario: handshake',
    'time  A: CLOSED                                                                       B: LISTEN',
    '0 ms  CLOSED → SYN_SENT                                                                  LISTEN',
    '0 ms  SYN_SENT     ─────────────────────────── SYN seq=1000 ──────────────────────────→  LISTEN',
    '1 ms  SYN_SENT                                                                  LISTEN → SYN_RCVD',
    '1 ms  SYN_SENT     ←─────────────────── SYN,ACK seq=5000 ack=1001 ─────────────────────  SYN_RCVD',
    '2 ms  SYN_SENT → ESTABLISHED                                                             SYN_RCVD',
    '2 ms  ESTABLISHED  ────────────────────── ACK seq=1001 ack=5001 ──────────────────────→  SYN_RCVD',
    '3 ms  ESTABLISHED                                                             SYN_RCVD → ESTABLISHED',
    'end at 3 ms: A ESTABLISHED · B ESTABLISHED',
  ].join('\n');
  assert.equal(renderLadder(handshake), expected);
});

test('header names the scenario, the endpoints and their initial states', () => {
  const [title, head] = renderLadder(fullLifecycle).split('\n');
  assert.match(title!, /connect-send-close/);
  assert.match(head!, /A: CLOSED/);
  assert.match(head!, /B: LISTEN/);
  assert.ok(head!.indexOf('A: CLOSED') < head!.indexOf('B: LISTEN'), 'A on the left, B on the right');
  // No state events at all: both start CLOSED.
  const bare = renderLadder(doc('bare', [seg(0, 'A', 'B', 'RST', 1)])).split('\n')[1]!;
  assert.match(bare, /A: CLOSED .* B: CLOSED$/);
});

test('every segment label appears: flags, seq=, ack= only with ACK, len= only when > 0', () => {
  for (const d of [handshake, fullLifecycle, lostSyn, simultaneousClose]) {
    const text = renderLadder(d);
    for (const ev of segments(d)) {
      const row = rowOf(text, ev);
      assert.ok(row.includes(`${ev.flags} seq=${ev.seq}`), row);
      if (ev.flags.split(',').includes('ACK')) assert.ok(row.includes(`ack=${ev.ack}`), row);
      else assert.ok(!row.includes('ack='), `no ack= without the ACK flag: ${row}`);
      if (ev.len > 0) assert.ok(row.includes(`len=${ev.len}`), row);
      else assert.ok(!row.includes('len='), row);
    }
  }
  assert.equal(segmentLabel(seg(0, 'A', 'B', 'SYN', 1000, 777)), 'SYN seq=1000');
  assert.equal(segmentLabel(seg(0, 'A', 'B', 'PSH,ACK', 1001, 5001, 100)), 'PSH,ACK seq=1001 ack=5001 len=100');
});

test('arrows point the way the segment travels: A→B right, B→A left', () => {
  for (const d of [handshake, fullLifecycle, simultaneousClose]) {
    const text = renderLadder(d);
    for (const ev of segments(d)) {
      const row = rowOf(text, ev);
      const arrow = row.slice(row.indexOf('ms') + 2);
      if (ev.from === 'A') {
        assert.ok(arrow.includes('─→') && !arrow.includes('←'), `A→B points right: ${row}`);
        assert.ok(arrow.indexOf(ev.flags) < arrow.indexOf('→'), 'label sits on the shaft, head at B');
      } else {
        assert.ok(arrow.includes('←─') && !arrow.includes('→'), `B→A points left: ${row}`);
        assert.ok(arrow.indexOf('←') < arrow.indexOf(ev.flags), 'head at A, label on the shaft');
      }
    }
  }
});

test("each state is written on its own endpoint's side, and both sides show a state on every segment row", () => {
  const text = renderLadder(fullLifecycle);
  const lines = text.split('\n');
  const col = columns(text);
  // A's changes start in A's column; B's new state lands in B's column.
  const aChange = lines.find((l) => l.includes('CLOSED → SYN_SENT'))!;
  assert.equal(aChange.indexOf('CLOSED → SYN_SENT'), col.a);
  const bChange = lines.find((l) => l.includes('LISTEN → SYN_RCVD'))!;
  assert.equal(bChange.indexOf('SYN_RCVD'), col.b);
  assert.ok(bChange.indexOf('LISTEN →') > col.a + 'SYN_SENT'.length, 'B change is on the right');
  const closeWait = lines.find((l) => l.includes('ESTABLISHED → CLOSE_WAIT'))!;
  assert.equal(closeWait.indexOf('CLOSE_WAIT'), col.b);
  assert.equal(closeWait.slice(col.a).split(/\s+/)[0], 'FIN_WAIT_1', "A's current state stays visible");

  // On every segment row, A's current state is in A's column and B's in B's column.
  const expect: Array<[string, string, string]> = [
    ['SYN seq=1000', 'SYN_SENT', 'LISTEN'],
    ['SYN,ACK seq=5000 ack=1001', 'SYN_SENT', 'SYN_RCVD'],
    ['ACK seq=1001 ack=5001', 'ESTABLISHED', 'SYN_RCVD'],
    ['PSH,ACK seq=1001 ack=5001 len=100', 'ESTABLISHED', 'ESTABLISHED'],
    ['FIN,ACK seq=1101 ack=5001', 'FIN_WAIT_1', 'ESTABLISHED'],
    ['ACK seq=5001 ack=1102', 'FIN_WAIT_1', 'CLOSE_WAIT'],
    ['FIN,ACK seq=5001 ack=1102', 'FIN_WAIT_2', 'LAST_ACK'],
    ['ACK seq=1102 ack=5002', 'TIME_WAIT', 'LAST_ACK'],
  ];
  for (const [label, a, b] of expect) {
    const row = lines.find((l) => l.includes(` ${label} `))!;
    assert.equal(row.slice(col.a).split(' ')[0], a, `A side of ${label}: ${row}`);
    assert.equal(row.slice(col.b), b, `B side of ${label}: ${row}`);
  }
});

test('simultaneous close shows CLOSING and TIME_WAIT on both sides', () => {
  const text = renderLadder(simultaneousClose);
  const col = columns(text);
  const lines = text.split('\n');
  const a = lines.filter((l) => l.indexOf('FIN_WAIT_1 → CLOSING') === col.a);
  const b = lines.filter((l) => l.includes('FIN_WAIT_1 → CLOSING') && l.lastIndexOf('CLOSING') === col.b);
  assert.equal(a.length, 1);
  assert.equal(b.length, 1);
  assert.equal(lines.filter((l) => l.includes('CLOSING → TIME_WAIT')).length, 2);
  assert.equal(lines.filter((l) => l.includes('TIME_WAIT → CLOSED')).length, 2);
});

test('a dropped segment stops half-way at ✕ and says "lost"', () => {
  const text = renderLadder(lostSyn);
  const col = columns(text);
  const [lostSynSeg, , , , lostData] = segments(lostSyn).filter((e) => e.dropped || e.flags !== '');
  assert.ok(lostSynSeg!.dropped && lostData!.dropped);

  const right = rowOf(text, lostSynSeg!);
  assert.match(right, /✕ lost/);
  assert.ok(!right.includes('→'), 'no arrow head: it never arrives');
  const mid = (col.a + col.b) / 2;
  assert.ok(right.indexOf('✕') < col.b - 10, 'stops well short of B');
  assert.ok(Math.abs(right.indexOf('✕') - mid) < 15, `about half-way: ${right}`);

  const left = rowOf(text, lostData!);
  assert.match(left, /lost ✕/);
  assert.ok(!left.includes('←'), 'no arrow head');
  assert.ok(left.indexOf('✕') > col.a + 'ESTABLISHED'.length + 10, 'stops well short of A');

  // The retransmission that got through is a normal arrow.
  const retx = text.split('\n').find((l) => l.trimStart().startsWith('1 s '))!;
  assert.match(retx, /SYN seq=1000 ─+→/);
  assert.doesNotMatch(retx, /✕|lost/);
});

test("long quiet stretches (TIME_WAIT's 2MSL) are one short row", () => {
  const text = renderLadder(fullLifecycle);
  const lines = text.split('\n');
  const gaps = lines.filter((l) => l.includes('⋮'));
  assert.equal(gaps.length, 1);
  assert.match(gaps[0]!, /^\s+⋮\s+TIME_WAIT\s+⋮\s+59.999 s pass\s+⋮\s+CLOSED$/);
  // Header 2 + one row per event + the gap row + the "end at" line: the 60 s cost one line.
  assert.equal(lines.length, 2 + fullLifecycle.events.length + 1 + 1);
  assert.ok(lines.indexOf(gaps[0]!) === lines.length - 3, 'right before A leaves TIME_WAIT');
  assert.equal(lines.at(-1), 'end at 1 min 0.031 s: A CLOSED · B CLOSED');

  const sim = renderLadder(simultaneousClose).split('\n');
  assert.equal(sim.filter((l) => l.includes('1 min pass')).length, 1);
  assert.equal(sim.length, 2 + simultaneousClose.events.length + 1 + 1, "header, events, one gap, the end line");

  // Just below the threshold: no gap row.
  const short = renderLadder(doc('short', [seg(0, 'A', 'B', 'ACK', 1, 1), seg(GAP_MS - 1, 'A', 'B', 'ACK', 1, 1)]));
  assert.doesNotMatch(short, /⋮/);
  const two = renderLadder(doc('two-hours', [st(0, 'A', 'ESTABLISHED', 'ESTABLISHED'), seg(7_200_000, 'A', 'B', 'ACK', 1, 1)]));
  assert.match(two, /⋮\s+2 h 0 min pass/);
  assert.equal(two.split("\n").length, 6, "header, two rows, the gap, the end line");
});

test('no line is wider than width, at any width, with or without colour', () => {
  for (const d of allFixtures) {
    for (const width of [20, 40, 60, 72, 80, 100, 132]) {
      for (const color of [false, true]) {
        const text = renderLadder(d, { width, color });
        for (const line of text.split('\n')) {
          assert.ok(visibleWidth(line) <= width, `${d.scenario} width=${width} color=${color}: ${line}`);
        }
      }
    }
  }
  // A Chinese scenario name (double-width characters) is clipped by columns, not characters.
  const cn = doc('三次握手与四次挥手：TIME_WAIT 状态为什么要等待 2MSL 之后才能回到 CLOSED 状态', handshake.events);
  for (const width of [30, 50, 70]) {
    const first = renderLadder(cn, { width }).split('\n')[0]!;
    assert.ok(visibleWidth(first) <= width, `width=${width}: ${first}`);
    assert.ok(visibleWidth(first) >= width - 1, 'uses the room it has');
    assert.ok(first.endsWith('…'));
  }
  // Default width is 100.
  for (const d of allFixtures) {
    for (const line of renderLadder(d).split('\n')) assert.ok(visibleWidth(line) <= 100, line);
  }
});

test('narrow widths keep whole labels, on a row above a bare arrow', () => {
  const text = renderLadder(fullLifecycle, { width: 60 });
  for (const ev of segments(fullLifecycle)) assert.ok(text.includes(segmentLabel(ev)), segmentLabel(ev));
  assert.match(text, /\n\s+PSH,ACK seq=1001 ack=5001 len=100\n\s+10 ms\s+ESTABLISHED\s+─+→\s+ESTABLISHED\n/);
});

test('colour is ANSI only when asked, and only adds escape codes', () => {
  for (const d of allFixtures) {
    const plain = renderLadder(d);
    const colored = renderLadder(d, { color: true });
    assert.doesNotMatch(plain, /\x1b/);
    assert.match(colored, /\x1b\[[0-9;]*m/);
    assert.equal(stripAnsi(colored), plain);
  }
});

test('relativeSeq shows numbers from each side’s ISN (mod 2^32), like Wireshark', () => {
  const text = renderLadder(handshake, { relativeSeq: true });
  assert.match(text, / SYN seq=0 /);
  assert.match(text, / SYN,ACK seq=0 ack=1 /);
  assert.match(text, / ACK seq=1 ack=1 /);
  assert.doesNotMatch(text, /1000|5000|5001/);
  const wrap = doc('wrap', [
    seg(0, 'A', 'B', 'SYN', 0xffffffff),
    seg(1, 'B', 'A', 'SYN,ACK', 10, 0),
    seg(2, 'A', 'B', 'ACK', 0, 11),
  ]);
  const w = renderLadder(wrap, { relativeSeq: true });
  assert.match(w, / SYN,ACK seq=0 ack=1 /);
  assert.match(w, / ACK seq=1 ack=1 /);
  assert.match(renderLadder(wrap), / ACK seq=0 ack=11 /, 'absolute by default');
});

test('strangers and self-addressed segments are drawn, not dropped or crashed on', () => {
  const text = renderLadder(oddities);
  const lines = text.split('\n');
  assert.match(lines[1]!, /client: CLOSED .* server: LISTEN/);
  assert.match(text, /X ─+ RST seq=7 ─+→\s+LISTEN/, 'X → server: X named at the left edge, arrow to server');
  assert.match(text, /X\s+lost ✕─+ SYN,ACK seq=7 ack=8 ─+\s+LISTEN/, 'server → X, lost');
  assert.match(text, /SYN_SENT\s+←─+ ACK seq=7 ack=8 len=3 ─+ X\s+LISTEN/, 'X → client points left at client');
  assert.match(text, /─→ Y\s+LISTEN/);
  assert.match(text, /X ─+ seq=7 len=3 ─+→ Y/);
  assert.match(text, /↺ SYN seq=7 \(to itself\)/);
  assert.match(text, /SYN seq=7 \(to itself\) ↻ ✕ lost/);
  assert.match(text, /Z: LISTEN → SYN_RCVD/);
  assert.match(text, /⋮\s+1 h 59 min 59.998 s pass/);
  assert.ok(lines.at(-2)!.endsWith('LISTEN → CLOSED'));
  assert.equal(lines.at(-1), 'end at 2 h 0 min: client SYN_SENT · server CLOSED');

  // Degenerate documents.
  assert.equal(
    renderLadder({ scenario: 'empty', endpoints: [], events: [] }).split('\n').length,
    2,
    'header only',
  );
  const one = renderLadder({ scenario: 'one', endpoints: ['solo'], events: [seg(0, 'solo', 'solo', 'SYN', 1)] });
  assert.match(one, /solo: CLOSED/);
  assert.match(one, /↺ SYN seq=1/);
});

test('the row model counts one row per event plus gap rows', () => {
  const m = buildLadder(fullLifecycle);
  assert.equal(m.rows.filter((r) => r.kind !== 'gap').length, fullLifecycle.events.length);
  assert.deepEqual(
    m.rows.filter((r) => r.kind === 'gap').map((r) => [r.t, r.kind === 'gap' ? r.ms : 0]),
    [[32, 59999]],
  );
  assert.deepEqual(m.initial, { left: 'CLOSED', right: 'LISTEN' });
  const last = m.rows.at(-1)!;
  assert.deepEqual([last.leftState, last.rightState], ['CLOSED', 'CLOSED']);
});

test('labels carry the window, a SYN’s options, SACK blocks, the retransmission mark and the note', () => {
  const syn: SegmentEvent = { ...seg(0, 'A', 'B', 'SYN', 1000), win: 65535, options: { mss: 1460, wscale: 7, sackOK: true, ts: [5, 0] } };
  assert.equal(segmentLabel(syn), 'SYN seq=1000 win=65535 <mss 1460,wscale 7,sackOK,TS 5/0>');
  const ack: SegmentEvent = { ...seg(1, 'B', 'A', 'ACK', 5001, 1001), win: 512, sack: [[2449, 3897]], note: 'challenge ACK' };
  assert.equal(segmentLabel(ack), 'ACK seq=5001 ack=1001 win=512 sack=2449-3897 (challenge ACK)');
  assert.equal(segmentLabel(ack, new Map([['A', 1000], ['B', 5000]])), 'ACK seq=1 ack=1 win=512 sack=1449-2897 (challenge ACK)');
  const rtx: SegmentEvent = { ...seg(2, 'A', 'B', 'PSH,ACK', 1001, 5001, 100), win: 0, rtx: true };
  assert.equal(segmentLabel(rtx), 'PSH,ACK seq=1001 ack=5001 win=0 len=100 rtx');
});

test('error events are rows on their endpoint’s side; causes and timers are written beside state changes', () => {
  const d = doc('errors', [
    { ...st(0, 'A', 'ESTABLISHED', 'FIN_WAIT_2'), cause: 'rcv ACK of FIN' },
    { ...st(1, 'A', 'FIN_WAIT_2', 'TIME_WAIT'), cause: 'rcv FIN', timer: { name: '2MSL', ms: 60_000 } },
    { t: 2, type: 'error', endpoint: 'B', code: 'ECONNRESET' },
    { t: 3, type: 'error', endpoint: 'A', code: 'ETIMEDOUT' },
  ]);
  const lines = renderLadder(d, { width: 100 }).split('\n');
  assert.match(lines.find((l) => l.includes('TIME_WAIT ('))!, /FIN_WAIT_2 → TIME_WAIT \(rcv FIN; 2MSL timer 1 min\)/);
  const econn = lines.find((l) => l.includes('ECONNRESET'))!;
  assert.ok(econn.trimEnd().endsWith('✗ ECONNRESET') && econn.indexOf('✗') > 50, `on B’s side: ${econn}`);
  const etime = lines.find((l) => l.includes('ETIMEDOUT'))!;
  assert.match(etime, /^3 ms {2}✗ ETIMEDOUT/);
  assert.ok(lines.every((l) => [...l].length <= 100));
  assert.equal(buildLadder(d).rows.filter((r) => r.kind === 'error').length, 2);
});

test('the footer says where each end finished, that a capped run is incomplete, and the settings changed', () => {
  const d = { ...doc('capped', [seg(0, 'A', 'B', 'SYN', 1), st(1, 'B', 'LISTEN', 'SYN_RCVD')]), incomplete: { after: 600_000 }, settings: ['B listens with backlog 4'] };
  const tail = renderLadder(d).split('\n').slice(-3);
  assert.deepEqual(tail, ['end at 1 ms: A CLOSED · B SYN_RCVD', 'incomplete after 10 min: the run hit its time cap with timers still pending', 'setting: B listens with backlog 4']);
  const narrow = renderLadder(d, { width: 40 }).split('\n');
  assert.ok(narrow.every((l) => [...l].length <= 40), 'footer lines wrap at the width');
  assert.match(narrow.join(' ').replace(/\s+/g, ' '), /incomplete after 10 min: the run hit its time cap with timers still pending/, 'nothing is cut');
  const svg = renderLadderSvg(d);
  assert.match(svg, />incomplete after 10 min: the run hit its time cap/);
  assert.match(svg, />setting: B listens with backlog 4</);
});
