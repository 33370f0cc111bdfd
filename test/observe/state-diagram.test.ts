import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScenarioDocument } from '../../src/observe/events.js';
import {
  RFC9293_TRANSITIONS,
  renderStateDiagramSvg,
  renderStateDiagramText,
  transitionLabel,
  transitionsOf,
} from '../../src/observe/state-diagram.js';
import { TCP_STATES } from '../../src/tcp/state.js';
import { fullLifecycle, handshake, simultaneousClose, doc, st } from './fixtures.js';
import { checkXml, svgTexts } from './xml.js';

const HANDSHAKE_PAIRS = [
  ['CLOSED', 'SYN_SENT'],
  ['LISTEN', 'SYN_RCVD'],
  ['SYN_SENT', 'ESTABLISHED'],
  ['SYN_RCVD', 'ESTABLISHED'],
];

test('transitionsOf lists the distinct transitions a run took, in order', () => {
  assert.deepEqual(transitionsOf(handshake), HANDSHAKE_PAIRS);
  assert.deepEqual(transitionsOf(handshake, 'A'), [
    ['CLOSED', 'SYN_SENT'],
    ['SYN_SENT', 'ESTABLISHED'],
  ]);
  // Both ends of a simultaneous close take the same path: listed once.
  assert.deepEqual(transitionsOf(simultaneousClose), [
    ['ESTABLISHED', 'FIN_WAIT_1'],
    ['FIN_WAIT_1', 'CLOSING'],
    ['CLOSING', 'TIME_WAIT'],
    ['TIME_WAIT', 'CLOSED'],
  ]);
  assert.deepEqual(transitionsOf({ scenario: 'x', endpoints: [], events: [] }), []);
});

test('the transition table is RFC 9293 Figure 5', () => {
  assert.equal(RFC9293_TRANSITIONS.length, 21);
  const label = (from: string, to: string): string =>
    transitionLabel(RFC9293_TRANSITIONS.find((t) => t.from === from && t.to === to)!);
  assert.equal(label('LISTEN', 'SYN_RCVD'), 'rcv SYN / snd SYN,ACK');
  assert.equal(label('SYN_SENT', 'ESTABLISHED'), 'rcv SYN,ACK / snd ACK');
  assert.equal(label('ESTABLISHED', 'FIN_WAIT_1'), 'CLOSE / snd FIN');
  assert.equal(label('ESTABLISHED', 'CLOSE_WAIT'), 'rcv FIN / snd ACK');
  assert.equal(label('FIN_WAIT_1', 'CLOSING'), 'rcv FIN / snd ACK');
  assert.equal(label('TIME_WAIT', 'CLOSED'), 'timeout=2MSL / delete TCB');
  // Every state has a way in and (except by reset) a way out.
  for (const s of TCP_STATES) {
    assert.ok(RFC9293_TRANSITIONS.some((t) => t.to === s), `into ${s}`);
    assert.ok(RFC9293_TRANSITIONS.some((t) => t.from === s), `out of ${s}`);
  }
});

test('text diagram: all 11 states, every transition, the taken ones marked ●', () => {
  const plain = renderStateDiagramText();
  for (const s of TCP_STATES) assert.ok(plain.includes(s), s);
  for (const t of RFC9293_TRANSITIONS) assert.ok(plain.includes(transitionLabel(t)), transitionLabel(t));
  assert.doesNotMatch(plain, /●/, 'nothing marked without a run');

  const text = renderStateDiagramText({ transitions: transitionsOf(handshake) });
  const rows = text.split('\n').filter((l) => / → /.test(l) && /^  [● ] /.test(l));
  assert.equal(rows.length, RFC9293_TRANSITIONS.length);
  const marked = rows.filter((l) => l.startsWith('  ● ')).map((l) => l.slice(4).split(/\s+→\s+|\s{2,}/).slice(0, 2));
  assert.deepEqual(marked, HANDSHAKE_PAIRS);
  assert.match(text, /taken in this run \(4 of 21\)/);
  assert.match(text, /states visited \(5 of 11\): CLOSED LISTEN SYN_SENT SYN_RCVD ESTABLISHED/);
  assert.match(text, /not visited: FIN_WAIT_1 FIN_WAIT_2 CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT/);
  // The same from a document or a bare list.
  assert.equal(renderStateDiagramText(handshake), text);
  assert.equal(renderStateDiagramText(transitionsOf(handshake)), text);
  for (const line of text.split('\n')) assert.ok([...line].length <= 100, line);
});

test('text diagram lists taken transitions the figure does not draw (reset to CLOSED)', () => {
  const reset = doc('reset', [st(0, 'A', 'CLOSED', 'SYN_SENT'), st(1, 'A', 'SYN_SENT', 'ESTABLISHED'), st(2, 'A', 'ESTABLISHED', 'CLOSED')]);
  const text = renderStateDiagramText(reset);
  assert.match(text, /also taken in this run \(by a cause Figure 5 does not draw\)\n  ● ESTABLISHED → CLOSED\s+reset, abort or timeout/);
  assert.match(text, /taken in this run \(2 of 21\)/);
});

test('SVG diagram: well-formed, 11 states placed like the figure, the run highlighted', () => {
  const pairs = transitionsOf(fullLifecycle);
  const svg = renderStateDiagramSvg({ transitions: pairs });
  assert.ok(svg.startsWith('<svg'));
  checkXml(svg);
  const texts = svgTexts(svg);
  for (const s of TCP_STATES) assert.ok(texts.includes(s), s);
  for (const t of RFC9293_TRANSITIONS) {
    assert.ok(texts.includes(t.event) && texts.includes(t.action), transitionLabel(t));
    assert.match(svg, new RegExp(`<title>${t.from} → ${t.to}: ${transitionLabel(t).replace(/[/]/g, '\\/')}`));
  }
  const taken = [...svg.matchAll(/<g class="transition taken" data-from="(\w+)" data-to="(\w+)">/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(
    taken.map((p) => p.join('>')).sort(),
    pairs.map((p) => p.join('>')).sort(),
  );
  assert.equal(
    (svg.match(/<g class="transition"/g) ?? []).length,
    RFC9293_TRANSITIONS.length - pairs.length,
  );
  assert.equal((svg.match(/marker-end="url\(#synack-sd-head-hot\)"/g) ?? []).length, pairs.length);
  // Visited states are highlighted, CLOSING (not visited here) is not.
  assert.match(svg, /<g class="state visited" data-state="TIME_WAIT">/);
  assert.match(svg, /<g class="state" data-state="CLOSING">/);
  // Classic placement: CLOSED on top, SYN_RCVD left of SYN_SENT, ESTABLISHED in the middle, TIME_WAIT low.
  const pos = (id: string): [number, number] => {
    const m = new RegExp(`data-state="${id}"><rect x="([0-9.]+)" y="([0-9.]+)"`).exec(svg)!;
    return [Number(m[1]), Number(m[2])];
  };
  assert.ok(pos('SYN_RCVD')[0] < pos('ESTABLISHED')[0] && pos('ESTABLISHED')[0] < pos('SYN_SENT')[0]);
  assert.ok(pos('CLOSED')[1] < pos('LISTEN')[1] && pos('LISTEN')[1] < pos('ESTABLISHED')[1]);
  assert.ok(pos('ESTABLISHED')[1] < pos('TIME_WAIT')[1]);
});

test('SVG diagram without a run highlights nothing; extra transitions are listed', () => {
  const svg = renderStateDiagramSvg();
  checkXml(svg);
  assert.doesNotMatch(svg, /transition taken|state visited/);
  const withReset = renderStateDiagramSvg([
    ['ESTABLISHED', 'CLOSED'],
    ['<x>', '&y'],
  ]);
  checkXml(withReset);
  assert.ok(svgTexts(withReset).some((t) => t.includes('also taken') && t.includes('ESTABLISHED → CLOSED') && t.includes('<x> → &y')));
  assert.equal(renderStateDiagramSvg(simultaneousClose), renderStateDiagramSvg({ transitions: transitionsOf(simultaneousClose) }));
});

test('a document’s transitions tick the figure’s arc only when their cause is the arc’s event', () => {
  const d: ScenarioDocument = {
    scenario: 'causes',
    endpoints: ['A', 'B'],
    events: [
      { t: 0, type: 'state', endpoint: 'A', from: 'CLOSED', to: 'SYN_SENT', cause: 'active OPEN' },
      { t: 1, type: 'state', endpoint: 'A', from: 'SYN_SENT', to: 'CLOSED', cause: 'rcv RST' },
      { t: 2, type: 'state', endpoint: 'B', from: 'TIME_WAIT', to: 'CLOSED', cause: 'timeout=2MSL' },
    ],
  };
  const text = renderStateDiagramText(d);
  assert.match(text, /^ {2}● CLOSED\s+→ SYN_SENT\s+active OPEN/m);
  assert.match(text, /^ {4}SYN_SENT\s+→ CLOSED\s+CLOSE \/ delete TCB/m);
  assert.match(text, /^ {2}● SYN_SENT\s+→ CLOSED\s+rcv RST$/m);
  assert.match(text, /^ {2}● TIME_WAIT\s+→ CLOSED\s+timeout=2MSL/m);
  const svg = renderStateDiagramSvg(d);
  assert.match(svg, /class="transition" data-from="SYN_SENT" data-to="CLOSED"/);
  assert.match(svg, /class="transition taken" data-from="TIME_WAIT" data-to="CLOSED"/);
  assert.match(svg, /also taken \(not drawn in Figure 5\): SYN_SENT → CLOSED \(rcv RST\)/);
});
