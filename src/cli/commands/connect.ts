/**
 * `synack connect HOST:PORT`: like `nc`, through a synack stack on a TUN
 * device. stdin goes to the connection and the connection to stdout. At
 * stdin's end we half-close (FIN, RFC 9293 §3.6) and keep reading; the
 * command ends when the peer has closed too (exit 0). A peer that closes
 * first can still be sent the rest of stdin. Connection errors
 * (ECONNREFUSED, ETIMEDOUT, ECONNRESET…) end it with a message and exit 1.
 */
import type { Socket } from '../../net/index.js';
import type { Command } from '../main.js';
import { describeNetError } from '../client-errors.js';
import { hostPort, withUsage } from '../args.js';
import { LINK_HELP, UsageError, WATCH_HELP, WATCH_OPTIONS, parseCommandLine, parseLinkFlags, parseWatchFlags, type LinkFlags, type WatchFlags } from '../link-flags.js';
import { openTunStack, settle, type TunStack } from '../tun-stack.js';

const HELP = `usage: synack connect --tun IFNAME --ip ADDR/PREFIX [--host-ip ADDR] [link options] [--trace] [--admin HOST:PORT] HOST:PORT

Opens a TCP connection from a synack stack on a TUN device to HOST:PORT (an
IP address) and copies stdin to it and it to stdout, like nc. End of stdin
sends FIN; the command exits 0 once the peer has closed as well, 1 on a
connection error (refused, timed out, reset), 2 on a bad command line.
With --trace the trace lines go to stderr (stdout carries the data).

${WATCH_HELP}

${LINK_HELP}`;

export const command: Command = {
  summary: 'like nc: stdin/stdout over a TCP connection from synack on a TUN device (root)',
  async run(argv) {
    const parsed = withUsage('connect', HELP, () => {
      const { values, positionals } = parseCommandLine(argv, WATCH_OPTIONS);
      if (values.help) return 'help';
      const flags = parseLinkFlags(values);
      const watch = parseWatchFlags(values);
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'HOST:PORT: missing (where to connect)' : `${JSON.stringify(positionals[1])}: unexpected argument (give exactly one HOST:PORT)`);
      return { flags, watch, target: hostPort('HOST:PORT', positionals[0]!) };
    });
    return parsed.ok ? connect(parsed.value.flags, parsed.value.watch, parsed.value.target) : parsed.code;
  },
};

async function connect(flags: LinkFlags, watch: WatchFlags, target: { host: string; port: number }): Promise<number> {
  const where = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  let tun: TunStack;
  try {
    tun = await openTunStack(flags, { ...watch, print: (line) => void process.stderr.write(line + '\n') });
  } catch (e) {
    process.stderr.write(`synack connect: ${(e as Error).message}\n`);
    return 1;
  }
  let socket: Socket | undefined;
  const onSignal = (): void => {
    interrupted = true;
    socket?.destroy();
  };
  let interrupted = false;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const s = tun.stack.net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    socket = s;
    let failure: NodeJS.ErrnoException | undefined;
    s.on('error', (e: NodeJS.ErrnoException) => (failure = e));
    s.once('connect', () => process.stdin.pipe(s)); // stdin's end → s.end() → FIN
    s.pipe(process.stdout, { end: false });
    process.stdout.once('error', (e) => s.destroy(e)); // e.g. EPIPE from \`| head\`
    await new Promise<void>((resolve) => s.once('close', () => resolve()));
    if (interrupted) return 130;
    if (failure) {
      process.stderr.write(`synack connect: ${describeNetError(failure, where)}\n`);
      return 1;
    }
    await settle(tun.stack, 2000); // let our last ACK or FIN go out before the device goes away
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdin.unpipe();
    process.stdin.destroy();
    tun.close();
  }
}
