/** Text output of `synack analyze`: the capture line, the summary table, the findings. */
import type { Analysis } from './analyze.js';
import type { Finding } from './findings.js';
import type { ConnectionSummary } from './summary.js';
import { wrap } from './text.js';

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 10_000) return `${ms.toFixed(0)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

function fmtBytes(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 10_000_000) return `${(n / 1024).toFixed(0)}K`;
  return `${(n / 1048576).toFixed(0)}M`;
}

export function renderCaptureLine(path: string, an: Analysis): string {
  const c = an.counts;
  const span = an.end - an.start;
  const parts = [`${path}: ${an.read.format}, ${c.frames} frames, ${c.tcp} TCP segments, ${an.connections.length} connections over ${fmtMs(span)}`];
  const skipped: string[] = [];
  if (c.notIp) skipped.push(`${c.notIp} not IP`);
  if (c.notTcp) skipped.push(`${c.notTcp} not TCP`);
  for (const [k, v] of Object.entries(c.undecodable)) skipped.push(`${v} ${k}`);
  if (c.truncated) skipped.push(`${c.truncated} cut by the snaplen (lengths still counted)`);
  if (c.unsupportedLinkTypes.length) skipped.push(`unsupported link types ${c.unsupportedLinkTypes.join(', ')}`);
  if (an.read.leftover) skipped.push(`${an.read.leftover} bytes of an incomplete last record`);
  if (skipped.length) parts.push(`  (${skipped.join('; ')})`);
  return parts.join('\n');
}

export function renderSummaryTable(rows: readonly ConnectionSummary[], limit = Infinity): string {
  // '-' for a final state: that end never showed a socket (a closed port answering RST, a host that never answered).
  const head = ['ID', 'A (opened)', 'B', 'start', 'dur', 'A→B', 'B→A', 'A final', 'B final', 'closed first', 'close', 'rtx', 'rtt', 'zwin', 'rst'];
  const body = rows.slice(0, limit).map((r) => [
    String(r.id),
    r.a,
    r.b,
    fmtMs(r.start),
    fmtMs(r.duration),
    fmtBytes(r.bytesAtoB),
    fmtBytes(r.bytesBtoA),
    r.finalA ?? '-',
    r.finalB ?? '-',
    r.closer === undefined ? '-' : r.closer === r.a ? 'A' : 'B',
    r.close,
    String(r.retransmissions),
    fmtMs(r.rttMs),
    String(r.zeroWindows),
    String(r.resets),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(head), ...body.map(line)];
  if (rows.length > limit) out.push(`… ${rows.length - limit} more (--limit N, --json for all)`);
  return out.join('\n');
}

export function renderFindings(findings: readonly Finding[], width = 100): string {
  if (findings.length === 0) return 'No findings: every connection opened and closed the way the state diagram says.';
  const out: string[] = [];
  for (const f of findings) {
    out.push(`● ${f.title}`, wrap(f.detail, width, '    '), wrap(f.explanation, width, '    '), wrap(`What to change: ${f.advice}`, width, '    '), '');
  }
  return out.join('\n').trimEnd();
}
