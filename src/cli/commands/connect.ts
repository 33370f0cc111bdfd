/**
 * `synack connect HOST:PORT`: like `nc`, through a synack stack on a TUN
 * device. stdin goes to the connection and the connection to stdout. At
 * stdin's end we half-close (FIN, RFC 9293 §3.6) and keep reading; the
 * command ends when the peer has closed too (exit 0). A peer that closes
 * first can still be sent the rest of stdin. Connection errors
 * (ECONNREFUSED, ETIMEDOUT, ECONNRESET…) end it with a message and exit 1.
 */
import { parseHostPort } from '../../apps/admin.js';
import type { Socket } from '../../net/index.js';
import type { Command } from '../main.js';
import { describeNetError } from '../client-errors.js';
import { LINK_HELP, UsageError, parseCommandLine, parseLinkFlags, type LinkFlags } from '../link-flags.js';
import { openTunStack, settle, type TunStack } from '../tun-stack.js';

const HELP = `usage: synack connect --tun IFNAME --ip ADDR/PREFIX [--host-ip ADDR] [link options] HOST:PORT

Opens a TCP connection from a synack stack on a TUN device to HOST:PORT (an
IP address) and copies stdin to it and it to stdout, like nc. End of stdin
sends FIN; the command exits 0 once the peer has closed as well, 1 on a
connection error (refused, timed out, reset), 2 on a bad command line.

${LINK_HELP}`;

export const command: Command = {
  summary: 'like nc: stdin/stdout over a TCP connection from synack on a TUN device (root)',
  async run(argv) {
    let flags: LinkFlags;
    let target: { host: string; port: number };
    try {
      const { values, positionals } = parseCommandLine(argv, {});
      if (values.help) {
        process.stdout.write(HELP + '\n');
        return 0;
      }
      flags = parseLinkFlags(values);
      if (positionals.length !== 1) throw new UsageError('give exactly one HOST:PORT');
      const t = parseHostPort(positionals[0]!);
      if (!t) throw new UsageError(`expected HOST:PORT, got "${positionals[0]}"`);
      target = t;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`synack connect: ${e.message}\n\n${HELP}\n`);
      return 2;
    }
    return connect(flags, target);
  },
};

async function connect(flags: LinkFlags, target: { host: string; port: number }): Promise<number> {
  const where = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  let tun: TunStack;
  try {
    tun = await openTunStack(flags);
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
