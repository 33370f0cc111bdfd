/**
 * `synack fetch URL [-o FILE]`: an HTTP/1.1 GET with node:http, unchanged,
 * over a connection from a synack stack on a TUN device. The body goes to
 * stdout or FILE. A non-2xx status exits 1 with the status line on stderr
 * (and writes no body, like `curl -f`); network errors exit 1 too.
 */
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { isIP } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from '../main.js';
import { describeNetError } from '../client-errors.js';
import { duration, withUsage } from '../args.js';
import { LINK_HELP, UsageError, WATCH_HELP, WATCH_OPTIONS, parseCommandLine, parseLinkFlags, parseWatchFlags, type LinkFlags, type WatchFlags } from '../link-flags.js';
import { openTunStack, settle } from '../tun-stack.js';

const HELP = `usage: synack fetch --tun IFNAME --ip ADDR/PREFIX [--host-ip ADDR] [link options] [--trace] [--admin HOST:PORT] URL [-o FILE]

GETs an http:// URL (host: an IP address; synack has no resolver) through a
synack stack on a TUN device, with node:http. Writes the body to stdout, or
to FILE with -o. Exits 0 on a 2xx status, 1 on any other status (printed on
stderr) or a network error, 2 on a bad command line.

  -o, --output FILE     write the body to FILE instead of stdout
  --timeout SECONDS     give up if the whole exchange takes longer (default: no limit)
With --trace the trace lines go to stderr (stdout carries the body).

${WATCH_HELP}

${LINK_HELP}`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  timeout: { type: 'string' },
  ...WATCH_OPTIONS,
} as const;

interface FetchConfig {
  flags: LinkFlags;
  watch: WatchFlags;
  url: URL;
  output?: string;
  timeoutMs?: number;
}

export const command: Command = {
  summary: 'HTTP GET with node:http through synack on a TUN device (root)',
  async run(argv) {
    const parsed = withUsage('fetch', HELP, () => parse(argv));
    return parsed.ok ? fetchUrl(parsed.value) : parsed.code;
  },
};

function parse(argv: string[]): FetchConfig | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (values.help) return 'help';
  const flags = parseLinkFlags(values);
  const watch = parseWatchFlags(values);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'URL: missing (what to fetch)' : `${JSON.stringify(positionals[1])}: unexpected argument (give exactly one URL)`);
  const raw = positionals[0]!;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${raw}: not a URL (e.g. http://10.9.0.1:8080/)`);
  }
  if (url.protocol !== 'http:') throw new UsageError(`${raw}: only http:// URLs are supported, not ${url.protocol}`);
  if (isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0) throw new UsageError(`${raw}: the host must be an IP address (synack has no resolver), not "${url.hostname}"`);
  const config: FetchConfig = { flags, watch, url };
  if (values.output !== undefined) {
    if (values.output === '') throw new UsageError('--output "": needs a file name');
    config.output = values.output;
  }
  if (values.timeout !== undefined) config.timeoutMs = duration('--timeout', values.timeout, { unit: 's', minMs: 0, maxMs: 86_400_000, minExclusive: true });
  return config;
}

async function fetchUrl(config: FetchConfig): Promise<number> {
  const { url } = config;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 80 : Number(url.port);
  const fail = (message: string): number => {
    process.stderr.write(`synack fetch: ${message}\n`);
    return 1;
  };
  let tun;
  try {
    tun = await openTunStack(config.flags, { ...config.watch, print: (line) => void process.stderr.write(line + '\n') });
  } catch (e) {
    return fail((e as Error).message);
  }
  const stack = tun.stack;
  let timer: NodeJS.Timeout | undefined;
  let req: http.ClientRequest | undefined;
  const onSignal = (): void => void req?.destroy(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // No agent: node:http sends "Connection: close", so the server closes first and we leave no TIME_WAIT behind.
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req = http.request(url, { method: 'GET', headers: { 'user-agent': 'synack-fetch' }, createConnection: () => stack.net.connect({ host, port }) }, resolve);
      req.on('error', reject);
      if (config.timeoutMs !== undefined) timer = setTimeout(() => req!.destroy(Object.assign(new Error(`no complete reply within ${config.timeoutMs! / 1000} s`), { code: 'ETIMEDOUT' })), config.timeoutMs);
      req.end();
    });
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      res.resume();
      await new Promise((resolve) => res.once('close', resolve));
      return fail(`${url.href}: HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd());
    }
    await pipeline(res, config.output !== undefined ? createWriteStream(config.output) : stdoutKeepingOpen());
    await settle(stack, 2000); // the closing handshake, before the device goes away
    return 0;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ETIMEDOUT' && /no complete reply/.test(err.message)) return fail(`${url.href}: ${err.message}`);
    return fail(err.code !== undefined ? describeNetError(err, `${host}:${port}`) : `${url.href}: ${err.message}`);
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    tun.close();
  }
}

/** process.stdout as a pipeline destination that is not ended (it cannot be closed). */
function stdoutKeepingOpen(): Writable {
  const w: Writable = new Writable({
    write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void) {
      if (process.stdout.write(chunk)) cb();
      else process.stdout.once('drain', () => cb());
    },
  });
  process.stdout.once('error', (e) => w.destroy(e)); // e.g. EPIPE from `| head`: the pipeline fails, the request is dropped
  return w;
}
