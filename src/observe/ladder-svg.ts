/**
 * SVG ladder diagram of a scenario (`synack scenario <name> --svg FILE`):
 * the same rows as the text ladder (ladder.ts), drawn the way the seed
 * tutorials draw a handshake — two vertical timelines, slanted arrows for
 * segments, the state each end enters written beside its timeline.
 *
 * Time runs down one row per event (not to scale); each arrow lands a small
 * fixed distance below where it left so it slants, and a quiet stretch of
 * ≥ GAP_MS (e.g. TIME_WAIT's 2MSL) is drawn as a short dashed break labelled
 * "60000 ms pass". Pure: returns a standalone SVG document as a string.
 */
import type { ScenarioDocument } from './events.js';
import { formatDuration } from './duration.js';
import {
  buildLadder,
  displayWidth,
  ladderFooter,
  segmentKind,
  stateNote,
  type ErrorRow,
  type LadderRow,
  type SegmentRow,
  type StateRow,
} from './ladder.js';

const FONT = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace';
/** Approximate advance of one character at the 12 px / 11 px monospace sizes used. */
const CH12 = 7.3;
const CH11 = 6.7;
const ROW = 36; // vertical distance between event rows
const SLANT = 22; // an arrow lands this far below where it left: the "small fixed visual delay"
const GAP_H = 54; // height of a compressed quiet stretch
const BOX_H = 20;

const COLORS = {
  syn: '#2b8a3e',
  fin: '#9c36b5',
  rst: '#e03131',
  ack: '#1864ab',
  lost: '#e03131',
  line: '#868e96',
  text: '#212529',
  muted: '#868e96',
  boxFill: '#fff9db',
  boxStroke: '#e8b100',
} as const;

/** Escape text for XML content and attribute values; drop characters XML 1.0 forbids. */
export function escapeXml(s: string): string {
  return String(s)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function n(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** Approximate rendered width: monospace advance per column, CJK characters taking two. */
function textLen(s: string, ch: number): number {
  return displayWidth(s) * ch;
}

/** Render the scenario as a standalone SVG ladder diagram. */
export function renderLadderSvg(doc: ScenarioDocument): string {
  const model = buildLadder(doc);
  const { sides, rows } = model;

  // ---- horizontal layout ----------------------------------------------------
  const states = new Set<string>([model.initial.left, model.initial.right]);
  let maxLabel = 0;
  let maxTime = textLen('0 ms', CH11);
  for (const r of rows) {
    states.add(r.leftState);
    states.add(r.rightState);
    if (r.kind === 'segment') maxLabel = Math.max(maxLabel, textLen(r.label, CH11));
    if (r.kind !== 'gap') maxTime = Math.max(maxTime, textLen(formatDuration(r.t), CH11));
  }
  let boxW = 0;
  for (const s of states) boxW = Math.max(boxW, textLen(s, CH12) + 16);
  boxW = Math.max(boxW, textLen(sides.left, CH12) + 16, textLen(sides.right, CH12) + 16);
  const timeX = 12 + maxTime; // time labels are right-aligned here
  const xL = timeX + 16 + boxW + 14;
  const span = Math.max(340, maxLabel + 90);
  const xR = xL + span;
  // A third party (an attacker X) gets a timeline of its own right of B's state boxes: no state, dashed.
  const third = model.third;
  const xX = third === undefined ? undefined : xR + 14 + boxW + span;
  const width = Math.ceil(xX === undefined ? xR + 14 + boxW + 16 : xX + 16 + textLen(third!, CH12) + 16);

  // ---- vertical layout ------------------------------------------------------
  const titleY = 26;
  const headY = 54; // endpoint name
  const initY = 80; // initial state box centre
  let y = initY + 36;
  const placed: Array<{ row: LadderRow; y: number }> = [];
  const gaps: Array<[number, number]> = [];
  for (const row of rows) {
    if (row.kind === 'gap') {
      placed.push({ row, y: y - ROW / 2 + GAP_H / 2 });
      gaps.push([y - ROW / 2 + 6, y - ROW / 2 + GAP_H - 6]);
      y += GAP_H;
      continue;
    }
    placed.push({ row, y });
    y += ROW;
  }
  const bottom = y - ROW + SLANT + 22;
  const footer = ladderFooter(doc, model);
  const footY = bottom + 22;
  const legendY = footY + footer.length * 16 + 12;
  const height = Math.ceil(legendY + 16);

  const out: string[] = [];
  const title = `synack ladder: ${model.scenario}`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${escapeXml(FONT)}" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
  );
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push('<defs>');
  for (const kind of ['syn', 'fin', 'rst', 'ack'] as const) {
    out.push(
      `<marker id="synack-ladder-head-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
        `<path d="M0,0 L10,5 L0,10 z" fill="${COLORS[kind]}"/></marker>`,
    );
  }
  out.push('</defs>');
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="12" y="${titleY}" font-size="14" font-weight="bold" fill="${COLORS.text}">${escapeXml(model.scenario)}</text>`,
  );

  // ---- timelines (dashed through compressed gaps) ---------------------------
  const lineTop = initY + BOX_H / 2;
  for (const x of [xL, xR]) {
    let from = lineTop;
    for (const [g0, g1] of gaps) {
      out.push(line(x, from, x, g0, COLORS.line, 2));
      out.push(line(x, g0, x, g1, COLORS.line, 2, '2 5'));
      from = g1;
    }
    out.push(line(x, from, x, bottom, COLORS.line, 2));
  }
  if (xX !== undefined) {
    out.push(line(xX, lineTop, xX, bottom, COLORS.line, 1.5, '3 4'));
    out.push(textEl(xX, headY, third!, { anchor: 'middle', weight: 'bold', size: 14 }));
    out.push(textEl(xX, initY + 4, 'no TCP state', { anchor: 'middle', size: 11, fill: COLORS.muted, style: 'italic' }));
  }

  // ---- endpoint heads and initial states -------------------------------------
  out.push(textEl(xL, headY, sides.left, { anchor: 'middle', weight: 'bold', size: 14 }));
  out.push(textEl(xR, headY, sides.right, { anchor: 'middle', weight: 'bold', size: 14 }));
  out.push(stateBox(xL, initY, model.initial.left, 'middle', `${sides.left} starts in ${model.initial.left}`));
  out.push(stateBox(xR, initY, model.initial.right, 'middle', `${sides.right} starts in ${model.initial.right}`));

  // ---- rows -------------------------------------------------------------------
  let lastT: number | undefined;
  for (const { row, y: ry } of placed) {
    if (row.kind === 'gap') {
      out.push(
        textEl((xL + xR) / 2, ry + 4, `⋮ ${formatDuration(row.ms)} pass ⋮`, {
          anchor: 'middle',
          fill: COLORS.muted,
          style: 'italic',
        }),
      );
      lastT = undefined;
      continue;
    }
    if (row.t !== lastT) {
      out.push(textEl(timeX, ry + 4, formatDuration(row.t), { anchor: 'end', fill: COLORS.muted, size: 11 }));
      lastT = row.t;
    }
    if (row.kind === 'state') out.push(...drawState(row, ry, xL, xR));
    else if (row.kind === 'error') out.push(drawError(row, ry, xL, xR));
    else out.push(...drawSegment(row, ry, xL, xR, xX));
  }

  // ---- footer: final states, time cap, changed settings -------------------------
  footer.forEach((text, i) => {
    const incomplete = text.startsWith('incomplete');
    out.push(textEl(12, footY + i * 16, text, { size: 11, fill: incomplete ? COLORS.lost : COLORS.muted, weight: incomplete ? 'bold' : undefined }));
  });

  // ---- legend -----------------------------------------------------------------
  let lx = 12;
  const legend: Array<[string, string]> = [
    ['SYN', COLORS.syn],
    ['FIN', COLORS.fin],
    ['RST', COLORS.rst],
    ['ACK / data', COLORS.ack],
  ];
  for (const [label, color] of legend) {
    out.push(line(lx, legendY - 4, lx + 22, legendY - 4, color, 2));
    out.push(textEl(lx + 28, legendY, label, { size: 11, fill: COLORS.text }));
    lx += 28 + textLen(label, CH11) + 18;
  }
  out.push(textEl(lx, legendY + 1, '✕', { size: 14, fill: COLORS.lost, weight: 'bold' }));
  out.push(textEl(lx + 14, legendY, 'lost', { size: 11, fill: COLORS.text }));
  lx += 14 + textLen('lost', CH11) + 18;
  out.push(textEl(lx, legendY, 'rows are events, not to scale', { size: 11, fill: COLORS.muted, style: 'italic' }));

  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** An error the application saw: red text beside its endpoint's timeline. */
function drawError(row: ErrorRow, y: number, xL: number, xR: number): string {
  const text = `✗ ${String(row.event.code)}`;
  if (row.side === 'other' || row.side === 'third') return textEl((xL + xR) / 2, y + 4, `${String(row.event.endpoint)}: ${text}`, { anchor: 'middle', fill: COLORS.rst, weight: 'bold' });
  const left = row.side === 'left';
  return textEl(left ? xL - 12 : xR + 12, y + 4, text, { anchor: left ? 'end' : 'start', fill: COLORS.rst, weight: 'bold' });
}

function drawState(row: StateRow, y: number, xL: number, xR: number): string[] {
  const ev = row.event;
  const note = stateNote(ev);
  const tip = `${String(ev.endpoint)}: ${String(ev.from)} → ${String(ev.to)}${note ? ` (${note})` : ''} at ${formatDuration(row.t)}`;
  if (row.side === 'other' || row.side === 'third') {
    return [
      textEl((xL + xR) / 2, y + 4, `${String(ev.endpoint)}: ${String(ev.from)} → ${String(ev.to)}`, {
        anchor: 'middle',
        fill: COLORS.text,
        style: 'italic',
      }),
    ];
  }
  const x = row.side === 'left' ? xL : xR;
  const out = [
    `<circle cx="${n(x)}" cy="${n(y)}" r="4" fill="${COLORS.boxStroke}"/>`,
    stateBox(row.side === 'left' ? x - 12 : x + 12, y, String(ev.to), row.side === 'left' ? 'end' : 'start', tip),
  ];
  // The cause, small and inside the lanes (where no arrow is drawn on this row).
  if (note) out.push(textEl(row.side === 'left' ? x + 10 : x - 10, y + 4, note, { anchor: row.side === 'left' ? 'start' : 'end', size: 10, fill: COLORS.muted, style: 'italic' }));
  return out;
}

function drawSegment(row: SegmentRow, y: number, xL: number, xR: number, xX: number | undefined): string[] {
  const ev = row.event;
  const kind = segmentKind(ev.flags);
  const color = COLORS[kind];
  const out: string[] = [];
  const tip = `${String(ev.from)} → ${String(ev.to)}: ${row.label}${ev.dropped ? ' (lost)' : ''} at ${formatDuration(row.t)}`;
  out.push(`<g><title>${escapeXml(tip)}</title>`);

  if (ev.from === ev.to) {
    // A segment an endpoint sends to itself: a small loop beside its timeline.
    const x = row.fromSide === 'right' ? xR : xL;
    const dx = row.fromSide === 'right' ? -46 : 46;
    out.push(
      `<path d="M${n(x)},${n(y)} C${n(x + dx)},${n(y - 6)} ${n(x + dx)},${n(y + SLANT + 6)} ${n(x + 3 * Math.sign(dx))},${n(y + SLANT)}" ` +
        `fill="none" stroke="${color}" stroke-width="1.6"${ev.dropped ? '' : ` marker-end="url(#synack-ladder-head-${kind})"`}/>`,
    );
    const lx = x + dx + (ev.dropped ? 70 : 6) * Math.sign(dx); // leave room for "✕ lost" at the loop
    const anchor = dx > 0 ? 'start' : 'end';
    out.push(textEl(lx, y + SLANT / 2 + 4, `${row.label} (to itself)`, { anchor, fill: color, size: 11 }));
    if (ev.dropped) out.push(lostMark(x + dx * 0.75, y + SLANT / 2, dx > 0 ? 1 : -1));
    out.push('</g>');
    return out;
  }

  // Endpoints without a timeline of their own are drawn at the far edge, dashed, with their name;
  // the third party's segments are dashed too, from or to its own timeline.
  let x0: number;
  let x1: number;
  if (row.fromSide === 'left') x0 = xL;
  else if (row.fromSide === 'right') x0 = xR;
  else if (row.fromSide === 'third' && xX !== undefined) x0 = xX;
  else x0 = row.toSide === 'left' ? xR : xL;
  if (row.toSide === 'left') x1 = xL;
  else if (row.toSide === 'right') x1 = xR;
  else if (row.toSide === 'third' && xX !== undefined) x1 = xX;
  else x1 = x0 === xL ? xR : xL;
  const stranger = row.fromSide === 'other' || row.toSide === 'other' || row.fromSide === 'third' || row.toSide === 'third';
  const dir = Math.sign(x1 - x0) || 1;
  const dash = stranger ? ' stroke-dasharray="6 4"' : '';
  if (row.fromSide === 'other') {
    out.push(
      textEl(x0 - dir * 8, y + 4, String(ev.from), { anchor: dir > 0 ? 'end' : 'start', weight: 'bold', fill: color }),
    );
  }
  if (row.toSide === 'other') {
    out.push(
      textEl(x1 + dir * 8, y + SLANT + 4, String(ev.to), {
        anchor: dir > 0 ? 'start' : 'end',
        weight: 'bold',
        fill: color,
      }),
    );
  }

  const full = x1 - x0;
  const angle = (Math.atan2(SLANT, Math.abs(full)) * 180) / Math.PI * dir;
  if (!ev.dropped) {
    out.push(
      `<line x1="${n(x0)}" y1="${n(y)}" x2="${n(x1 - dir * 2)}" y2="${n(y + SLANT)}" stroke="${color}" stroke-width="1.8"${dash} ` +
        `marker-end="url(#synack-ladder-head-${kind})"/>`,
    );
    out.push(labelOnLine(x0 + full / 2, y + SLANT / 2, angle, row.label, color));
  } else {
    // A lost segment stops part-way (about half; further when its label needs the room) at a red ✕.
    const labelW = textLen(row.label, CH11) + 30;
    const frac = Math.min(0.8, Math.max(0.5, labelW / Math.abs(full)));
    const xe = x0 + full * frac;
    const ye = y + SLANT * frac;
    out.push(
      `<line x1="${n(x0)}" y1="${n(y)}" x2="${n(xe)}" y2="${n(ye)}" stroke="${color}" stroke-width="1.8" stroke-dasharray="${stranger ? '6 4' : '7 3'}"/>`,
    );
    out.push(labelOnLine(x0 + (xe - x0) / 2, y + (ye - y) / 2, angle, row.label, color));
    out.push(lostMark(xe, ye, dir));
  }
  out.push('</g>');
  return out;
}

function lostMark(x: number, y: number, dir: number): string {
  return (
    `<text x="${n(x)}" y="${n(y + 5)}" text-anchor="middle" font-size="16" font-weight="bold" fill="${COLORS.lost}">✕</text>` +
    `<text x="${n(x + dir * 11)}" y="${n(y + 4)}" text-anchor="${dir > 0 ? 'start' : 'end'}" font-size="11" font-weight="bold" fill="${COLORS.lost}">lost</text>`
  );
}

function labelOnLine(cx: number, cy: number, angle: number, label: string, color: string): string {
  return (
    `<text x="${n(cx)}" y="${n(cy - 5)}" text-anchor="middle" font-size="11" fill="${color}" ` +
    `stroke="#ffffff" stroke-width="3" paint-order="stroke" transform="rotate(${n(angle)} ${n(cx)} ${n(cy)})">${escapeXml(label)}</text>`
  );
}

function stateBox(x: number, y: number, state: string, anchor: 'start' | 'middle' | 'end', tip: string): string {
  const w = textLen(state, CH12) + 16;
  const left = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return (
    `<g><title>${escapeXml(tip)}</title>` +
    `<rect x="${n(left)}" y="${n(y - BOX_H / 2)}" width="${n(w)}" height="${BOX_H}" rx="4" fill="${COLORS.boxFill}" stroke="${COLORS.boxStroke}"/>` +
    `<text x="${n(left + w / 2)}" y="${n(y + 4)}" text-anchor="middle" font-weight="bold" fill="${COLORS.text}">${escapeXml(state)}</text></g>`
  );
}

function line(x1: number, y1: number, x2: number, y2: number, color: string, w: number, dash?: string): string {
  return (
    `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${color}" stroke-width="${w}"` +
    `${dash ? ` stroke-dasharray="${dash}"` : ''}/>`
  );
}

function textEl(
  x: number,
  y: number,
  text: string,
  o: { anchor?: 'start' | 'middle' | 'end'; weight?: string; size?: number; fill?: string; style?: string } = {},
): string {
  const attrs = [`x="${n(x)}"`, `y="${n(y)}"`];
  if (o.anchor && o.anchor !== 'start') attrs.push(`text-anchor="${o.anchor}"`);
  if (o.size) attrs.push(`font-size="${o.size}"`);
  if (o.weight) attrs.push(`font-weight="${o.weight}"`);
  if (o.style) attrs.push(`font-style="${o.style}"`);
  attrs.push(`fill="${o.fill ?? COLORS.text}"`);
  return `<text ${attrs.join(' ')}>${escapeXml(text)}</text>`;
}
