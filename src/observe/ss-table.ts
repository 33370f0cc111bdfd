/**
 * `ss`-style text from the stack's snapshots, laid out the way iproute2's
 * `ss` lays it out (checked against iproute2 6.1 `ss -tan`, `-tano`,
 * `-tani`, `-s`, `state …`), so the awk one-liners people already use on
 * `ss` work unchanged on `synack ss`:
 *
 *   - columns State, Recv-Q, Send-Q, "Local Address:" (right-aligned) +
 *     Port, "Peer Address:" + Port, Process; each column as wide as its
 *     widest cell (header included) plus a one-space left delimiter, and no
 *     extra spreading: ss's "compact" layout when stdout is not a terminal;
 *   - State names as ss prints them (ESTAB, SYN-RECV, TIME-WAIT, …), or
 *     RFC 9293's with `rfcNames`; the State column disappears when the
 *     filter selects exactly one state, as in ss;
 *   - `-o` timers `timer:(timewait,59sec,0)` with ss's own time format,
 *     `-i` details on a second line after a tab.
 *
 * Pure: strings in, string out.
 */
import type { ConnectionInfo } from '../tcp/info.js';
import type { TcpState } from '../tcp/state.js';

/** RFC 9293 state → the name iproute2's `ss` prints (ss.c sstate_name). */
export const SS_STATE_NAMES: Readonly<Record<TcpState, string>> = {
  CLOSED: 'UNCONN',
  LISTEN: 'LISTEN',
  SYN_SENT: 'SYN-SENT',
  SYN_RCVD: 'SYN-RECV',
  ESTABLISHED: 'ESTAB',
  FIN_WAIT_1: 'FIN-WAIT-1',
  FIN_WAIT_2: 'FIN-WAIT-2',
  CLOSE_WAIT: 'CLOSE-WAIT',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST-ACK',
  TIME_WAIT: 'TIME-WAIT',
};

/** What `ss -i` shows of a connection: a subset of synack's ConnectionInfo, its times as "ms ago". */
export type SsInfo = Pick<
  ConnectionInfo,
  | 'rto'
  | 'srtt'
  | 'rttvar'
  | 'minRtt'
  | 'backoff'
  | 'ato'
  | 'mss'
  | 'rcvMss'
  | 'advMss'
  | 'cwndSegments'
  | 'ssthreshSegments'
  | 'cwnd'
  | 'sndWnd'
  | 'rcvWnd'
  | 'congestionControl'
  | 'options'
  | 'bytesSent'
  | 'bytesRetrans'
  | 'bytesAcked'
  | 'bytesReceived'
  | 'segsOut'
  | 'segsIn'
  | 'dataSegsOut'
  | 'dataSegsIn'
  | 'bytesInFlight'
  | 'retransmits'
  | 'totalRetrans'
  | 'lost'
  | 'sacked'
> & {
  /** ms since the last data sent / segment received / ACK of new data, when known. */
  lastSendAgo?: number;
  lastRecvAgo?: number;
  lastAckAgo?: number;
};

/** One socket as the table needs it. */
export interface SsRow {
  state: string;
  recvQueue: number;
  sendQueue: number;
  local: string;
  remote: string;
  /** e.g. "timewait", "on", "persist", "keepalive"; omitted or "off" for none. */
  timer?: string;
  /** ms until the timer fires. */
  timerExpiresIn?: number;
  /** Retransmissions (or keepalive probes) counted by the timer: ss -o's third number. */
  retransmits?: number;
  info?: SsInfo;
  /** Closed by its application, still finishing the close (`ss -s` counts these as orphaned). */
  orphan?: boolean;
}

export interface SsTableOptions {
  /** -o: timer information. */
  timers?: boolean;
  /** -i: TCP details on a second line. */
  info?: boolean;
  /** RFC 9293 state names instead of ss's. */
  rfcNames?: boolean;
  /** Show the State column (ss hides it when the filter selects a single state). Default true. */
  stateColumn?: boolean;
  /** -H: no header line. */
  noHeader?: boolean;
  /** How to print a port (e.g. a service name, as ss does without -n). Default: the number. */
  service?: (port: string) => string;
}

/** The state as the table prints it. */
export function ssStateName(state: string, rfcNames = false): string {
  if (rfcNames) return state;
  return SS_STATE_NAMES[state as TcpState] ?? state;
}

interface Column {
  align: 'left' | 'right';
  header: string;
  /** Printed before the cell unless it starts the line (ss.c columns[].ldelim). */
  delim: string;
}

const COLUMNS: Column[] = [
  { align: 'left', header: 'State', delim: ' ' },
  { align: 'left', header: 'Recv-Q', delim: ' ' },
  { align: 'left', header: 'Send-Q', delim: ' ' },
  { align: 'right', header: 'Local Address:', delim: ' ' },
  { align: 'left', header: 'Port', delim: '' },
  { align: 'right', header: 'Peer Address:', delim: ' ' },
  { align: 'left', header: 'Port', delim: '' },
  { align: 'left', header: 'Process', delim: '' },
];

/** "10.0.0.1:80" → ["10.0.0.1:", "80"]; "[fd00::1]:80" → ["[fd00::1]:", "80"]. */
export function splitHostPort(text: string): [string, string] {
  const i = text.lastIndexOf(':');
  return i < 0 ? [text, ''] : [text.slice(0, i + 1), text.slice(i + 1)];
}

/** Render rows as `ss -tan` does (plus -o / -i / state names per `opts`). Lines joined by "\n", no trailing newline. */
export function renderSsTable(rows: readonly SsRow[], opts: SsTableOptions = {}): string {
  const service = opts.service ?? ((p: string) => p);
  const enabled = COLUMNS.map((_, i) => i !== 0 || opts.stateColumn !== false);
  const lines: string[][] = [];
  if (!opts.noHeader) lines.push(COLUMNS.map((c) => c.header));
  for (const r of rows) {
    const [la, lp] = splitHostPort(r.local);
    const [ra, rp] = splitHostPort(r.remote);
    // Everything after the addresses lands in the last column, as in ss: " timer:(…)" then "\n\t …" for -i.
    let tail = '';
    if (opts.timers) {
      const timer = formatTimer(r.timer, r.timerExpiresIn, r.retransmits ?? 0);
      if (timer !== '') tail += ` ${timer}`;
    }
    if (opts.info) tail += `\n\t${r.info ? ' ' + formatInfo(r.info, r.state) : ''}`;
    lines.push([ssStateName(r.state, opts.rfcNames), String(r.recvQueue).padEnd(6), String(r.sendQueue).padEnd(6), la, lp === '*' ? '*' : service(lp), ra, rp === '*' ? '*' : service(rp), tail]);
  }
  // Width: the widest cell (header included) plus the delimiter, except for the first shown column (ss.c render_calc_width).
  const widths = COLUMNS.map((c, i) => {
    if (!enabled[i]) return 0;
    const max = Math.max(...lines.map((l) => l[i]!.length));
    const first = enabled.findIndex((e) => e) === i;
    return !first && max > 0 ? max + c.delim.length : max;
  });
  const out: string[] = [];
  for (const cells of lines) {
    let line = '';
    let started = false;
    COLUMNS.forEach((c, i) => {
      if (!enabled[i]) return;
      const w = widths[i]!;
      let printed = 0;
      if (started) {
        line += c.delim;
        printed = c.delim.length;
      }
      started = true;
      const cell = cells[i]!;
      if (c.align === 'right') {
        const pad = w - cell.length - printed;
        if (pad > 0) line += ' '.repeat(pad);
        line += cell;
      } else {
        line += cell;
        const pad = w - printed - cell.length;
        if (pad > 0) line += ' '.repeat(pad);
      }
    });
    out.push(line);
  }
  return out.join('\n');
}

/**
 * ss.c print_ms_timer: "59sec", "1min", "5.376ms" (which means 5.376 s — ss's
 * own quirk, kept so that scripts parsing it keep working), "200ms".
 */
export function ssTimerText(ms: number): string {
  const timeout = Math.max(0, Math.round(ms));
  let secs = Math.floor(timeout / 1000);
  const minutes = Math.floor(secs / 60);
  secs %= 60;
  let msecs = timeout % 1000;
  let text = '';
  if (minutes) {
    msecs = 0;
    text = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    text += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) text += `${String(msecs).padStart(3, '0')}ms`;
  return text;
}

/**
 * `timer:(timewait,59sec,0)` as `ss -o` shows it; '' for no timer. synack's
 * delayed-ACK timer is not shown (ss shows none for it either); the
 * FIN_WAIT_2 timeout of an orphan shows as timewait, as Linux keeps such a
 * socket as a timewait socket.
 */
export function formatTimer(timer: string | undefined, expiresIn: number | undefined, retransmits = 0): string {
  if (!timer || timer === 'off' || timer === 'delack' || expiresIn === undefined) return '';
  const name = timer === 'fin_wait_2' ? 'timewait' : timer;
  return `timer:(${name},${ssTimerText(expiresIn)},${timer === 'timewait' || timer === 'fin_wait_2' ? 0 : retransmits})`;
}

/** ss.c sprint_bw: 12.3M, 450K. */
function bw(bps: number): string {
  if (bps > 1e9) return `${(bps / 1e9).toFixed(1)}G`;
  if (bps > 1e6) return `${(bps / 1e6).toFixed(1)}M`;
  if (bps > 1e3) return `${(bps / 1e3).toFixed(1)}K`;
  return String(Math.round(bps));
}

/** ms with at most 3 decimals, as %g would print them. */
function g(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

/** The `ss -i` line, fields in ss's order (ss.c tcp_show_info); zero fields left out as ss does. */
export function formatInfo(i: SsInfo, state = 'ESTABLISHED'): string {
  const f: string[] = [];
  const segs = (bytes: number): number => (i.mss > 0 ? Math.ceil(bytes / i.mss) : 0);
  if (i.options.timestamps) f.push('ts');
  if (i.options.sack) f.push('sack');
  if (i.options.ecn) f.push('ecn');
  if (i.options.ecnSeen) f.push('ecnseen');
  if (i.congestionControl) f.push(i.congestionControl);
  if (i.options.wscale) f.push(`wscale:${i.options.wscale[0]},${i.options.wscale[1]}`);
  if (i.rto) f.push(`rto:${g(i.rto)}`);
  if (i.backoff) f.push(`backoff:${i.backoff}`);
  if (i.srtt !== undefined) f.push(`rtt:${g(i.srtt)}/${g(i.rttvar ?? 0)}`);
  if (i.ato) f.push(`ato:${g(i.ato)}`);
  if (i.mss) f.push(`mss:${i.mss}`);
  if (i.rcvMss) f.push(`rcvmss:${i.rcvMss}`);
  if (i.advMss) f.push(`advmss:${i.advMss}`);
  if (i.cwndSegments) f.push(`cwnd:${i.cwndSegments}`);
  if (i.ssthreshSegments !== undefined && i.ssthreshSegments > 0 && Number.isFinite(i.ssthreshSegments)) f.push(`ssthresh:${i.ssthreshSegments}`);
  if (i.bytesSent) f.push(`bytes_sent:${i.bytesSent}`);
  if (i.bytesRetrans) f.push(`bytes_retrans:${i.bytesRetrans}`);
  if (i.bytesAcked) f.push(`bytes_acked:${i.bytesAcked}`);
  if (i.bytesReceived) f.push(`bytes_received:${i.bytesReceived}`);
  if (i.segsOut) f.push(`segs_out:${i.segsOut}`);
  if (i.segsIn) f.push(`segs_in:${i.segsIn}`);
  if (i.dataSegsOut) f.push(`data_segs_out:${i.dataSegsOut}`);
  if (i.dataSegsIn) f.push(`data_segs_in:${i.dataSegsIn}`);
  if (i.srtt && i.cwnd) f.push(`send ${bw((i.cwnd * 8 * 1000) / i.srtt)}bps`);
  if (i.lastSendAgo !== undefined) f.push(`lastsnd:${Math.round(i.lastSendAgo)}`);
  if (i.lastRecvAgo !== undefined) f.push(`lastrcv:${Math.round(i.lastRecvAgo)}`);
  if (i.lastAckAgo !== undefined) f.push(`lastack:${Math.round(i.lastAckAgo)}`);
  if (i.bytesInFlight) f.push(`unacked:${segs(i.bytesInFlight)}`);
  if (i.retransmits || i.totalRetrans) f.push(`retrans:${i.retransmits}/${i.totalRetrans}`);
  if (i.lost) f.push(`lost:${segs(i.lost)}`);
  if (i.sacked && state !== 'LISTEN') f.push(`sacked:${segs(i.sacked)}`);
  if (i.minRtt !== undefined) f.push(`minrtt:${g(i.minRtt)}`);
  if (i.sndWnd) f.push(`snd_wnd:${i.sndWnd}`);
  if (i.rcvWnd) f.push(`rcv_wnd:${i.rcvWnd}`);
  return f.join(' ');
}

/**
 * `ss -s`: the lines ss prints for TCP ("Total:", "TCP: N (estab …)", the
 * Transport table's TCP row), then one line per state with its count.
 */
export function renderSsSummary(rows: readonly SsRow[], opts: { rfcNames?: boolean } = {}): string {
  const count = (s: string): number => rows.filter((r) => r.state === s).length;
  const tw = count('TIME_WAIT');
  const v6 = rows.filter((r) => r.state !== 'TIME_WAIT' && r.local.startsWith('[')).length;
  const hashed = rows.length - tw;
  const lines = [
    `Total: ${rows.length}`,
    `TCP:   ${rows.length} (estab ${count('ESTABLISHED')}, closed 0, orphaned ${rows.filter((r) => r.orphan).length}, timewait ${tw})`,
    '',
    `Transport ${'Total'.padEnd(9)} ${'IP'.padEnd(9)} ${'IPv6'.padEnd(9)}`,
    `TCP\t  ${String(hashed).padEnd(9)} ${String(hashed - v6).padEnd(9)} ${String(v6).padEnd(9)}`,
    '',
    'State        Count',
  ];
  const order: TcpState[] = ['ESTABLISHED', 'SYN_SENT', 'SYN_RCVD', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'];
  for (const s of order) lines.push(`${ssStateName(s, opts.rfcNames).padEnd(12)} ${count(s)}`);
  return lines.join('\n');
}
