/**
 * The TCP connection state diagram (RFC 9293 §3.3.2, Figure 5) as text and
 * as SVG, with the transitions a scenario took highlighted.
 *
 * Pure: no Node APIs; both renderers return strings.
 */
import type { ScenarioDocument } from './events.js';
import { TCP_STATES, type TcpState } from '../tcp/state.js';
import { escapeXml } from './ladder-svg.js';

/** One arc of the state diagram: what makes it happen (`event`) and what TCP does (`action`, "x" = nothing). */
export interface StandardTransition {
  from: TcpState;
  to: TcpState;
  event: string;
  action: string;
  phase: 'setup' | 'teardown';
  /** Extra words for the text form (e.g. the RFC figure's footnotes). */
  note?: string;
}

/**
 * The transitions of RFC 9293 Figure 5, in the figure's order, including the
 * two its notes describe (SYN_RCVD → LISTEN on RST, note 1; FIN_WAIT_1 →
 * TIME_WAIT on a FIN that also acknowledges our FIN, note 2). Resets and
 * aborts to CLOSED from other states (note 3) are not drawn; a run that takes
 * one is listed separately.
 */
export const RFC9293_TRANSITIONS: readonly StandardTransition[] = [
  { from: 'CLOSED', to: 'LISTEN', event: 'passive OPEN', action: 'create TCB', phase: 'setup' },
  { from: 'CLOSED', to: 'SYN_SENT', event: 'active OPEN', action: 'create TCB, snd SYN', phase: 'setup' },
  { from: 'LISTEN', to: 'CLOSED', event: 'CLOSE', action: 'delete TCB', phase: 'setup' },
  { from: 'LISTEN', to: 'SYN_RCVD', event: 'rcv SYN', action: 'snd SYN,ACK', phase: 'setup' },
  { from: 'LISTEN', to: 'SYN_SENT', event: 'SEND', action: 'snd SYN', phase: 'setup' },
  {
    from: 'SYN_RCVD',
    to: 'LISTEN',
    event: 'rcv RST',
    action: 'x',
    phase: 'setup',
    note: 'only after a passive OPEN',
  },
  {
    from: 'SYN_SENT',
    to: 'SYN_RCVD',
    event: 'rcv SYN',
    action: 'snd SYN,ACK',
    phase: 'setup',
    note: 'simultaneous open',
  },
  { from: 'SYN_SENT', to: 'CLOSED', event: 'CLOSE', action: 'delete TCB', phase: 'setup' },
  { from: 'SYN_SENT', to: 'ESTABLISHED', event: 'rcv SYN,ACK', action: 'snd ACK', phase: 'setup' },
  { from: 'SYN_RCVD', to: 'ESTABLISHED', event: 'rcv ACK of SYN', action: 'x', phase: 'setup' },
  { from: 'SYN_RCVD', to: 'FIN_WAIT_1', event: 'CLOSE', action: 'snd FIN', phase: 'teardown' },
  { from: 'ESTABLISHED', to: 'FIN_WAIT_1', event: 'CLOSE', action: 'snd FIN', phase: 'teardown', note: 'active close' },
  {
    from: 'ESTABLISHED',
    to: 'CLOSE_WAIT',
    event: 'rcv FIN',
    action: 'snd ACK',
    phase: 'teardown',
    note: 'passive close',
  },
  { from: 'FIN_WAIT_1', to: 'FIN_WAIT_2', event: 'rcv ACK of FIN', action: 'x', phase: 'teardown' },
  {
    from: 'FIN_WAIT_1',
    to: 'CLOSING',
    event: 'rcv FIN',
    action: 'snd ACK',
    phase: 'teardown',
    note: 'simultaneous close',
  },
  {
    from: 'FIN_WAIT_1',
    to: 'TIME_WAIT',
    event: 'rcv FIN,ACK of FIN',
    action: 'snd ACK',
    phase: 'teardown',
    note: 'FIN that also ACKs our FIN',
  },
  { from: 'FIN_WAIT_2', to: 'TIME_WAIT', event: 'rcv FIN', action: 'snd ACK', phase: 'teardown' },
  { from: 'CLOSE_WAIT', to: 'LAST_ACK', event: 'CLOSE', action: 'snd FIN', phase: 'teardown' },
  { from: 'CLOSING', to: 'TIME_WAIT', event: 'rcv ACK of FIN', action: 'x', phase: 'teardown' },
  { from: 'LAST_ACK', to: 'CLOSED', event: 'rcv ACK of FIN', action: 'x', phase: 'teardown' },
  { from: 'TIME_WAIT', to: 'CLOSED', event: 'timeout=2MSL', action: 'delete TCB', phase: 'teardown' },
];

/** "rcv SYN / snd SYN,ACK" */
export function transitionLabel(t: StandardTransition): string {
  return `${t.event} / ${t.action}`;
}

/** Transitions to highlight: `{ transitions: [[from, to], …] }`, a bare list of pairs, or a whole scenario. */
export interface Highlight {
  transitions: ReadonlyArray<readonly [string, string]>;
}
export type HighlightInput = Highlight | ReadonlyArray<readonly [string, string]> | ScenarioDocument;

/**
 * The distinct [from, to] state transitions a scenario took, in order of
 * first occurrence (optionally only one endpoint's).
 */
export function transitionsOf(doc: ScenarioDocument, endpoint?: string): Array<[TcpState, TcpState]> {
  const out: Array<[TcpState, TcpState]> = [];
  const seen = new Set<string>();
  for (const ev of Array.isArray(doc?.events) ? doc.events : []) {
    if (ev === null || typeof ev !== 'object' || ev.type !== 'state') continue;
    if (endpoint !== undefined && ev.endpoint !== endpoint) continue;
    if (ev.from === ev.to) continue;
    const k = key(ev.from, ev.to);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push([ev.from, ev.to]);
  }
  return out;
}

function key(from: string, to: string): string {
  return `${from}>${to}`;
}

/** A transition a run took, with what caused it when the document says (a state event's `cause`). */
interface Taken {
  from: string;
  to: string;
  cause?: string;
}

/**
 * The transitions to mark. From a scenario document each state event counts
 * by its cause: it ticks the figure's arc only when the cause is the arc's
 * event (a reset to CLOSED from SYN_SENT is not the figure's "CLOSE" arc); a
 * document without causes, or a list of pairs, ticks by the from/to pair.
 */
function takenOf(input: HighlightInput | undefined): Taken[] {
  if (input === undefined || input === null) return [];
  let list: Taken[];
  if (Array.isArray(input)) list = (input as ReadonlyArray<readonly [string, string]>).filter((p) => Array.isArray(p) && p.length >= 2).map((p) => ({ from: String(p[0]), to: String(p[1]) }));
  else if ('events' in input) {
    list = [];
    for (const ev of Array.isArray(input.events) ? input.events : []) {
      if (ev === null || typeof ev !== 'object' || ev.type !== 'state' || ev.from === ev.to) continue;
      list.push(typeof ev.cause === 'string' ? { from: ev.from, to: ev.to, cause: ev.cause } : { from: ev.from, to: ev.to });
    }
  } else {
    const pairs = Array.isArray((input as Highlight).transitions) ? (input as Highlight).transitions : [];
    list = pairs.filter((p) => Array.isArray(p) && p.length >= 2).map((p) => ({ from: String(p[0]), to: String(p[1]) }));
  }
  const out: Taken[] = [];
  const seen = new Set<string>();
  for (const t of list) {
    const k = `${key(t.from, t.to)}|${t.cause ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(t);
  }
  return out;
}

/** The figure's arc a taken transition is, or undefined (a transition the figure does not draw, or another cause). */
function arcOf(t: Taken): StandardTransition | undefined {
  return RFC9293_TRANSITIONS.find((a) => a.from === t.from && a.to === t.to && (t.cause === undefined || a.event === t.cause));
}

/** Split what a run took into the figure's arcs (by key) and the rest. */
function classify(input: HighlightInput | undefined): { taken: Set<string>; extra: Taken[]; states: Set<string> } {
  const all = takenOf(input);
  const taken = new Set<string>();
  const extra: Taken[] = [];
  for (const t of all) {
    const arc = arcOf(t);
    if (arc) taken.add(key(arc.from, arc.to));
    else extra.push(t);
  }
  return { taken, extra, states: new Set(all.flatMap((t) => [t.from, t.to])) };
}


function extraNote(from: string, to: string): string {
  if (to === 'CLOSED') return 'reset, abort or timeout (RFC 9293 §3.10; not drawn in Figure 5)';
  return 'not drawn in RFC 9293 Figure 5';
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/**
 * The state diagram as a table of transitions. With `visited`, the
 * transitions taken are marked "●" and counted, states visited are marked,
 * and any taken transition the figure does not draw (e.g. a reset to CLOSED)
 * is listed at the end.
 */
export function renderStateDiagramText(visited?: HighlightInput): string {
  const marking = visited !== undefined && visited !== null;
  const { taken, extra, states: statesSeen } = classify(visited);
  const stdTaken = RFC9293_TRANSITIONS.filter((t) => taken.has(key(t.from, t.to))).length;
  const W = Math.max(...TCP_STATES.map((s) => s.length));
  const pad = (s: string): string => s + ' '.repeat(Math.max(0, W - s.length));
  const labelW = Math.max(...RFC9293_TRANSITIONS.map((t) => transitionLabel(t).length));

  const lines: string[] = [];
  lines.push(`TCP state diagram (RFC 9293 §3.3.2, Figure 5): ${TCP_STATES.length} states, ${RFC9293_TRANSITIONS.length} transitions`);
  if (marking) {
    lines.push(`● = taken in this run (${stdTaken} of ${RFC9293_TRANSITIONS.length})`);
    const seen = TCP_STATES.filter((s) => statesSeen.has(s));
    const unseen = TCP_STATES.filter((s) => !statesSeen.has(s));
    lines.push(...wrap(`states visited (${seen.length} of ${TCP_STATES.length}):`, seen));
    if (unseen.length > 0) lines.push(...wrap('not visited:', unseen));
  } else {
    lines.push(...wrap('states:', [...TCP_STATES]));
  }
  const row = (mark: string, from: string, to: string, label: string): string =>
    `  ${mark} ${pad(from)} → ${pad(to)}  ${label}`.trimEnd();
  for (const [phase, heading] of [
    ['setup', 'connection setup (three-way handshake)'],
    ['teardown', 'connection teardown (four-way close, TIME_WAIT)'],
  ] as const) {
    lines.push('');
    lines.push(heading);
    for (const t of RFC9293_TRANSITIONS) {
      if (t.phase !== phase) continue;
      const mark = taken.has(key(t.from, t.to)) ? '●' : ' ';
      const label = transitionLabel(t);
      const note = t.note ? ' '.repeat(Math.max(1, labelW - label.length) + 2) + `(${t.note})` : '';
      lines.push(row(mark, t.from, t.to, label + note));
    }
  }
  if (extra.length > 0) {
    lines.push('');
    lines.push('also taken in this run (by a cause Figure 5 does not draw)');
    for (const t of extra) lines.push(row('●', t.from, t.to, t.cause ?? extraNote(t.from, t.to)));
  }
  return lines.join('\n');
}

/** "head A B C …" wrapped at 96 columns, continuation lines indented under the first word. */
function wrap(head: string, words: string[]): string[] {
  const out: string[] = [];
  let line = head;
  for (const w of words) {
    if (line.length + 1 + w.length > 96 && line.trim() !== '') {
      out.push(line);
      line = ' '.repeat(head.length);
    }
    line += ` ${w}`;
  }
  out.push(line);
  return out;
}

// ---------------------------------------------------------------------------
// SVG
// ---------------------------------------------------------------------------

const COL = { L: 200, C: 500, R: 800 } as const;
const ROWY = [70, 180, 300, 420, 540, 650, 760] as const;
const BOX_W = 130;
const BOX_H = 40;
const SVG_W = 1000;
const CH = 6.7; // approximate advance of an 11 px monospace character

interface Box {
  id: string;
  state: TcpState;
  x: number;
  y: number;
}

/** Boxes placed as in the classic figure; CLOSED appears twice (top, and bottom right as the end). */
const BOXES: readonly Box[] = [
  { id: 'CLOSED', state: 'CLOSED', x: COL.C, y: ROWY[0] },
  { id: 'LISTEN', state: 'LISTEN', x: COL.C, y: ROWY[1] },
  { id: 'SYN_RCVD', state: 'SYN_RCVD', x: COL.L, y: ROWY[2] },
  { id: 'SYN_SENT', state: 'SYN_SENT', x: COL.R, y: ROWY[2] },
  { id: 'ESTABLISHED', state: 'ESTABLISHED', x: COL.C, y: ROWY[3] },
  { id: 'FIN_WAIT_1', state: 'FIN_WAIT_1', x: COL.L, y: ROWY[4] },
  { id: 'CLOSE_WAIT', state: 'CLOSE_WAIT', x: COL.R, y: ROWY[4] },
  { id: 'FIN_WAIT_2', state: 'FIN_WAIT_2', x: COL.L, y: ROWY[5] },
  { id: 'CLOSING', state: 'CLOSING', x: COL.C, y: ROWY[5] },
  { id: 'LAST_ACK', state: 'LAST_ACK', x: COL.R, y: ROWY[5] },
  { id: 'TIME_WAIT', state: 'TIME_WAIT', x: COL.C, y: ROWY[6] },
  { id: 'CLOSED_END', state: 'CLOSED', x: COL.R, y: ROWY[6] },
];

interface EdgeGeom {
  points: Array<[number, number]>;
  /** Baseline of the label's first line and its anchor; the action goes on a second line below. */
  label: [number, number, 'start' | 'middle' | 'end'];
}

const hw = BOX_W / 2;
const hh = BOX_H / 2;
const { L, C, R } = COL;
const [r0, r1, r2, r3, r4, r5, r6] = ROWY;

/** Hand-placed routes, keyed "FROM>TO", laid out like RFC 9293 Figure 5. */
const GEOMETRY: Record<string, EdgeGeom> = {
  'CLOSED>LISTEN': { points: [[C - 25, r0 + hh], [C - 25, r1 - hh]], label: [C - 33, (r0 + r1) / 2 - 2, 'end'] },
  'LISTEN>CLOSED': { points: [[C + 25, r1 - hh], [C + 25, r0 + hh]], label: [C + 33, (r0 + r1) / 2 - 2, 'start'] },
  'CLOSED>SYN_SENT': {
    points: [[C + hw, r0 - 8], [R + 25, r0 - 8], [R + 25, r2 - hh]],
    label: [R + 33, r0 + 40, 'start'],
  },
  'SYN_SENT>CLOSED': {
    points: [[R - 25, r2 - hh], [R - 25, r0 + 8], [C + hw, r0 + 8]],
    label: [R - 33, r0 + 40, 'end'],
  },
  'LISTEN>SYN_RCVD': { points: [[C - 45, r1 + hh], [L + 40, r2 - hh]], label: [C - 148, r1 + 33, 'end'] },
  'LISTEN>SYN_SENT': { points: [[C + 45, r1 + hh], [R - 40, r2 - hh]], label: [C + 148, r1 + 33, 'start'] },
  'SYN_RCVD>LISTEN': {
    points: [[L - 25, r2 - hh], [L - 25, r1], [C - hw, r1]],
    label: [L + 20, r1 - 22, 'start'],
  },
  'SYN_SENT>SYN_RCVD': { points: [[R - hw, r2], [L + hw, r2]], label: [C, r2 - 19, 'middle'] },
  'SYN_SENT>ESTABLISHED': { points: [[R - 40, r2 + hh], [C + 45, r3 - hh]], label: [C + 170, r2 + 70, 'start'] },
  'SYN_RCVD>ESTABLISHED': { points: [[L + 40, r2 + hh], [C - 45, r3 - hh]], label: [C - 170, r2 + 70, 'end'] },
  'SYN_RCVD>FIN_WAIT_1': { points: [[L - 25, r2 + hh], [L - 25, r4 - hh]], label: [L - 33, r3 - 2, 'end'] },
  'ESTABLISHED>FIN_WAIT_1': { points: [[C - 45, r3 + hh], [L + 40, r4 - hh]], label: [C - 148, r3 + 33, 'end'] },
  'ESTABLISHED>CLOSE_WAIT': { points: [[C + 45, r3 + hh], [R - 40, r4 - hh]], label: [C + 148, r3 + 33, 'start'] },
  'FIN_WAIT_1>FIN_WAIT_2': { points: [[L - 25, r4 + hh], [L - 25, r5 - hh]], label: [L - 33, (r4 + r5) / 2 - 2, 'end'] },
  'FIN_WAIT_1>CLOSING': { points: [[L + hw, r4 + 6], [C - 20, r5 - hh]], label: [L + 192, r4 + 28, 'start'] },
  'FIN_WAIT_1>TIME_WAIT': { points: [[L + 40, r4 + hh], [C - 45, r6 - hh]], label: [C - 115, r6 - 52, 'end'] },
  'FIN_WAIT_2>TIME_WAIT': { points: [[L, r5 + hh], [L, r6], [C - hw, r6]], label: [L + 12, r6 + 18, 'start'] },
  'CLOSE_WAIT>LAST_ACK': { points: [[R, r4 + hh], [R, r5 - hh]], label: [R + 8, (r4 + r5) / 2 - 2, 'start'] },
  'CLOSING>TIME_WAIT': { points: [[C, r5 + hh], [C, r6 - hh]], label: [C + 8, (r5 + r6) / 2 - 2, 'start'] },
  'LAST_ACK>CLOSED': { points: [[R, r5 + hh], [R, r6 - hh]], label: [R + 8, (r5 + r6) / 2 - 2, 'start'] },
  'TIME_WAIT>CLOSED': { points: [[C + hw, r6], [R - hw, r6]], label: [(C + R) / 2, r6 + 18, 'middle'] },
};

const INK = '#495057';
const HOT = '#e8590c';

const esc = escapeXml;

/**
 * The state diagram as a standalone SVG, boxes placed like RFC 9293
 * Figure 5. Transitions in `highlight` (and the states they touch) are drawn
 * in orange; taken transitions the figure does not draw are listed beneath.
 */
export function renderStateDiagramSvg(highlight?: HighlightInput): string {
  const { taken, extra, states: hotStates } = classify(highlight);
  const anyTaken = taken.size > 0 || extra.length > 0;
  const footY = r6 + 70;
  const height = footY + (extra.length > 0 ? 40 : 20);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SVG_W}" height="${height}" viewBox="0 0 ${SVG_W} ${height}" ` +
      `font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, &quot;DejaVu Sans Mono&quot;, monospace" font-size="11" ` +
      `role="img" aria-label="TCP state diagram">`,
  );
  out.push('<title>TCP state diagram (RFC 9293, Figure 5)</title>');
  out.push('<defs>');
  for (const [id, color] of [
    ['synack-sd-head', INK],
    ['synack-sd-head-hot', HOT],
  ] as const) {
    out.push(
      `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
        `<path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    );
  }
  out.push('</defs>');
  out.push(`<rect x="0" y="0" width="${SVG_W}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="24" font-size="14" font-weight="bold" fill="#212529">TCP state diagram</text>`);
  out.push(`<text x="16" y="40" fill="#868e96">RFC 9293 §3.3.2, Figure 5</text>`);

  // Edges first (plain, then highlighted on top), boxes over their ends.
  const ordered = [...RFC9293_TRANSITIONS].sort(
    (a, b) => Number(taken.has(key(a.from, a.to))) - Number(taken.has(key(b.from, b.to))),
  );
  for (const t of ordered) {
    const g = GEOMETRY[key(t.from, t.to)];
    if (!g) continue;
    const hot = taken.has(key(t.from, t.to));
    const color = hot ? HOT : INK;
    const pts = g.points.map(([x, y]) => `${x},${y}`).join(' ');
    out.push(
      `<g class="${hot ? 'transition taken' : 'transition'}" data-from="${t.from}" data-to="${t.to}">` +
        `<title>${esc(`${t.from} → ${t.to}: ${transitionLabel(t)}${t.note ? ` (${t.note})` : ''}`)}</title>` +
        `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="${hot ? 3 : 1.4}" ` +
        `marker-end="url(#${hot ? 'synack-sd-head-hot' : 'synack-sd-head'})"/>` +
        labelSvg(g.label, t, hot) +
        '</g>',
    );
  }
  for (const b of BOXES) {
    const hot = hotStates.has(b.state);
    out.push(
      `<g class="${hot ? 'state visited' : 'state'}" data-state="${b.state}">` +
        `<rect x="${b.x - hw}" y="${b.y - hh}" width="${BOX_W}" height="${BOX_H}" rx="6" ` +
        `fill="${hot ? '#fff4e6' : '#f8f9fa'}" stroke="${hot ? HOT : INK}" stroke-width="${hot ? 2.5 : 1.4}"/>` +
        `<text x="${b.x}" y="${b.y + 5}" text-anchor="middle" font-size="13" font-weight="bold" fill="#212529">${b.state}</text>` +
        '</g>',
    );
  }

  // Footer: legend, and any taken transitions the figure has no arrow for.
  if (anyTaken) {
    out.push(
      `<line x1="16" y1="${footY - 4}" x2="40" y2="${footY - 4}" stroke="${HOT}" stroke-width="3"/>` +
        `<text x="46" y="${footY}" fill="#212529">taken in this run</text>`,
    );
  }
  if (extra.length > 0) {
    const list = extra.map((t) => `${t.from} → ${t.to}${t.cause ? ` (${t.cause})` : ''}`).join(', ');
    out.push(`<text x="16" y="${footY + 20}" fill="${HOT}">${esc(`also taken (not drawn in Figure 5): ${list}`)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function labelSvg(pos: EdgeGeom['label'], t: StandardTransition, hot: boolean): string {
  const [x, y, anchor] = pos;
  const fill = hot ? HOT : '#343a40';
  const weight = hot ? ' font-weight="bold"' : '';
  // Event over action, like the figure's "rcv SYN / ------- / snd SYN,ACK"; a short rule between.
  const w = Math.max(t.event.length, t.action.length) * CH;
  const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return (
    `<text x="${x}" y="${y}" text-anchor="${anchor}" fill="${fill}"${weight} stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(t.event)}</text>` +
    `<line x1="${Math.round(x0)}" y1="${y + 4}" x2="${Math.round(x0 + w)}" y2="${y + 4}" stroke="${fill}" stroke-width="0.6"/>` +
    `<text x="${x}" y="${y + 16}" text-anchor="${anchor}" fill="${fill}"${weight} stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(t.action)}</text>`
  );
}
