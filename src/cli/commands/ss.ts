/**
 * `synack ss`: iproute2's `ss -t` for a running synack stack, read from its
 * admin endpoint. Same options, filters, state names and column layout as
 * `ss`, so `synack ss -tan state time-wait | awk …` works as it does on
 * Linux.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionJson } from '../../apps/admin.js';
import { renderSsSummary, renderSsTable, type SsRow } from '../../observe/ss-table.js';
import type { TcpState } from '../../tcp/state.js';
import type { Command } from '../main.js';
import { getAdminJson } from '../admin-client.js';
import { UsageError, hostPort, parseCommandArgs, withUsage } from '../args.js';
import { DEFAULT_STATES, parseSsFilter, stateWord, type Predicate } from '../ss-filter.js';

const HELP = `usage: synack ss --admin HOST:PORT [-tanlosiH46] [--rfc-names] [state STATE]… [EXPRESSION]

Shows the TCP sockets of a running synack stack (serve, connect or fetch
started with --admin HOST:PORT) the way iproute2's \`ss -t\` shows the
kernel's: same columns, state names (ESTAB, SYN-RECV, TIME-WAIT, …) and
filters.

  --admin HOST:PORT  the stack's admin endpoint (required)
  -t, --tcp          TCP sockets (the only kind synack has; accepted for habit)
  -a, --all          all sockets, listening ones and TIME-WAIT included
  -l, --listening    listening sockets only
  -n, --numeric      port numbers, not service names
  -o, --options      timers: timer:(on|persist|keepalive|timewait,TIME,RETRANS)
  -i, --info         TCP details: rtt, rto, cwnd, ssthresh, retrans, windows…
  -s, --summary      totals, and a count per state
  -H, --no-header    no header line
  -4, -6             IPv4 / IPv6 sockets only
  --rfc-names        RFC 9293 state names (TIME_WAIT) instead of ss's (TIME-WAIT)

filter (as ss(8)):
  state STATE        established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait
                     close-wait last-ack listening closing, or all connected
                     synchronized bucket big; repeatable. exclude STATE removes one.
  sport OP :PORT     dport OP :PORT    (OP: = != < > <= >=, or eq ne lt gt le ge)
  src ADDR[/LEN][:PORT]   dst ADDR[/LEN][:PORT]
  joined with and, or, not and ( ), e.g.  '( dport = :80 or sport = :80 )'

Without -a or -l, like ss: connections only, not LISTEN, TIME-WAIT or SYN-RECV.`;

const OPTIONS = {
  admin: { type: 'string' },
  tcp: { type: 'boolean', short: 't' },
  all: { type: 'boolean', short: 'a' },
  listening: { type: 'boolean', short: 'l' },
  numeric: { type: 'boolean', short: 'n' },
  options: { type: 'boolean', short: 'o' },
  info: { type: 'boolean', short: 'i' },
  summary: { type: 'boolean', short: 's' },
  'no-header': { type: 'boolean', short: 'H' },
  ipv4: { type: 'boolean', short: '4' },
  ipv6: { type: 'boolean', short: '6' },
  'rfc-names': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface SsConfig {
  admin: { host: string; port: number };
  states: Set<TcpState>;
  match: Predicate;
  family: 4 | 6 | undefined;
  numeric: boolean;
  timers: boolean;
  info: boolean;
  summary: boolean;
  noHeader: boolean;
  rfcNames: boolean;
}

export const command: Command = {
  summary: 'show a running stack’s sockets exactly like iproute2 `ss -t` (needs --admin)',
  async run(argv) {
    const parsed = withUsage('ss', HELP, () => parse(argv));
    if (!parsed.ok) return parsed.code;
    const c = parsed.value;
    let rows: ConnectionJson[];
    try {
      rows = await getAdminJson<ConnectionJson[]>(c.admin, '/connections');
    } catch (e) {
      process.stderr.write(`synack ss: cannot read http://${c.admin.host.includes(':') ? `[${c.admin.host}]` : c.admin.host}:${c.admin.port}/connections: ${(e as Error).message}\n`);
      return 1;
    }
    process.stdout.write(render(rows, c) + '\n');
    return 0;
  },
};

function parse(argv: string[]): SsConfig | 'help' {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS);
  if (values.help) return 'help';
  if (values.admin === undefined) throw new UsageError('--admin HOST:PORT is required (the admin endpoint of serve, connect or fetch)');
  if (values.ipv4 && values.ipv6) throw new UsageError('-4 and -6: choose one');
  const base: readonly TcpState[] = values.all ? stateWord('all') : values.listening ? ['LISTEN', 'CLOSED'] : DEFAULT_STATES;
  const { states, match } = parseSsFilter(positionals, base, (name) => loadServices().byName.get(name));
  return {
    admin: hostPort('--admin', values.admin),
    states,
    match,
    family: values.ipv4 ? 4 : values.ipv6 ? 6 : undefined,
    numeric: values.numeric === true,
    timers: values.options === true,
    info: values.info === true,
    summary: values.summary === true,
    noHeader: values['no-header'] === true,
    rfcNames: values['rfc-names'] === true,
  };
}

function render(json: ConnectionJson[], c: SsConfig): string {
  const all: SsRow[] = json.map((r) => ({
    state: r.state,
    recvQueue: r.recvQueue,
    sendQueue: r.sendQueue,
    local: r.local,
    remote: r.remote,
    timer: r.timer,
    ...(r.timerExpiresIn !== null ? { timerExpiresIn: r.timerExpiresIn } : {}),
    retransmits: r.retransmits,
    ...(r.info ? { info: r.info } : {}),
    ...(r.orphan ? { orphan: true } : {}),
  }));
  if (c.summary) return renderSsSummary(all, { rfcNames: c.rfcNames });
  const isV6 = (r: SsRow): boolean => r.local.startsWith('[') || r.remote.startsWith('[');
  const rows = all.filter((r) => c.states.has(r.state as TcpState) && c.match(r) && (c.family === undefined || (c.family === 6) === isV6(r)));
  const services = c.numeric ? undefined : loadServices();
  return renderSsTable(rows, {
    timers: c.timers,
    info: c.info,
    rfcNames: c.rfcNames,
    stateColumn: c.states.size > 1, // ss hides the State column when the filter leaves one state
    noHeader: c.noHeader,
    ...(services ? { service: (p: string) => serviceName(services, Number(p)) ?? p } : {}),
  });
}

interface Services {
  byPort: Map<number, string>;
  byName: Map<string, number>;
}

let cached: Services | undefined;

/** TCP services from /etc/services, as ss resolves ports without -n (empty when the file is missing). */
function loadServices(): Services {
  if (cached) return cached;
  cached = { byPort: new Map(), byName: new Map() };
  let text = '';
  try {
    text = readFileSync('/etc/services', 'utf8');
  } catch {
    return cached;
  }
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_.+-]+)\s+(\d+)\/tcp\b\s*([^#]*)/.exec(line);
    if (!m) continue;
    const port = Number(m[2]);
    if (!cached.byPort.has(port)) cached.byPort.set(port, m[1]!);
    for (const name of [m[1]!, ...m[3]!.trim().split(/\s+/).filter((a) => a !== '')]) if (!cached.byName.has(name)) cached.byName.set(name, port);
  }
  return cached;
}

/** ss.c resolve_service: no names for ports in the ephemeral range (synack's: 32768–60999, Linux's default). */
function serviceName(s: Services, port: number): string | undefined {
  if (port >= 32768 && port <= 60999) return undefined;
  return s.byPort.get(port);
}
