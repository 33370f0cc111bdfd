/**
 * `ss -tan`-style and `netstat -s`-style text, from the stack's snapshots.
 * State names are synack's (the 11 names of the contract), not ss's
 * abbreviations, so what you read here is what the traces and diagrams say.
 */

/** The columns `ss -tan` prints, plus the timer `ss -o` adds. */
export interface SsRow {
  state: string;
  recvQueue: number;
  sendQueue: number;
  local: string;
  remote: string;
  /** e.g. "timewait", "on", "persist"; omitted or "off" for none. */
  timer?: string;
  /** ms until the timer fires. */
  timerExpiresIn?: number;
}

/** Render rows the way `ss -tan` lays them out (with `-o` timers when `timers` is set). */
export function renderSsTable(rows: readonly SsRow[], opts: { timers?: boolean } = {}): string {
  const header = ['State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port'];
  if (opts.timers) header.push('Timer');
  const body = rows.map((r) => {
    const cells = [r.state, String(r.recvQueue), String(r.sendQueue), r.local, r.remote];
    if (opts.timers) cells.push(formatTimer(r.timer, r.timerExpiresIn));
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const right = new Set([1, 2]); // queue columns are right-aligned, as ss does
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}

/** `timer:(timewait,59sec,0)`-like text, as `ss -o` shows it. */
export function formatTimer(timer: string | undefined, expiresIn: number | undefined): string {
  if (!timer || timer === 'off' || expiresIn === undefined) return '';
  const t = expiresIn >= 1000 ? `${Math.round(expiresIn / 100) / 10}sec` : `${Math.round(expiresIn)}ms`;
  return `timer:(${timer},${t})`;
}

/** `netstat -s`-style lines: "    12 active connection openings". */
export function renderCounters(stats: Readonly<Record<string, number>>): string {
  const names: Array<[string, string]> = [
    ['ActiveOpens', 'active connection openings'],
    ['PassiveOpens', 'passive connection openings'],
    ['AttemptFails', 'failed connection attempts'],
    ['EstabResets', 'connection resets received'],
    ['CurrEstab', 'connections established'],
    ['InSegs', 'segments received'],
    ['OutSegs', 'segments sent out'],
    ['RetransSegs', 'segments retransmitted'],
    ['InErrs', 'bad segments received'],
    ['OutRsts', 'resets sent'],
  ];
  const lines = ['Tcp:'];
  for (const [k, label] of names) if (k in stats) lines.push(`    ${stats[k]} ${label}`);
  const extra = Object.keys(stats).filter((k) => !names.some(([n]) => n === k));
  if (extra.length > 0) {
    lines.push('TcpExt:');
    for (const k of extra) lines.push(`    ${k}: ${stats[k]}`);
  }
  return lines.join('\n');
}
