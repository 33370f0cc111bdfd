/**
 * Scenarios whose expected event logs are node:net's. Each one runs against
 * an Env: real node:net on 127.0.0.1 (loopback only) or synack's net API on
 * two stacks in virtual time. node-parity.test.ts runs every scenario in both
 * and checks both against the same table, so the expectation is provably
 * Node's and synack provably meets it.
 *
 * Logs only record what is causally ordered (events of one socket, or events
 * separated by a network round trip), never races between two processes'
 * timers, so they are deterministic in both environments.
 */
import type * as nodeNet from 'node:net';

export interface ServerLike {
  listen(port: number, host: string, cb?: () => void): unknown;
  close(cb?: (err?: Error) => void): unknown;
  address(): nodeNet.AddressInfo | string | null;
  getConnections(cb: (err: Error | null, count: number) => void): unknown;
  readonly listening: boolean;
  on(event: 'error', fn: (err: Error) => void): unknown;
  on(event: 'close', fn: () => void): unknown;
}

export interface NetLike {
  createServer(opts: { allowHalfOpen?: boolean; pauseOnConnect?: boolean }, listener: (s: nodeNet.Socket) => void): ServerLike;
  connect(opts: { port: number; host: string; allowHalfOpen?: boolean }, cb?: () => void): nodeNet.Socket;
}

export interface Env {
  name: string;
  /** The net API of the server side and of the client side (the same module for node:net). */
  server: NetLike;
  client: NetLike;
  /** Address the server listens on and the client connects to. */
  host: string;
  /** Run `fn` after `ms` on the environment's clock (real or virtual). */
  later(ms: number, fn: () => void): void;
  until(cond: () => boolean, what: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** A port on `host` with nothing listening. */
  closedPort(): Promise<number>;
}

/** What node:net's system errors carry. */
export type SysError = Error & { code?: string; errno?: number; syscall?: string; address?: string; port?: number };

export type Logs = Record<string, Array<string | number | boolean>>;

export interface Scenario {
  name: string;
  run(env: Env): Promise<Logs>;
  expect: Logs;
}

async function listen(env: Env, server: ServerLike): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, env.host, resolve));
  const a = server.address();
  if (!a || typeof a === 'string') throw new Error('no address');
  return a.port;
}

async function closeServer(env: Env, server: ServerLike): Promise<void> {
  if (!server.listening) return;
  let closed = false;
  server.close(() => (closed = true));
  await env.until(() => closed, 'server close');
}

/** Record the usual events of a socket into `log`. */
/**
 * Log a 'data' chunk as `data:TEXT`, appended to the entry before when that is data too: a stream may hand two
 * writes over as one chunk or as two (the kernel's loopback joined two writes 50 ms apart in a loaded CI run),
 * so the logs compare what arrived between two other events, not where the chunks were cut.
 */
function logData(log: Array<string | number | boolean>, d: Buffer): void {
  const last = log.at(-1);
  if (typeof last === 'string' && last.startsWith('data:')) log[log.length - 1] = last + d.toString();
  else log.push(`data:${d.toString()}`);
}

function record(s: nodeNet.Socket, log: Array<string | number | boolean>, events = ['connect', 'ready', 'end', 'finish']): void {
  for (const e of events) s.on(e, () => log.push(e));
  s.on('data', (d: Buffer) => logData(log, d));
  s.on('error', (e: SysError) => log.push(`error:${e.code}:${e.syscall}`));
  s.on('close', (hadError: boolean) => log.push(`close:${hadError}`));
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'connect → ready → data → end → close ordering; client ends first, server answers after its end',
    async run(env) {
      const client: Logs[string] = [];
      const server: Logs[string] = [];
      let got = '';
      const srv = env.server.createServer({}, (s) => {
        record(s, server);
        s.on('data', (d: Buffer) => (got += d.toString()));
        // allowHalfOpen false: writing inside 'end' is still allowed; the automatic end() follows.
        s.on('end', () => s.write(got.toUpperCase()));
      });
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host }, () => {
        c.write('hello');
        c.end();
      });
      record(c, client);
      await env.until(() => client.includes('close:false') && server.includes('close:false'), 'both closed');
      await closeServer(env, srv);
      return { client, server };
    },
    expect: {
      client: ['connect', 'ready', 'finish', 'data:HELLO', 'end', 'close:false'],
      server: ['data:hello', 'end', 'finish', 'close:false'],
    },
  },
  {
    name: 'half-close, allowHalfOpen true on the server: after the client ends, the server keeps writing and the client still reads',
    async run(env) {
      const client: Logs[string] = [];
      const server: Logs[string] = [];
      const srv = env.server.createServer({ allowHalfOpen: true }, (s) => {
        record(s, server);
        s.on('end', () => {
          server.push(`readyState:${s.readyState}`);
          env.later(30, () => {
            s.write('late-1');
            env.later(30, () => s.end('late-2'));
          });
        });
      });
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host }, () => c.end('request'));
      record(c, client);
      c.on('finish', () => client.push(`readyState:${c.readyState}`));
      await env.until(() => client.includes('close:false') && server.includes('close:false'), 'both closed');
      await closeServer(env, srv);
      return { client, server };
    },
    expect: {
      client: ['connect', 'ready', 'finish', 'readyState:readOnly', 'data:late-1late-2', 'end', 'close:false'],
      server: ['data:request', 'end', 'readyState:writeOnly', 'finish', 'close:false'],
    },
  },
  {
    name: 'allowHalfOpen false (the default): the peer’s end ends this side automatically',
    async run(env) {
      const client: Logs[string] = [];
      const server: Logs[string] = [];
      const srv = env.server.createServer({}, (s) => {
        record(s, server); // the server code never calls end()
      });
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host, allowHalfOpen: true }, () => c.end('bye'));
      record(c, client);
      await env.until(() => client.includes('close:false') && server.includes('close:false'), 'both closed');
      await closeServer(env, srv);
      return { client, server };
    },
    expect: {
      client: ['connect', 'ready', 'finish', 'end', 'close:false'],
      server: ['data:bye', 'end', 'finish', 'close:false'],
    },
  },
  {
    name: 'half-close the other way, allowHalfOpen true on the client: the server ends first, the client keeps writing and the server still reads',
    async run(env) {
      const client: Logs[string] = [];
      const server: Logs[string] = [];
      const srv = env.server.createServer({}, (s) => {
        record(s, server);
        s.end('goodbye');
        server.push(`readyState:${s.readyState}`);
      });
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host, allowHalfOpen: true });
      client.push(`readyState:${c.readyState}`, `pending:${c.pending}`, `connecting:${c.connecting}`);
      c.on('connect', () => client.push(`readyState:${c.readyState}`, `pending:${c.pending}`, `connecting:${c.connecting}`));
      record(c, client, ['end', 'finish']);
      c.on('end', () => {
        client.push(`readyState:${c.readyState}`);
        env.later(30, () => c.end('still-talking'));
      });
      await env.until(() => client.includes('close:false') && server.includes('close:false'), 'both closed');
      client.push(`readyState:${c.readyState}`);
      await closeServer(env, srv);
      return { client, server };
    },
    expect: {
      client: [
        'readyState:opening',
        'pending:true',
        'connecting:true',
        'readyState:open',
        'pending:false',
        'connecting:false',
        'data:goodbye',
        'end',
        'readyState:writeOnly',
        'finish',
        'close:false',
        'readyState:closed',
      ],
      server: ['readyState:readOnly', 'finish', 'data:still-talking', 'end', 'close:false'],
    },
  },
  {
    name: 'ECONNREFUSED: connect to a port nobody listens on',
    async run(env) {
      const client: Logs[string] = [];
      const port = await env.closedPort();
      const c = env.client.connect({ port, host: env.host });
      record(c, client);
      let err: SysError | undefined;
      c.on('error', (e) => (err = e));
      await env.until(() => client.includes('close:true'), 'close');
      const e = err!;
      client.push(`message-ok:${e.message === `connect ECONNREFUSED ${env.host}:${port}`}`, `address-ok:${e.address === env.host}`, `port-ok:${e.port === port}`, `errno:${e.errno}`);
      return { client };
    },
    expect: { client: ['error:ECONNREFUSED:connect', 'close:true', 'message-ok:true', 'address-ok:true', 'port-ok:true', 'errno:-111'] },
  },
  {
    name: 'ECONNRESET: the peer calls resetAndDestroy()',
    async run(env) {
      const client: Logs[string] = [];
      const server: Logs[string] = [];
      const srv = env.server.createServer({}, (s) => {
        record(s, server);
        s.on('data', () => s.resetAndDestroy());
      });
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host }, () => c.write('hi'));
      record(c, client);
      let err: SysError | undefined;
      c.on('error', (e) => (err = e));
      await env.until(() => client.includes('close:true') && server.includes('close:false'), 'both closed');
      client.push(`message:${err?.message}`, `errno:${err?.errno}`);
      await closeServer(env, srv);
      return { client, server };
    },
    expect: {
      client: ['connect', 'ready', 'error:ECONNRESET:read', 'close:true', 'message:read ECONNRESET', 'errno:-104'],
      server: ['data:hi', 'close:false'],
    },
  },
  {
    name: 'destroy() with unread received data resets the connection (pauseOnConnect keeps the data in the kernel/TCB)',
    async run(env) {
      const client: Logs[string] = [];
      const server: Logs[string] = [];
      const srv = env.server.createServer({ pauseOnConnect: true }, (s) => {
        record(s, server);
        env.later(50, () => s.destroy());
      });
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host }, () => c.write('never read'));
      record(c, client);
      await env.until(() => client.includes('close:true') && server.includes('close:false'), 'both closed');
      await closeServer(env, srv);
      return { client, server };
    },
    expect: {
      client: ['connect', 'ready', 'error:ECONNRESET:read', 'close:true'],
      server: ['close:false'],
    },
  },
  {
    name: 'server.close() stops accepting at once but waits for open connections before "close"',
    async run(env) {
      const log: Logs[string] = [];
      const srv = env.server.createServer({}, (s) => {
        log.push('accepted');
        srv.close(() => log.push('server-close'));
        log.push(`listening:${srv.listening}`);
        srv.getConnections((_e, n) => log.push(`connections:${n}`));
        s.on('data', (d: Buffer) => s.write(`echo:${d.toString()}`));
        s.on('close', () => log.push('server-socket-close'));
      });
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host }, () => c.write('ping'));
      c.on('data', (d: Buffer) => {
        log.push(`client-data:${d.toString()}`);
        // A new connection is refused now, while the old one still works.
        const late = env.client.connect({ port, host: env.host });
        late.on('error', (e: SysError) => {
          log.push(`late:${e.code}`);
          env.later(20, () => c.end());
        });
      });
      c.on('close', () => log.push('client-close'));
      await env.until(() => log.includes('server-close') && log.includes('client-close') && log.includes('server-socket-close'), 'all closed');
      return { log: log.filter((e) => e !== 'client-close') };
    },
    expect: { log: ['accepted', 'listening:false', 'connections:1', 'client-data:echo:ping', 'late:ECONNREFUSED', 'server-close', 'server-socket-close'] },
  },
  {
    name: 'setTimeout(): one "timeout" after the idle time, the socket stays open, no re-arm without activity',
    async run(env) {
      const client: Logs[string] = [];
      const srv = env.server.createServer({}, () => {});
      const port = await listen(env, srv);
      let timeouts = 0;
      const c = env.client.connect({ port, host: env.host });
      c.setTimeout(60, () => client.push('timeout-callback'));
      c.on('timeout', () => {
        timeouts++;
        client.push(`timeout:${c.readyState}`);
      });
      c.on('connect', () => client.push('connect'));
      c.on('close', (h: boolean) => client.push(`close:${h}`));
      await env.until(() => timeouts === 1, 'first timeout');
      await env.sleep(200);
      client.push(`timeouts:${timeouts}`, `timeout-prop:${c.timeout}`);
      c.destroy();
      await env.until(() => client.includes('close:false'), 'close');
      await closeServer(env, srv);
      return { client };
    },
    expect: { client: ['connect', 'timeout-callback', 'timeout:open', 'timeouts:1', 'timeout-prop:60', 'close:false'] },
  },
  {
    name: 'EADDRINUSE: listening twice on one address and port',
    async run(env) {
      const log: Logs[string] = [];
      const first = env.server.createServer({}, () => {});
      const port = await listen(env, first);
      const second = env.server.createServer({}, () => {});
      let err: SysError | undefined;
      second.on('error', (e) => (err = e));
      second.listen(port, env.host);
      log.push(`sync-error:${err !== undefined}`);
      await env.until(() => err !== undefined, 'error');
      log.push(`code:${err!.code}`, `syscall:${err!.syscall}`, `address-ok:${err!.address === env.host}`, `port-ok:${err!.port === port}`);
      log.push(`message-ok:${err!.message === `listen EADDRINUSE: address already in use ${env.host}:${port}`}`, `listening:${second.listening}`);
      await closeServer(env, first);
      return { log };
    },
    expect: { log: ['sync-error:false', 'code:EADDRINUSE', 'syscall:listen', 'address-ok:true', 'port-ok:true', 'message-ok:true', 'listening:false'] },
  },
  {
    name: 'write() returns false past the high-water mark and "drain" follows; bytesRead/bytesWritten count every byte',
    async run(env) {
      const log: Logs[string] = [];
      let received = 0;
      const srv = env.server.createServer({}, (s) => {
        s.on('data', (d: Buffer) => (received += d.length));
        s.on('end', () => log.push(`server-bytesRead:${s.bytesRead}`));
      });
      const port = await listen(env, srv);
      const big = Buffer.alloc(1024 * 1024, 7);
      const c = env.client.connect({ port, host: env.host });
      const ok = c.write(big);
      log.push(`write:${ok}`, `bytesWritten-before-connect:${c.bytesWritten}`);
      c.on('drain', () => {
        log.push('drain');
        c.end();
      });
      c.on('close', () => log.push('close'));
      await env.until(() => log.includes('close') && received === big.length, 'all received');
      log.push(`bytesWritten:${c.bytesWritten}`);
      await closeServer(env, srv);
      return { log };
    },
    expect: { log: ['write:false', 'bytesWritten-before-connect:1048576', 'drain', 'server-bytesRead:1048576', 'close', 'bytesWritten:1048576'] },
  },
  {
    name: 'reconnect: connect() again on the same Socket from its "close" handler; bytes counters start over',
    async run(env) {
      const client: Logs[string] = [];
      const srv = env.server.createServer({}, (s) => s.end('hi'));
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host });
      let rounds = 0;
      c.on('connect', () => client.push(`connect:pending=${c.pending}`));
      c.on('data', (d: Buffer) => client.push(`data:${d.toString()}`));
      c.on('end', () => client.push('end'));
      c.on('close', (h: boolean) => {
        client.push(`close:${h}:bytesRead=${c.bytesRead}:pending=${c.pending}`);
        if (++rounds < 3) {
          c.connect(port, env.host);
          client.push(`reconnecting:destroyed=${c.destroyed}:connecting=${c.connecting}`);
        }
      });
      await env.until(() => rounds === 3, 'three rounds');
      await closeServer(env, srv);
      return { client };
    },
    expect: {
      client: [
        'connect:pending=false', 'data:hi', 'end', 'close:false:bytesRead=2:pending=true', 'reconnecting:destroyed=false:connecting=true',
        'connect:pending=false', 'data:hi', 'end', 'close:false:bytesRead=2:pending=true', 'reconnecting:destroyed=false:connecting=true',
        'connect:pending=false', 'data:hi', 'end', 'close:false:bytesRead=2:pending=true',
      ],
    },
  },
  {
    name: 'reconnect after ECONNREFUSED: the error, "close" with hadError, then a successful second life',
    async run(env) {
      const client: Logs[string] = [];
      const closed = await env.closedPort();
      const srv = env.server.createServer({}, (s) => s.end('up'));
      const port = await listen(env, srv);
      const c = env.client.connect({ port: closed, host: env.host });
      c.on('error', (e: SysError) => client.push(`error:${e.code}`));
      c.on('connect', () => client.push('connect'));
      c.on('data', (d: Buffer) => client.push(`data:${d.toString()}`));
      let closes = 0;
      c.on('close', (h: boolean) => {
        client.push(`close:${h}`);
        if (++closes === 1) c.connect(port, env.host);
      });
      await env.until(() => closes === 2, 'second close');
      await closeServer(env, srv);
      return { client };
    },
    expect: { client: ['error:ECONNREFUSED', 'close:true', 'connect', 'data:up', 'close:false'] },
  },
  {
    name: 'resetAndDestroy() in the same tick as connect(): the connection is made, then reset; the server sees ECONNRESET',
    async run(env) {
      const client: Logs[string] = [];
      const server: Logs[string] = [];
      const srv = env.server.createServer({}, (s) => record(s, server, []));
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host });
      c.resetAndDestroy();
      record(c, client, ['connect']);
      await env.until(() => client.includes('close:false') && server.length >= 2, 'both closed');
      await closeServer(env, srv);
      return { client, server };
    },
    expect: { client: ['connect', 'close:false'], server: ['error:ECONNRESET:read', 'close:true'] },
  },
  {
    name: 'a write queued while connecting, then destroy(): the write fails with ERR_SOCKET_CLOSED_BEFORE_CONNECTION at "close"',
    async run(env) {
      const client: Logs[string] = [];
      const srv = env.server.createServer({}, () => {});
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host });
      c.write('early', (e?: Error | null) => client.push(`write-cb:${(e as SysError | null | undefined)?.code}`));
      c.destroy();
      c.on('close', (h: boolean) => client.push(`close:${h}:pending=${c.pending}`));
      client.push(`destroyed:${c.destroyed}`);
      await env.until(() => client.length === 3, 'close and callback');
      await closeServer(env, srv);
      return { client };
    },
    expect: { client: ['destroyed:true', 'write-cb:ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'close:false:pending=true'] },
  },
  {
    name: 'timeouts: an idle timeout fires while the peer is silent, is pushed out by data, and setTimeout(0) turns it off',
    async run(env) {
      const client: Logs[string] = [];
      let serverSocket: nodeNet.Socket | undefined;
      const srv = env.server.createServer({}, (s) => (serverSocket = s));
      const port = await listen(env, srv);
      const c = env.client.connect({ port, host: env.host });
      c.on('data', (d: Buffer) => logData(client, d));
      c.on('timeout', () => {
        client.push('timeout');
        c.setTimeout(0);
        serverSocket!.write('after-timeout');
      });
      await env.until(() => serverSocket !== undefined, 'accepted');
      c.setTimeout(150);
      env.later(50, () => serverSocket!.write('a'));
      env.later(100, () => serverSocket!.write('b'));
      await env.until(() => client.includes('data:after-timeout'), 'data after the timeout');
      await env.sleep(400);
      client.push('quiet');
      c.destroy();
      await closeServer(env, srv);
      return { client };
    },
    expect: { client: ['data:ab', 'timeout', 'data:after-timeout', 'quiet'] },
  },
];
