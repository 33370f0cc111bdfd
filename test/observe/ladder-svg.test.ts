import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderLadderSvg, escapeXml } from '../../src/observe/ladder-svg.js';
import { segmentLabel } from '../../src/observe/ladder.js';
import type { ScenarioDocument, SegmentEvent } from '../../src/observe/events.js';
import { allFixtures, doc, fullLifecycle, handshake, lostSyn, oddities, seg, simultaneousClose, st } from './fixtures.js';
import { checkXml, svgTexts } from './xml.js';

const segments = (d: ScenarioDocument): SegmentEvent[] =>
  d.events.filter((e): e is SegmentEvent => e.type === 'segment');

/** The <line> elements drawn for segments (the ones inside a <g> with a tooltip naming the segment). */
function segmentLines(svg: string): Array<{ title: string; x1: number; y1: number; x2: number; y2: number; attrs: string }> {
  const out = [];
  for (const m of svg.matchAll(/<g><title>([^<]*)<\/title>\n?<line ([^>]*)\/>/g)) {
    const attrs = m[2]!;
    const num = (k: string): number => Number(new RegExp(`\\b${k}="([-0-9.]+)"`).exec(attrs)![1]);
    out.push({ title: m[1]!, x1: num('x1'), y1: num('y1'), x2: num('x2'), y2: num('y2'), attrs });
  }
  return out;
}

test('every ladder SVG is one well-formed <svg> document', () => {
  for (const d of allFixtures) {
    const svg = renderLadderSvg(d);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), d.scenario);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    const names = checkXml(svg);
    assert.equal(names[0], 'svg');
    assert.match(svg, /viewBox="0 0 \d+ \d+"/);
  }
  checkXml(renderLadderSvg({ scenario: '', endpoints: [], events: [] }));
});

test('text is escaped: a scenario called <&> stays text', () => {
  const name = 'evil <script>&amp; "q" \'a\' </svg>';
  const svg = renderLadderSvg(doc(name, handshake.events));
  checkXml(svg);
  assert.ok(!svg.includes('<script>'));
  assert.ok(!svg.includes('</svg>\n<'), 'nothing after the real end');
  assert.ok(svg.includes(escapeXml(name)));
  assert.ok(svgTexts(svg).includes(name), 'reads back as the original text');
  assert.equal(escapeXml('<&>"\''), '&lt;&amp;&gt;&quot;&apos;');
  assert.equal(escapeXml('a\u0001b'), 'ab', 'characters XML 1.0 forbids are dropped');
  // Endpoint names and foreign state names are escaped too.
  const odd = renderLadderSvg(doc('x', [st(0, '<A>', 'CLOSED', 'LISTEN'), seg(0, '<A>', '&B', 'SYN', 1)], ['<A>', '&B']));
  checkXml(odd);
  assert.ok(svgTexts(odd).includes('<A>') && svgTexts(odd).includes('&B'));
});

test('segments are slanted arrows in their direction, labelled like the text ladder', () => {
  const svg = renderLadderSvg(fullLifecycle);
  const texts = svgTexts(svg);
  const lines = segmentLines(svg);
  assert.equal(lines.length, segments(fullLifecycle).length);
  for (const [i, ev] of segments(fullLifecycle).entries()) {
    assert.ok(texts.includes(segmentLabel(ev)), segmentLabel(ev));
    const l = lines[i]!;
    assert.ok(l.title.includes(segmentLabel(ev)));
    assert.ok(l.y2 > l.y1, 'slants down: it arrives a moment later');
    if (ev.from === 'A') assert.ok(l.x2 > l.x1, 'A→B goes right');
    else assert.ok(l.x2 < l.x1, 'B→A goes left');
    assert.match(l.attrs, /marker-end="url\(#synack-ladder-head-/);
  }
});

test('state changes are boxes beside their own timeline', () => {
  const svg = renderLadderSvg(handshake);
  const texts = svgTexts(svg);
  for (const s of ['CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED']) assert.ok(texts.includes(s), s);
  // A's boxes are left of B's: compare the x of the SYN_SENT box (A) and the SYN_RCVD box (B).
  const boxX = (state: string): number =>
    Number(new RegExp(`<rect x="([-0-9.]+)"[^>]*/><text [^>]*>${state}</text>`).exec(svg)![1]);
  assert.ok(boxX('SYN_SENT') < boxX('SYN_RCVD'));
  assert.ok(boxX('CLOSED') < boxX('LISTEN'));
  // Two ESTABLISHED boxes (one per side), each with a tooltip saying what changed.
  assert.equal(texts.filter((t) => t === 'ESTABLISHED').length, 2);
  assert.match(svg, /<title>A: SYN_SENT → ESTABLISHED at 2 ms<\/title>/);
  assert.match(svg, /<title>B: SYN_RCVD → ESTABLISHED at 3 ms<\/title>/);
});

test('a dropped segment stops part-way at a red ✕ with "lost"', () => {
  const svg = renderLadderSvg(lostSyn);
  const lines = segmentLines(svg);
  const dropped = segments(lostSyn).map((e, i) => [e, lines[i]!] as const).filter(([e]) => e.dropped);
  assert.equal(dropped.length, 2);
  const xs = lines.filter((l) => !l.title.includes('(lost)')).flatMap((l) => [l.x1, l.x2]);
  const [xL, xR] = [Math.min(...xs), Math.max(...xs)];
  for (const [, l] of dropped) {
    assert.match(l.title, /\(lost\)/);
    assert.doesNotMatch(l.attrs, /marker-end/, 'no arrow head');
    const reach = Math.abs(l.x2 - l.x1) / (xR - xL);
    assert.ok(reach >= 0.45 && reach <= 0.85, `stops part-way (${reach.toFixed(2)})`);
  }
  assert.equal((svg.match(/fill="#e03131">✕<\/text>/g) ?? []).length, 2 + 1, 'two in the picture, one in the legend');
  assert.equal(svgTexts(svg).filter((t) => t === 'lost').length, 2 + 1);
});

test('long gaps are compressed: 60 s of TIME_WAIT costs one short break', () => {
  const a = renderLadderSvg(fullLifecycle);
  const b = renderLadderSvg(doc('no-gap', fullLifecycle.events.map((e) => (e.t > 1000 ? { ...e, t: 33 } : e))));
  const height = (svg: string): number => Number(/height="(\d+)"/.exec(svg)![1]);
  assert.ok(svgTexts(a).some((t) => t.includes('59.999 s pass')));
  assert.ok(height(a) - height(b) < 60, `gap adds ${height(a) - height(b)} px`);
  assert.ok(height(a) < 1000);
  assert.match(a, /stroke-dasharray="2 5"/, 'timelines are dashed through the gap');
  assert.ok(svgTexts(renderLadderSvg(simultaneousClose)).some((t) => t.includes('1 min pass')));
});

test('strangers and self-addressed segments draw without breaking the document', () => {
  const svg = renderLadderSvg(oddities);
  checkXml(svg);
  const texts = svgTexts(svg);
  for (const s of ['client', 'server', 'X', 'Y', 'SYN seq=7 (to itself)', 'Z: LISTEN → SYN_RCVD']) {
    assert.ok(texts.includes(s), s);
  }
  assert.match(svg, /stroke-dasharray="6 4"/, 'segments to/from a stranger are dashed');
});
