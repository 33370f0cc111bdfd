/**
 * The admin endpoint of `synack serve --admin HOST:PORT`: a small HTTP server
 * on the host's own network (not through synack) that shows the stack.
 *   GET /connections → JSON array, one object per socket (ss -tan's view)
 *   GET /stats       → JSON counters named as RFC 4022 / nstat
 */
import { createServer, type Server } from 'node:http';
import type { SocketRow, Stack } from '../stack/stack.js';

/** One socket as /connections sends it: a SocketRow without its id, and null (JSON) for no timer. */
export type ConnectionJson = Omit<SocketRow, 'id' | 'timerExpiresIn'> & { timerExpiresIn: number | null };

export function connectionsJson(stack: Stack): ConnectionJson[] {
  return stack.connections().map((r) => ({
    state: r.state,
    local: r.local,
    remote: r.remote,
    sendQueue: r.sendQueue,
    recvQueue: r.recvQueue,
    rto: r.rto,
    cwnd: r.cwnd,
    timer: r.timer,
    timerExpiresIn: r.timerExpiresIn ?? null,
    retransmits: r.retransmits,
  }));
}

/** Start the admin server; resolves once it listens. */
export function startAdmin(stack: Stack, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let body: unknown;
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('only GET\n');
      return;
    }
    if (path === '/connections') body = connectionsJson(stack);
    else if (path === '/stats') body = stack.stats();
    else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('try /connections or /stats\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2) + '\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Parse "HOST:PORT" / "[v6]:PORT" as the CLI flags give it. */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: (m[1] ?? m[2])!, port };
}
