/**
 * The HTTP/1.1 test service of `synack serve --http PORT`: node:http,
 * unchanged, fed with synack sockets.
 *
 *   GET  /bytes/N[?seed=S]  N pseudo-random bytes (pseudo-random.ts), with
 *                           X-Content-SHA256 (hex) computed before the first
 *                           byte is sent; streamed chunk by chunk with
 *                           backpressure, so N may be far larger than memory
 *                           would like. Bad or too large N → 400.
 *   POST /sha256            replies with the hex SHA-256 of the request body
 *                           (and X-Request-Bytes: its length).
 *   GET  /                  a short index.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import type { Net } from '../net/index.js';
import { pseudoRandomChunks, pseudoRandomSha256 } from './pseudo-random.js';
import { startService, type Service, type ServiceOptions } from './service.js';

/** Largest N /bytes/N serves by default (1 GiB). */
export const MAX_BYTES = 1 << 30;

export interface HttpServiceOptions extends ServiceOptions {
  /** Largest N for /bytes/N (default MAX_BYTES). */
  maxBytes?: number;
}

export interface HttpService extends Service {
  readonly http: http.Server;
}

const INDEX = `synack HTTP test service
  GET  /bytes/N[?seed=S]   N pseudo-random bytes; X-Content-SHA256 has their hash
  POST /sha256             the hex SHA-256 of the request body
`;

/** Hashes of recent (N, seed) bodies: a benchmark asks for the same size again and again. */
const HASH_CACHE_SIZE = 16;

export function createHttpHandler(maxBytes = MAX_BYTES): http.RequestListener {
  const hashes = new Map<string, Promise<string>>();
  const hashOf = (n: number, seed: number): Promise<string> => {
    const key = `${n}/${seed}`;
    let h = hashes.get(key);
    if (h === undefined) {
      h = pseudoRandomSha256(n, seed);
      hashes.set(key, h);
      if (hashes.size > HASH_CACHE_SIZE) hashes.delete(hashes.keys().next().value!);
    }
    return h;
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://synack');
    const bytes = /^\/bytes\/([^/]*)$/.exec(url.pathname);
    if (bytes) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'use GET\n', { allow: 'GET, HEAD' });
      const n = parseCount(bytes[1]!, maxBytes);
      const seed = parseCount(url.searchParams.get('seed') ?? '0', 0xffffffff);
      if (n === undefined) return reply(res, 400, `N must be an integer from 0 to ${maxBytes}\n`);
      if (seed === undefined) return reply(res, 400, 'seed must be an integer from 0 to 4294967295\n');
      req.resume();
      hashOf(n, seed).then(
        (hex) => {
          if (res.destroyed) return;
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n, 'x-content-sha256': hex });
          if (req.method === 'HEAD') res.end();
          else pipeline(Readable.from(pseudoRandomChunks(n, seed)), res, () => {}); // a client that goes away ends the stream
        },
        (err: Error) => reply(res, 500, `${err.message}\n`),
      );
      return;
    }
    if (url.pathname === '/sha256') {
      if (req.method !== 'POST' && req.method !== 'PUT') return reply(res, 405, 'use POST\n', { allow: 'POST, PUT' });
      const hash = createHash('sha256');
      let length = 0;
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      req.on('end', () => reply(res, 200, `${hash.digest('hex')}\n`, { 'x-request-bytes': String(length) }));
      return;
    }
    if (url.pathname === '/') {
      req.resume();
      return reply(res, 200, INDEX);
    }
    req.resume();
    reply(res, 404, 'not found; GET / lists what there is\n');
  };
}

/** An http.Server on `port` of the stack behind `net`. */
export async function startHttp(net: Net, port = 80, opts: HttpServiceOptions = {}): Promise<HttpService> {
  const server = http.createServer(createHttpHandler(opts.maxBytes));
  // allowHalfOpen and noDelay: what http.Server asks of its own net.Server.
  const service = await startService(net, 'http', port, { allowHalfOpen: true, noDelay: true }, (socket) => server.emit('connection', socket), opts);
  return {
    ...service,
    http: server,
    close: (graceMs?: number) => {
      server.close();
      return service.close(graceMs);
    },
  };
}

/** A decimal integer in 0..max, or undefined. */
function parseCount(text: string, max: number): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

function reply(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers }).end(body);
}
