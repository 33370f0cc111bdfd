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
import { LINK_HELP, UsageError, parseCommandLine, parseLinkFlags, type LinkFlags } from '../link-flags.js';
import { openTunStack, settle } from '../tun-stack.js';

const HELP = `usage: synack fetch --tun IFNAME --ip ADDR/PREFIX [--host-ip ADDR] [link options] URL [-o FILE]

GETs an http:// URL (host: an IP address; synack has no resolver) through a
synack stack on a TUN device, with node:http. Writes the body to stdout, or
to FILE with -o. Exits 0 on a 2xx status, 1 on any other status (printed on
stderr) or a network error, 2 on a bad command line.

  -o, --output FILE     write the body to FILE instead of stdout
  --timeout SECONDS     give up if the whole exchange takes longer (default: no limit)

${LINK_HELP}`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  timeout: { type: 'string' },
} as const;

interface FetchConfig {
  flags: LinkFlags;
  url: URL;
  output?: string;
  timeoutMs?: number;
}

export const command: Command = {
  summary: 'HTTP GET with node:http through synack on a TUN device (root)',
  async run(argv) {
    let config: FetchConfig;
    try {
      const { values, positionals } = parseCommandLine(argv, OPTIONS);
      if (values.help) {
        process.stdout.write(HELP + '\n');
        return 0;
      }
      const flags = parseLinkFlags(values);
      if (positionals.length !== 1) throw new UsageError('give exactly one URL');
      let url: URL;
      try {
        url = new URL(positionals[0]!);
      } catch {
        throw new UsageError(`not a URL: "${positionals[0]}"`);
      }
      if (url.protocol !== 'http:') throw new UsageError(`only http:// URLs are supported, got ${url.protocol}`);
      if (isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0) throw new UsageError(`the URL's host must be an IP address (synack has no resolver), got "${url.hostname}"`);
      config = { flags, url };
      if (values.output !== undefined) config.output = values.output;
      if (values.timeout !== undefined) {
        const s = Number(values.timeout);
        if (!(s > 0 && s <= 86_400)) throw new UsageError(`--timeout: expected seconds in (0, 86400], got "${values.timeout}"`);
        config.timeoutMs = s * 1000;
      }
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`synack fetch: ${e.message}\n\n${HELP}\n`);
      return 2;
    }
    return fetchUrl(config);
  },
};

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
    tun = await openTunStack(config.flags);
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
