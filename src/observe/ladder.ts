/**
 * Text ladder diagram of a scenario (docs/events.md describes the document; the
 * readable form of `synack scenario <name>`).
 *
 * Drawn the way RFC 9293 §3.5 figures and the seed tutorials draw an
 * exchange: a time column, endpoint A's state on the left, the segment
 * arrows in the middle, endpoint B's state on the right. One row per event,
 * so both ends' states can be read beside every segment:
 *
 * ```
 * scenario: handshake
 *   time  A: CLOSED                                        B: LISTEN
 *   0 ms  CLOSED → SYN_SENT                                   LISTEN
 *   0 ms  SYN_SENT   ───── SYN seq=1000 ─────────────→        LISTEN
 * ```
 *
 * Pure: no Node APIs, returns a string (lines joined by "\n", no trailing
 * newline). Also exports the row model and label helpers that the SVG
 * ladder (ladder-svg.ts) shares, so both pictures say the same thing.
 */
import type { ErrorEvent, ScenarioDocument, SegmentEvent, StateEvent } from './events.js';
import { formatDuration } from './duration.js';

export interface LadderOptions {
  /** Maximum line width in columns (default 100). Every line is ≤ width. */
  width?: number;
  /** ANSI colours (default false). Width counts visible columns only. */
  color?: boolean;
  /** Show seq/ack relative to each side's first sequence number, like Wireshark (default false). */
  relativeSeq?: boolean;
}

/** A quiet stretch at least this long (ms) between two events gets its own "⋮ N ms pass" row. */
export const GAP_MS = 1000;

const DEFAULT_WIDTH = 100;
const MIN_ZONE = 8;

// ---------------------------------------------------------------------------
// Row model shared with the SVG ladder
// ---------------------------------------------------------------------------

/**
 * Which column an endpoint is drawn in: the left one, the right one, the
 * third party's lane right of the right one (an attacker "X", no state), or
 * none (drawn by name at the edge).
 */
export type Side = 'left' | 'right' | 'third' | 'other';

export interface LadderSides {
  left: string;
  right: string;
}

interface RowBase {
  /** Left and right endpoints' states after this row. */
  leftState: string;
  rightState: string;
}

export interface StateRow extends RowBase {
  kind: 'state';
  t: number;
  event: StateEvent;
  side: Side;
}

export interface SegmentRow extends RowBase {
  kind: 'segment';
  t: number;
  event: SegmentEvent;
  fromSide: Side;
  toSide: Side;
  /** "SYN,ACK seq=5000 ack=1001 len=0"-style text (see segmentLabel). */
  label: string;
}

export interface GapRow extends RowBase {
  kind: 'gap';
  /** Start time and length of the quiet stretch. */
  t: number;
  ms: number;
}

/** An error the application on `event.endpoint` saw (ECONNRESET …). */
export interface ErrorRow extends RowBase {
  kind: 'error';
  t: number;
  event: ErrorEvent;
  side: Side;
}

export type LadderRow = StateRow | SegmentRow | GapRow | ErrorRow;

export interface LadderModel {
  scenario: string;
  sides: LadderSides;
  initial: { left: string; right: string };
  /** A third endpoint (`doc.endpoints[2]`, e.g. an attacker "X"): a lane of its own, right of the right column, with no state. */
  third: string | undefined;
  /** Endpoints with no column of their own: their segments come from the edge, tagged. */
  others: string[];
  rows: LadderRow[];
}

/** The two endpoints drawn as columns: `doc.endpoints[0]` left, `[1]` right (falling back to names seen in events, then A/B). */
export function ladderSides(doc: ScenarioDocument): LadderSides {
  const names: string[] = [];
  const add = (n: unknown): void => {
    if (typeof n === 'string' && !names.includes(n)) names.push(n);
  };
  for (const n of Array.isArray(doc.endpoints) ? doc.endpoints : []) add(n);
  if (names.length < 2) {
    for (const ev of events(doc)) {
      if (ev.type === 'state') add(ev.endpoint);
      else if (ev.type === 'segment') {
        add(ev.from);
        add(ev.to);
      }
      if (names.length >= 2) break;
    }
  }
  const left = names[0] ?? 'A';
  const right = names[1] ?? (left === 'B' ? 'A' : 'B');
  return { left, right };
}

/** An endpoint's initial state: the `from` of its first state event, or CLOSED. */
export function initialState(doc: ScenarioDocument, endpoint: string): string {
  for (const ev of events(doc)) {
    if (ev.type === 'state' && ev.endpoint === endpoint) return String(ev.from);
  }
  return 'CLOSED';
}

/** True when the comma list of flags contains `name` (case-insensitive). */
export function hasFlag(flags: string, name: string): boolean {
  const want = name.toUpperCase();
  return String(flags ?? '')
    .split(',')
    .some((f) => f.trim().toUpperCase() === want);
}

/**
 * Per-endpoint base for relative sequence numbers: the first seq each
 * endpoint sends in the document (its ISN when the trace starts at the SYN).
 */
export function sequenceBases(doc: ScenarioDocument): Map<string, number> {
  const bases = new Map<string, number>();
  for (const ev of events(doc)) {
    if (ev.type === 'segment' && !bases.has(ev.from) && Number.isFinite(ev.seq)) bases.set(ev.from, ev.seq);
  }
  return bases;
}

/**
 * "SYN,ACK seq=5000 ack=1001 win=65535 <mss 1460,sackOK> (challenge ACK)" —
 * flags, seq, ack only when the ACK flag is set, the window as sent, len
 * only when > 0, a SYN's options, SACK blocks, the IP ECN codepoint
 * ("ECT(0)", "CE"; ECE/CWR join the flags), "rtx" for a retransmission,
 * and the event's note. With `bases` (see sequenceBases) seq is relative to
 * the sender's base and ack and SACK edges to the receiver's, modulo 2^32.
 */
export function segmentLabel(ev: SegmentEvent, bases?: Map<string, number>): string {
  const rel = (value: number, endpoint: string): string => {
    const base = bases?.get(endpoint);
    if (base === undefined || !Number.isFinite(value)) return String(value);
    return String((value - base) >>> 0);
  };
  const parts: string[] = [];
  const flags = String(ev.flags ?? '').trim();
  const ecnFlags = typeof ev.ecnFlags === 'string' ? ev.ecnFlags.trim() : '';
  if (flags !== '' || ecnFlags !== '') parts.push([flags, ecnFlags].filter((x) => x !== '').join(','));
  parts.push(`seq=${rel(ev.seq, ev.from)}`);
  if (hasFlag(flags, 'ACK')) parts.push(`ack=${rel(ev.ack, ev.to)}`);
  if (typeof ev.win === 'number') parts.push(`win=${ev.win}`);
  if (ev.len > 0) parts.push(`len=${ev.len}`);
  const o = ev.options;
  if (o && typeof o === 'object') {
    const opts: string[] = [];
    if (o.mss !== undefined) opts.push(`mss ${o.mss}`);
    if (o.wscale !== undefined) opts.push(`wscale ${o.wscale}`);
    if (o.sackOK) opts.push('sackOK');
    if (Array.isArray(o.ts)) opts.push(`TS ${o.ts[0]}/${o.ts[1]}`);
    if (opts.length > 0) parts.push(`<${opts.join(',')}>`);
  }
  if (Array.isArray(ev.sack) && ev.sack.length > 0) {
    parts.push(`sack=${ev.sack.map((b) => (Array.isArray(b) ? `${rel(b[0], ev.to)}-${rel(b[1], ev.to)}` : '?')).join(',')}`);
  }
  if (typeof ev.ecn === 'string') parts.push(ev.ecn);
  if (ev.rtx) parts.push('rtx');
  if (typeof ev.note === 'string' && ev.note !== '') parts.push(`(${ev.note})`);
  return parts.join(' ');
}

/** What a state row says besides FROM → TO: its cause and the timer the new state runs on. */
export function stateNote(ev: StateEvent): string {
  const parts: string[] = [];
  if (typeof ev.cause === 'string' && ev.cause !== '') parts.push(ev.cause);
  if (ev.timer && typeof ev.timer.ms === 'number') parts.push(`${ev.timer.name} timer ${formatDuration(ev.timer.ms)}`);
  return parts.join('; ');
}

/** 1500 → "1500", 0.25 → "0.25" (ms, at most 3 decimals). */
export function formatMs(t: number): string {
  if (!Number.isFinite(t)) return String(t);
  return Number.isInteger(t) ? String(t) : String(Math.round(t * 1000) / 1000);
}

/** The rows both ladders draw: one per event, plus a gap row before any quiet stretch ≥ GAP_MS. */
export function buildLadder(doc: ScenarioDocument, opts: { relativeSeq?: boolean } = {}): LadderModel {
  const sides = ladderSides(doc);
  const listed = (Array.isArray(doc.endpoints) ? doc.endpoints : []).filter((e): e is string => typeof e === 'string' && e !== sides.left && e !== sides.right);
  const third = listed[0];
  const sideOf = (name: string): Side => (name === sides.left ? 'left' : name === sides.right ? 'right' : name === third ? 'third' : 'other');
  const bases = opts.relativeSeq ? sequenceBases(doc) : undefined;
  const initial = { left: initialState(doc, sides.left), right: initialState(doc, sides.right) };
  const others = listed.slice(1);
  let leftState = initial.left;
  let rightState = initial.right;
  const rows: LadderRow[] = [];
  let prevT: number | undefined;
  for (const ev of events(doc)) {
    const t = Number(ev.t);
    if (prevT !== undefined && t - prevT >= GAP_MS) {
      rows.push({ kind: 'gap', t: prevT, ms: t - prevT, leftState, rightState });
    }
    if (Number.isFinite(t)) prevT = t;
    if (ev.type === 'state') {
      const side = sideOf(ev.endpoint);
      if (side === 'left') leftState = String(ev.to);
      else if (side === 'right') rightState = String(ev.to);
      rows.push({ kind: 'state', t, event: ev, side, leftState, rightState });
    } else if (ev.type === 'segment') {
      rows.push({
        kind: 'segment',
        t,
        event: ev,
        fromSide: sideOf(ev.from),
        toSide: sideOf(ev.to),
        label: segmentLabel(ev, bases),
        leftState,
        rightState,
      });
    } else if (ev.type === 'error') {
      rows.push({ kind: 'error', t, event: ev, side: sideOf(ev.endpoint), leftState, rightState });
    }
  }
  return { scenario: String(doc.scenario ?? ''), sides, initial, third, others, rows };
}

function events(doc: ScenarioDocument): ScenarioDocument['events'] {
  return Array.isArray(doc?.events) ? doc.events.filter((e) => e !== null && typeof e === 'object') : [];
}

/** Colour class of a segment: what its most important flag is. */
export function segmentKind(flags: string): 'rst' | 'syn' | 'fin' | 'ack' {
  if (hasFlag(flags, 'RST')) return 'rst';
  if (hasFlag(flags, 'SYN')) return 'syn';
  if (hasFlag(flags, 'FIN')) return 'fin';
  return 'ack';
}

// ---------------------------------------------------------------------------
// Text rendering
// ---------------------------------------------------------------------------

type Style = '' | 'head' | 'dim' | 'change' | 'syn' | 'fin' | 'rst' | 'ack' | 'lost';

const ANSI: Record<Exclude<Style, ''>, string> = {
  head: '\x1b[1m',
  dim: '\x1b[2m',
  change: '\x1b[1;36m',
  syn: '\x1b[32m',
  fin: '\x1b[35m',
  rst: '\x1b[31m',
  ack: '\x1b[34m',
  lost: '\x1b[1;31m',
};
const RESET = '\x1b[0m';

interface Cell {
  ch: string;
  st: Style;
}

/** One output line as a row of cells (one code point per cell), painted left to right. */
class Canvas {
  readonly cells: Cell[] = [];

  put(col: number, text: string, st: Style = ''): void {
    let c = Math.max(0, col);
    for (const ch of chars(text)) {
      while (this.cells.length < c) this.cells.push({ ch: ' ', st: '' });
      this.cells[c] = { ch, st };
      c++;
      // A double-width character (CJK, e.g. a Chinese scenario name) also covers the next cell.
      if (isWide(ch)) this.cells[c++] = { ch: '', st };
    }
  }

  /** Right-align `text` so that it ends just before column `end`. */
  putEnd(end: number, text: string, st: Style = ''): void {
    this.put(end - len(text), text, st);
  }

  render(width: number, color: boolean): string {
    const cells = this.cells.slice(0, width);
    if (this.cells.length > width && width > 0) {
      const k = width - 1;
      const st = cells[k]?.st ?? '';
      if (cells[k]?.ch === '' && k > 0) {
        cells[k - 1] = { ch: '…', st };
        cells[k] = { ch: ' ', st: '' };
      } else {
        cells[k] = { ch: '…', st };
      }
    }
    while (cells.length > 0 && cells[cells.length - 1]!.ch === ' ') cells.pop();
    if (!color) return cells.map((c) => c.ch).join('');
    let out = '';
    let cur: Style = '';
    for (const c of cells) {
      const st: Style = c.ch === ' ' && c.st !== 'lost' ? cur : c.st; // don't break runs on spaces
      if (st !== cur) {
        if (cur !== '') out += RESET;
        if (st !== '') out += ANSI[st];
        cur = st;
      }
      out += c.ch;
    }
    if (cur !== '') out += RESET;
    return out;
  }
}

function chars(s: string): string[] {
  // Control characters would break the layout (and the terminal): show them as "?".
  return Array.from(String(s).replace(/[\u0000-\u001f\u007f]/g, '?'));
}

/** Display width in terminal columns: 2 for East Asian wide characters, 1 otherwise. */
export function displayWidth(s: string): number {
  return len(s);
}

function len(s: string): number {
  let w = 0;
  for (const ch of chars(s)) w += isWide(ch) ? 2 : 1;
  return w;
}

function isWide(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

interface Layout {
  width: number;
  timeW: number;
  colA: number;
  colZ: number;
  zoneW: number;
  /** Column of the right (B) side's states. */
  colB: number;
}

/**
 * Paint a segment arrow into the middle zone. Returns false when the label
 * does not fit on the arrow (the caller then writes it on a row above).
 */
function paintArrow(
  cv: Canvas,
  lay: Layout,
  dir: 'right' | 'left',
  label: string,
  dropped: boolean,
  st: Style,
  leftTag: string | undefined,
  rightTag: string | undefined,
  withLabel: boolean,
): boolean {
  let start = lay.colZ;
  let end = lay.colZ + lay.zoneW;
  if (leftTag !== undefined) {
    cv.put(start, leftTag, 'head');
    start += len(leftTag) + 1;
  }
  if (rightTag !== undefined) {
    end -= len(rightTag) + 1;
    cv.put(end + 1, rightTag, 'head');
  }
  const n = end - start;
  const text = withLabel ? ` ${label} ` : '';
  const tl = len(text);
  const LOST = ' lost';
  // Shaft length, excluding the ✕ for dropped segments.
  const shaft = dropped ? Math.max(Math.ceil(n / 2), tl + 4) : n;
  const need = dropped ? shaft + 1 + LOST.length : tl + 4;
  if (withLabel && n < need) return false;
  const shaftLen = Math.max(1, Math.min(shaft, dropped ? n - 1 - LOST.length : n));
  const center = (from: number): void => {
    if (tl > 0) cv.put(from + Math.floor((shaftLen - tl) / 2), text, st);
  };
  if (dir === 'right') {
    const body = dropped ? '─'.repeat(shaftLen) : '─'.repeat(shaftLen - 1) + '→';
    cv.put(start, body, st);
    center(start);
    if (dropped) {
      cv.put(start + shaftLen, '✕', 'lost');
      cv.put(start + shaftLen + 1, LOST, 'lost');
    }
  } else {
    const body = dropped ? '─'.repeat(shaftLen) : '←' + '─'.repeat(shaftLen - 1);
    const from = end - shaftLen;
    cv.put(from, body, st);
    center(from);
    if (dropped) {
      cv.put(from - 1, '✕', 'lost');
      cv.putEnd(from - 1, 'lost ', 'lost');
    }
  }
  return true;
}

/**
 * Render the scenario as a text ladder diagram. Lines are joined with "\n"
 * (no trailing newline); every line is at most `width` visible columns.
 */
export function renderLadder(doc: ScenarioDocument, opts: LadderOptions = {}): string {
  const asked = Math.floor(opts.width ?? DEFAULT_WIDTH);
  const width = Number.isFinite(asked) ? Math.max(20, asked) : DEFAULT_WIDTH;
  const color = opts.color ?? false;
  const model = buildLadder(doc, { relativeSeq: opts.relativeSeq ?? false });
  const { sides, rows } = model;

  // Column layout.
  const timeLabel = (t: number): string => formatDuration(t);
  let timeW = len('time');
  let sideW = len('CLOSED');
  for (const r of rows) {
    if (r.kind !== 'gap') timeW = Math.max(timeW, len(timeLabel(r.t)));
    sideW = Math.max(sideW, len(r.leftState), len(r.rightState));
  }
  sideW = Math.max(sideW, len(model.initial.left), len(model.initial.right));
  const colA = timeW + 2;
  const colZ = colA + sideW + 2;
  const third = model.third;
  // With a third party, its lane (as wide as the middle, ending in its name) takes half the room right of A.
  const zoneW = third === undefined ? Math.max(MIN_ZONE, width - colZ - 2 - sideW) : Math.max(MIN_ZONE, Math.floor((width - colZ - 2 - sideW - 2 - 1 - len(third)) / 2));
  const lay: Layout = { width, timeW, colA, colZ, zoneW, colB: colZ + zoneW + 2 };
  const laneZ = lay.colB + sideW + 2;
  /** The third party's lane as a layout: its arrows run between B's column and the lane's name. */
  const lane: Layout = { ...lay, colZ: laneZ, zoneW: zoneW + 1 + len(third ?? '') };

  const lines: string[] = [];
  const emit = (cv: Canvas): void => {
    lines.push(cv.render(width, color));
  };

  // Header: scenario name, then endpoints with their initial states (also the column heads).
  const title = new Canvas();
  title.put(0, `scenario: ${model.scenario}`, 'head');
  emit(title);
  const head = new Canvas();
  head.putEnd(timeW, 'time', 'dim');
  head.put(colA, `${sides.left}: ${model.initial.left}`, 'head');
  head.putEnd(lay.colB, `${sides.right}: `, 'head');
  head.put(lay.colB, model.initial.right, 'head');
  if (third !== undefined) head.put(laneZ + lane.zoneW - len(third), third, 'head');
  emit(head);
  if (third !== undefined) {
    const line = new Canvas();
    line.put(laneZ, `${third}: a third party (no TCP state)`, 'dim');
    emit(line);
  }
  for (const o of model.others) {
    const line = new Canvas();
    line.put(colA, `${o}: no state column; its segments come from the edge, tagged ${o}`, 'dim');
    emit(line);
  }

  for (const r of rows) {
    const cv = new Canvas();
    const steady = (left: boolean, right: boolean, st: Style = ''): void => {
      if (left) cv.put(colA, r.leftState, st);
      if (right) cv.put(lay.colB, r.rightState, st);
    };
    if (r.kind === 'gap') {
      cv.putEnd(timeW, '⋮', 'dim');
      steady(true, true, 'dim');
      const text = `⋮  ${formatDuration(r.ms)} pass  ⋮`;
      cv.put(colZ + Math.max(0, Math.floor((zoneW - len(text)) / 2)), text, 'dim');
      emit(cv);
      continue;
    }
    cv.putEnd(timeW, timeLabel(r.t), 'dim');
    if (r.kind === 'error') {
      const text = `✗ ${String(r.event.code)}`;
      if (r.side === 'left') {
        steady(false, true);
        cv.put(colA, text, 'rst');
      } else if (r.side === 'right') {
        steady(true, false);
        cv.put(Math.min(lay.colB, width - len(text)), text, 'rst');
      } else {
        steady(true, true);
        cv.put(colZ, `${String(r.event.endpoint)}: ${text}`, 'rst');
      }
      emit(cv);
      continue;
    }
    if (r.kind === 'state') {
      const ev = r.event;
      const change = `${String(ev.from)} → ${String(ev.to)}`;
      const note = stateNote(ev);
      if (r.side === 'left') {
        steady(false, true);
        // "FROM → TO (cause)" reaches into the (empty) middle; when that is too narrow, less of it.
        const room = lay.colB - 1 - colA;
        const full = note ? `${change} (${note})` : change;
        const shown = len(full) < room ? full : len(change) < room ? change : `→ ${String(ev.to)}`;
        cv.put(colA, shown, 'change');
      } else if (r.side === 'right') {
        steady(true, false);
        // The new state lands in B's column; "(cause) FROM → " reaches back into the middle.
        const room = lay.colB - (colA + len(r.leftState)) - 1;
        const full = note ? `(${note}) ${String(ev.from)} → ` : `${String(ev.from)} → `;
        const fromText = `${String(ev.from)} → `;
        cv.putEnd(lay.colB, len(full) < room ? full : len(fromText) < room ? fromText : '→ ', 'change');
        cv.put(lay.colB, String(ev.to), 'change');
      } else {
        steady(true, true);
        cv.put(colZ, `${String(ev.endpoint)}: ${change}${note ? ` (${note})` : ''}`, 'change');
      }
      emit(cv);
      continue;
    }
    // Segment row.
    const ev = r.event;
    const st: Style = segmentKind(ev.flags);
    steady(true, true);
    if (ev.from === ev.to) {
      // A segment an endpoint sends to itself: a loop beside its column.
      const lost = ev.dropped ? ' ✕ lost' : '';
      if (r.fromSide === 'right') {
        cv.putEnd(colZ + zoneW, `${r.label} (to itself) ↻${lost}`, st);
      } else {
        const who = r.fromSide === 'left' ? '' : `${ev.from} `;
        cv.put(colZ, `${who}↺ ${r.label} (to itself)${lost}`, st);
      }
      emit(cv);
      continue;
    }
    // Direction: towards the receiver's column; an endpoint with no column is drawn by name at the far edge.
    // Between the right column and the third party: in the third party's lane.
    const inLane = (r.fromSide === 'right' && r.toSide === 'third') || (r.fromSide === 'third' && r.toSide === 'right');
    const zone = inLane ? lane : lay;
    let dir: 'right' | 'left';
    let leftTag: string | undefined;
    let rightTag: string | undefined;
    if (inLane) {
      dir = r.fromSide === 'right' ? 'right' : 'left';
      rightTag = String(third);
    } else if (r.fromSide === 'left' || r.toSide === 'right') dir = 'right';
    else if (r.fromSide === 'right' || r.toSide === 'left') dir = 'left';
    else dir = 'right';
    if (inLane) {
      // tags set above
    } else if (dir === 'right') {
      if (r.fromSide !== 'left') leftTag = String(ev.from);
      if (r.toSide !== 'right') rightTag = String(ev.to);
    } else {
      if (r.toSide !== 'left') leftTag = String(ev.to);
      if (r.fromSide !== 'right') rightTag = String(ev.from);
    }
    if (!paintArrow(cv, zone, dir, r.label, ev.dropped === true, st, leftTag, rightTag, true)) {
      // Too narrow for the label on the arrow: label on its own row above, then a bare arrow.
      // It may spread left over the (empty) state column; truncated only if wider than the whole row.
      const above = new Canvas();
      const room = width - colA;
      const text = chars(r.label);
      const shown = text.length > room ? text.slice(0, room - 1).join('') + '…' : r.label;
      const centred = zone.colZ + Math.floor((zone.zoneW - len(shown)) / 2);
      above.put(Math.max(colA, Math.min(centred, width - len(shown))), shown, st);
      emit(above);
      const bare = new Canvas();
      bare.putEnd(timeW, timeLabel(r.t), 'dim');
      bare.put(colA, r.leftState);
      bare.put(lay.colB, r.rightState);
      paintArrow(bare, zone, dir, r.label, ev.dropped === true, st, leftTag, rightTag, false);
      emit(bare);
      continue;
    }
    emit(cv);
  }
  for (const line of ladderFooter(doc, model)) {
    for (const part of wrapWords(line, width)) {
      const cv = new Canvas();
      cv.put(0, part, line.startsWith('incomplete') ? 'lost' : 'dim');
      emit(cv);
    }
  }
  return lines.join('\n');
}

/** Break `text` at spaces into lines of at most `width` columns, continuation lines indented by two. */
function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (len(next) <= width || line.trim() === '') line = next;
    else {
      out.push(line);
      line = `  ${word}`;
    }
  }
  out.push(line);
  return out;
}

/**
 * The closing lines both ladders print: where each endpoint ended, whether
 * the run stopped at its time cap, and the settings the scenario changed.
 */
export function ladderFooter(doc: ScenarioDocument, model: LadderModel = buildLadder(doc)): string[] {
  const out: string[] = [];
  const last = model.rows.length > 0 ? model.rows[model.rows.length - 1]! : undefined;
  const endT = last ? last.t + (last.kind === 'gap' ? last.ms : 0) : 0;
  const left = last ? last.leftState : model.initial.left;
  const right = last ? last.rightState : model.initial.right;
  if (last) out.push(`end at ${formatDuration(endT)}: ${model.sides.left} ${left} · ${model.sides.right} ${right}`);
  const cap = doc.incomplete?.after;
  if (typeof cap === 'number') out.push(`incomplete after ${formatDuration(cap)}: the run hit its time cap with timers still pending`);
  for (const s of Array.isArray(doc.settings) ? doc.settings : []) out.push(`setting: ${String(s)}`);
  return out;
}
