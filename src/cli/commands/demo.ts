/**
 * `synack demo` (what `npm start` runs): node:http, unchanged, on two synack
 * stacks joined by an in-memory link with a little loss. No root, no kernel
 * sockets. It prints every TCP state transition as it happens, the packets
 * the link loses and the retransmissions that repair them, then an ss-style
 * table (TIME_WAIT rows included) and netstat -s style counters.
 *
 * Clock: the RealClock. node:http keeps wall-clock timers of its own (and the
 * Agent's keep-alive bookkeeping); on the real clock they and the stacks'
 * timers agree. The link adds 1 ms each way so the ladder of events is
 * visible in the timestamps. TIME_WAIT (60 s) is shown by printing the table
 * right after the connections close, with the timer column; then the stacks
 * are closed, which cancels every timer, and the process exits by itself.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Command } from '../main.js';
import { createStack, MemoryLink, RealClock, type NetStack, type SocketRow, type StackTraceEvent, type TapEvent } from '../../index.js';
import { parseTcpPacket } from '../../wire/packet.js';
import { flagsToString } from '../../wire/flags.js';
import { UsageError, integer, parseCommandArgs, probability, withUsage } from '../args.js';

const USAGE = `usage: synack demo [--loss P] [--seed N]

  node:http over two userspace TCP stacks on an in-memory link.
  --loss P   packet loss probability each way (default 0.02)
  --seed N   seed of the link's loss pattern (default 1)
`;

export const command: Command = {
  summary: 'node:http over two synack stacks on an in-memory link (no root needed)',
  async run(argv: string[]): Promise<number> {
    const parsed = withUsage('demo', USAGE, () => {
      const { values } = parseCommandArgs(argv, { loss: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, { maxPositionals: 0 });
      if (values.help) return 'help';
      const loss = values.loss === undefined ? 0.02 : probability('--loss', values.loss);
      if (loss > 0.5) throw new UsageError(`--loss ${values.loss}: must be at most 0.5 (beyond that the demo’s requests would mostly time out)`);
      const seed = values.seed === undefined ? 1 : integer('--seed', values.seed, 0, 0x7fffffff);
      return { loss, seed };
    });
    if (!parsed.ok) return parsed.code;
    await runDemo(parsed.value.loss, parsed.value.seed, (s) => process.stdout.write(s));
    return 0;
  },
};

/** Node's http.Agent, with its sockets from a synack stack: the only change a port needs. */
class SynackAgent extends http.Agent {
  constructor(
    private readonly stack: NetStack,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: { port?: number | string | null; host?: string | null }): Duplex {
    return this.stack.net.createConnection({ port: Number(options.port), host: options.host ?? '' });
  }
}

export async function runDemo(loss: number, seed: number, out: (s: string) => void): Promise<void> {
  const clock = new RealClock();
  const [linkA, linkB] = MemoryLink.pair(clock, { delayMs: 1, loss, seed });
  const a = createStack({ clock, name: 'A', seed: seed * 2 + 1 });
  const b = createStack({ clock, name: 'B', seed: seed * 2 + 2 });
  a.attach(linkA, { address: '10.0.0.1' });
  b.attach(linkB, { address: '10.0.0.2' });
  const t0 = clock.now();
  const ms = (t: number): string => `${(t - t0).toFixed(1).padStart(8)} ms`;

  out('synack demo: node:http on two userspace TCP stacks, in memory (no root, no kernel sockets)\n\n');
  out(`  A 10.0.0.1 (HTTP client)  ⇄  B 10.0.0.2 (HTTP server :80)   link: 1 ms each way, ${(loss * 100).toFixed(0)} % loss\n\n`);

  // State transitions as they happen, and retransmissions.
  const onTrace = (e: StackTraceEvent): void => {
    if (e.type === 'state') {
      out(`${ms(e.t)}  ${e.stack} ${pad(`${e.local} ↔ ${e.remote}`, 33)} ${e.from} → ${e.to}\n`);
    } else if (e.type === 'segment' && e.dir === 'out' && e.rtx) {
      out(`${ms(e.t)}  ${e.stack}   ↻ retransmits ${e.flags} seq=${e.seq} len=${e.len}\n`);
    }
  };
  a.on('trace', onTrace);
  b.on('trace', onTrace);
  const onLoss = (from: string, to: string) => (ev: TapEvent) => {
    if (!ev.dropped || ev.reason !== 'loss') return;
    const p = parseTcpPacket(ev.packet);
    const what = p.ok ? `${flagsToString(p.value.tcp.flags)} seq=${p.value.tcp.seq} len=${p.value.tcp.payload.length}` : 'a packet';
    out(`${ms(ev.time)}  ${from}   ✗ the link loses ${from}→${to} ${what}\n`);
  };
  linkA.onTap(onLoss('A', 'B'));
  linkB.onTap(onLoss('B', 'A'));

  // The server: node:http fed with synack sockets.
  const httpServer = http.createServer((req, res) => {
    const h = createHash('sha256');
    let n = 0;
    req.on('data', (c: Buffer) => {
      h.update(c);
      n += c.length;
    });
    req.on('end', () => {
      if (req.method === 'POST') res.end(`received ${n} bytes, sha256 ${h.digest('hex').slice(0, 16)}…\n`);
      else res.end(`hello from synack: ${req.method} ${req.url}\n`);
    });
  });
  // The client closes the keep-alive connection (agent.destroy below), not the server's keep-alive timer (Node's
  // default, 5 s), so that A holds its TIME_WAIT however slowly the machine runs: in one CI run the process
  // stalled 7.5 s after a lost SYN-ACK, the server's timer fired first, and B held it instead.
  httpServer.keepAliveTimeout = 120_000;
  const netServer = b.net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => httpServer.emit('connection', socket));
  await new Promise<void>((resolve) => netServer.listen(80, resolve));

  // The client: three requests on one keep-alive connection, one with "Connection: close", one to a closed port.
  const agent = new SynackAgent(a, { keepAlive: true, maxSockets: 1 });
  const log = (line: string): void => out(`${ms(clock.now())}  ▸ ${line}\n`);
  const upload = Buffer.alloc(192 * 1024, 0x61);
  for (const r of [
    { method: 'GET', path: '/hello' },
    { method: 'GET', path: '/index.html' },
    { method: 'POST', path: '/upload', body: upload },
  ]) {
    const res = await fetchOn({ agent, host: '10.0.0.2', port: 80, method: r.method, path: r.path }, r.body);
    log(`${r.method} ${r.path} → ${res.status}, ${res.body.trim()} ${res.reused ? '(same connection)' : '(new connection)'}`);
  }
  const closing = await fetchOn({ host: '10.0.0.2', port: 80, path: '/bye', headers: { connection: 'close' }, createConnection: () => a.net.connect(80, '10.0.0.2') });
  log(`GET /bye (Connection: close) → ${closing.status}, ${closing.body.trim()} (the server closes this connection)`);
  agent.destroy(); // the client closes the keep-alive connection: A holds that TIME_WAIT
  const refused = await new Promise<string>((resolve) => {
    const s = a.net.connect(81, '10.0.0.2');
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`${e.code} (${e.message})`));
    s.on('connect', () => resolve('connected?!'));
  });
  log(`connect to port 81 → ${refused}`);

  // Wait (bounded) until the closes are done: only LISTEN and TIME_WAIT left.
  const settled = (): boolean => [...a.connections(), ...b.connections()].every((r) => r.state === 'LISTEN' || r.state === 'TIME_WAIT');
  for (let i = 0; i < 300 && !settled(); i++) await new Promise((r) => setTimeout(r, 10));

  out('\n  ss -tano, right after the closes (TIME_WAIT holds the 4-tuple for 2×MSL = 60 s):\n\n');
  out(ssTable([...b.connections().map((r) => ['B', r] as const), ...a.connections().map((r) => ['A', r] as const)]) + '\n');
  out(counters(a.stats(), b.stats(), linkA.stats.dropped, linkB.stats.dropped) + '\n');

  a.off('trace', onTrace);
  b.off('trace', onTrace);
  netServer.close();
  httpServer.close();
  a.close(); // resets what is left (TIME_WAIT included) and cancels the timers, so the process can exit
  b.close();
  linkA.close();
}

interface Reply {
  status: number;
  body: string;
  reused: boolean;
}

function fetchOn(options: http.RequestOptions, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Row = readonly [string, SocketRow];

/** `ss -tano`-style: State Recv-Q Send-Q Local Peer Timer. */
function ssTable(rows: readonly Row[]): string {
  const head = ['', 'State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port', 'Timer'];
  const body = rows.map(([host, r]) => [host, r.state, String(r.recvQueue), String(r.sendQueue), r.local, r.remote, timer(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => '  ' + cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

function timer(r: SocketRow): string {
  if (r.timer === 'off' || r.timerExpiresIn === undefined) return '';
  return `timer:(${r.timer},${(r.timerExpiresIn / 1000).toFixed(1)}sec,${r.retransmits})`;
}

function counters(a: ReturnType<NetStack['stats']>, b: ReturnType<NetStack['stats']>, lostAB: number, lostBA: number): string {
  const keys = ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab', 'InSegs', 'OutSegs', 'RetransSegs', 'OutRsts'] as const;
  const lines = ['  Tcp counters (netstat -s / nstat)        A          B'];
  for (const k of keys) lines.push(`    ${k.padEnd(34)}${String(a[k]).padStart(7)}${String(b[k]).padStart(11)}`);
  lines.push(`    ${'link: packets lost (sent by)'.padEnd(34)}${String(lostAB).padStart(7)}${String(lostBA).padStart(11)}`);
  return lines.join('\n') + '\n';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
