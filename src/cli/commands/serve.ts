/**
 * `synack serve`: a synack stack on a Linux TUN device, serving echo
 * (RFC 862), discard (RFC 863) and an HTTP/1.1 test service to the kernel's
 * TCP, with an admin endpoint on the host's own network. Runs until SIGINT or
 * SIGTERM, then closes the connections, the admin server, the pcap file and
 * the device, and exits 0.
 */
import { startDiscard } from '../../apps/discard.js';
import { startEcho } from '../../apps/echo.js';
import { startHttp } from '../../apps/http-service.js';
import type { Service, ServiceEvent } from '../../apps/service.js';
import type { Command } from '../main.js';
import { port as portArg, withUsage } from '../args.js';
import { LINK_HELP, UsageError, WATCH_HELP, WATCH_OPTIONS, parseCommandLine, parseLinkFlags, parseWatchFlags, type WatchFlags } from '../link-flags.js';
import { hostPort } from '../../stack/stack.js';
import { openTunStack, type TunStack } from '../tun-stack.js';

const HELP = `usage: synack serve --tun IFNAME --ip ADDR/PREFIX [--host-ip ADDR] [link options]
                    [--echo PORT] [--discard PORT [--discard-half-close]] [--http PORT]
                    [--admin HOST:PORT] [--trace] [-v]

Runs a synack TCP stack on a TUN device and serves the kernel (and whatever
the kernel routes to the device). Prints one line when ready; stops cleanly
on SIGINT or SIGTERM.

services (on synack's address; several may be given):
  --echo PORT           echo, RFC 862 (half-close aware: echoes everything before its FIN)
  --discard PORT        discard, RFC 863
  --discard-half-close  discard sends its FIN right after the handshake and keeps reading
  --http PORT           HTTP/1.1 (node:http): GET /bytes/N (with X-Content-SHA256), POST /sha256
  -v, --verbose         print a line when a connection opens and closes

${WATCH_HELP}

${LINK_HELP}`;

const OPTIONS = {
  echo: { type: 'string' },
  discard: { type: 'string' },
  'discard-half-close': { type: 'boolean' },
  http: { type: 'string' },
  ...WATCH_OPTIONS,
  verbose: { type: 'boolean', short: 'v' },
} as const;

/** How long connections get to finish their closing handshakes at shutdown. */
const GRACE_MS = 1000;

export const command: Command = {
  summary: 'serve echo, discard and HTTP from a synack stack on a TUN device (root)',
  async run(argv) {
    const parsed = withUsage('serve', HELP, () => parse(argv));
    return parsed.ok ? serve(parsed.value) : parsed.code;
  },
};

interface ServeConfig {
  flags: ReturnType<typeof parseLinkFlags>;
  echo?: number;
  discard?: number;
  discardHalfClose: boolean;
  http?: number;
  watch: WatchFlags;
  verbose: boolean;
}

function parse(argv: string[]): ServeConfig | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`${JSON.stringify(positionals[0])}: unexpected argument (serve takes only options)`);
  const config: ServeConfig = { flags: parseLinkFlags(values), watch: parseWatchFlags(values), discardHalfClose: values['discard-half-close'] === true, verbose: values.verbose === true };
  const ports = new Map<number, string>();
  for (const name of ['echo', 'discard', 'http'] as const) {
    const raw = values[name];
    if (raw === undefined) continue;
    const port = portArg(`--${name}`, raw);
    if (ports.has(port)) throw new UsageError(`--${name} ${raw}: port ${port} is already taken by --${ports.get(port)}`);
    ports.set(port, name);
    config[name] = port;
  }
  if (config.discardHalfClose && config.discard === undefined) throw new UsageError('--discard-half-close: needs --discard PORT');
  return config;
}

async function serve(config: ServeConfig): Promise<number> {
  const log = (line: string): void => void process.stdout.write(line + '\n');
  const fail = (message: string): number => {
    process.stderr.write(`synack serve: ${message}\n`);
    return 1;
  };

  // Signals that arrive while we are still starting up stop us as soon as we are up.
  let stopRequested: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (++signals > 1) {
      process.stderr.write(`synack serve: ${sig} again, exiting at once\n`);
      process.exit(1);
    }
    stopRequested!();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let tun: TunStack | undefined;
  const services: Service[] = [];
  try {
    try {
      tun = await openTunStack(config.flags, config.watch);
    } catch (e) {
      return fail((e as Error).message);
    }
    const net = tun.stack.net;
    const onEvent = config.verbose ? (ev: ServiceEvent) => log(formatEvent(ev)) : undefined;
    const opts = onEvent ? { onEvent } : {};
    const described: string[] = [];
    try {
      if (config.echo !== undefined) services.push(await startEcho(net, config.echo, opts));
      if (config.discard !== undefined) services.push(await startDiscard(net, config.discard, { ...opts, halfClose: config.discardHalfClose }));
      if (config.http !== undefined) services.push(await startHttp(net, config.http, opts));
    } catch (e) {
      return fail(`cannot listen: ${(e as Error).message}`);
    }
    for (const s of services) described.push(`${s.name}${s.name === 'discard' && config.discardHalfClose ? ' (half-close)' : ''} :${s.port}`);
    if (config.watch.admin) described.push(`admin http://${hostPort(config.watch.admin.host, config.watch.admin.port)}`);
    log(`synack serving on ${tun.description}: ${described.length > 0 ? described.join(', ') : 'no services (every SYN gets RST)'}`);

    await stopped;
    log('synack serve: stopping');
    await Promise.all(services.map((s) => s.close(GRACE_MS)));
    return 0;
  } finally {
    tun?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Everything is closed; should some handle still hold the event loop, do not hang.
    setTimeout(() => process.exit(), 3000).unref();
  }
}

function formatEvent(ev: ServiceEvent): string {
  if (ev.type === 'open') return `${ev.service} ${ev.remote} open`;
  return `${ev.service} ${ev.remote} closed: ${ev.bytesIn} bytes in, ${ev.bytesOut} bytes out${ev.error ? ` (${ev.error})` : ''}`;
}
