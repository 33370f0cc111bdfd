/**
 * `Server`: node:net's Server over a synack Listener. listen() is synchronous
 * underneath but, as in Node, 'listening' and listen errors (EADDRINUSE) are
 * emitted on the next tick; close() stops accepting at once and emits 'close'
 * only when every accepted socket has been destroyed.
 */
import { EventEmitter } from 'node:events';
import { isIP, type AddressInfo } from 'node:net';
import type { Listener } from '../stack/listener.js';
import type { Stack } from '../stack/stack.js';
import type { TcpSocket } from '../stack/socket.js';
import { normalizeListenArgs } from './args.js';
import { ERR_SERVER_ALREADY_LISTEN, ERR_SERVER_NOT_RUNNING, systemError, type NetError } from './errors.js';
import { stackLookup } from './lookup.js';
import { HandleRef } from './handle-ref.js';
import { Socket, type SocketOptions } from './socket.js';

export interface ServerOptions {
  /** The stack to listen on. `stack.net.createServer` fills it in. */
  stack?: Stack;
  /** Accepted sockets stay half-open when the peer ends (default false). */
  allowHalfOpen?: boolean;
  /** Accepted sockets do not read until resume(): data waits in the TCB (and its window closes). */
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
}

export class Server extends EventEmitter {
  readonly allowHalfOpen: boolean;
  readonly pauseOnConnect: boolean;
  readonly noDelay: boolean;
  readonly keepAlive: boolean;
  readonly keepAliveInitialDelay: number;
  readonly highWaterMark: number | undefined;
  /** As Node: further connections are closed once this many are open. */
  maxConnections: number | undefined;

  private readonly stack: Stack | undefined;
  private listener: Listener | undefined;
  private connections = 0;
  /** Keeps the process alive while listening, unless unref()'d. */
  private handle: HandleRef;

  constructor(connectionListener?: (socket: Socket) => void);
  constructor(options?: ServerOptions, connectionListener?: (socket: Socket) => void);
  constructor(a?: ServerOptions | ((socket: Socket) => void), b?: (socket: Socket) => void) {
    super();
    const options = typeof a === 'function' ? {} : { ...a };
    const listener = typeof a === 'function' ? a : b;
    if (listener) this.on('connection', listener);
    this.stack = options.stack;
    this.handle = new HandleRef(this.stack?.clock);
    this.allowHalfOpen = Boolean(options.allowHalfOpen);
    this.pauseOnConnect = Boolean(options.pauseOnConnect);
    this.noDelay = Boolean(options.noDelay);
    this.keepAlive = Boolean(options.keepAlive);
    this.keepAliveInitialDelay = Math.max(0, options.keepAliveInitialDelay ?? 0);
    this.highWaterMark = options.highWaterMark;
  }

  get listening(): boolean {
    return this.listener !== undefined;
  }

  listen(port?: number, hostname?: string, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, hostname?: string, listeningListener?: () => void): this;
  listen(port?: number, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, listeningListener?: () => void): this;
  listen(options: { port?: number; host?: string; backlog?: number }, listeningListener?: () => void): this;
  listen(...args: unknown[]): this {
    const { port, host, backlog, cb } = normalizeListenArgs(args);
    if (this.listener || this.resolving) throw ERR_SERVER_ALREADY_LISTEN();
    const stack = this.stack;
    if (!stack) throw new TypeError('synack: this Server has no stack; create it with stack.net.createServer()');
    if (cb) this.once('listening', cb);
    if (host !== undefined && isIP(host) === 0) {
      // Node's lookupAndListen: a name is resolved first ("localhost" is this stack's own address).
      this.resolving = true;
      const id = ++this.listenId;
      stackLookup(stack)(host, {}, (err, ip) => {
        if (id !== this.listenId) return; // close() came first (Node's _listeningId)
        this.resolving = false;
        if (err) this.emit('error', err);
        else this.listenOn(stack, port, ip as string, backlog);
      });
      return this;
    }
    this.listenOn(stack, port, host, backlog);
    return this;
  }

  private resolving = false;
  private listenId = 0;

  private listenOn(stack: Stack, port: number, host: string | undefined, backlog: number | undefined): void {
    // "0.0.0.0" and "::" mean every address of the stack.
    const anyHost = host === undefined || host === '0.0.0.0' || host === '::';
    const bindHost = anyHost ? undefined : host;
    const shownHost = bindHost ?? this.anyAddress();
    try {
      this.listener = stack.listen(port, listenOpts(bindHost, backlog)); // port 0: the stack picks a free one
    } catch (e) {
      const code = (e as { code?: string }).code;
      const err: NetError | Error = code ? systemError(code, 'listen', shownHost, port) : (e as Error);
      process.nextTick(() => this.emit('error', err));
      return;
    }
    const l = this.listener;
    this.handle.open();
    l.on('connection', (tcp) => this.onConnection(tcp));
    // The stack stopped listening for us (stack.close()): the server is closed, and holds the process no longer.
    l.on('close', () => {
      if (this.listener === l) this.close();
    });
    // Connections that completed before we attached (none today, but the queue exists).
    for (let t = l.accept(); t; t = l.accept()) this.onConnection(t);
    process.nextTick(() => {
      if (this.listener === l) this.emit('listening');
    });
  }

  private onConnection(tcp: TcpSocket): void {
    if (this.maxConnections !== undefined && this.connections >= this.maxConnections) {
      // Node closes the handle at once and emits 'drop'.
      const family = tcp.remoteAddress.includes(':') ? 'IPv6' : 'IPv4';
      this.emit('drop', { localAddress: tcp.localAddress, localPort: tcp.localPort, localFamily: family, remoteAddress: tcp.remoteAddress, remotePort: tcp.remotePort, remoteFamily: family });
      tcp.close();
      return;
    }
    // Built field by field: an object spread per connection costs more than the rest of this call.
    const options: SocketOptions = {
      tcp,
      allowHalfOpen: this.allowHalfOpen,
      pauseOnCreate: this.pauseOnConnect,
      noDelay: this.noDelay,
      keepAlive: this.keepAlive,
      keepAliveInitialDelay: this.keepAliveInitialDelay,
    };
    if (this.stack) options.stack = this.stack;
    if (this.highWaterMark !== undefined) options.highWaterMark = this.highWaterMark;
    const socket = this.newSocket(options);
    this.connections++;
    socket._attachServer(this);
    this.emit('connection', socket);
  }

  /** The class of accepted sockets (`stack.net.Server` makes them `stack.net.Socket`s). */
  protected newSocket(options: SocketOptions): Socket {
    return new Socket(options);
  }

  /**
   * Stop listening (connections not yet accepted are reset, as Linux does).
   * 'close' — and `cb` — follow once every accepted socket is destroyed.
   * Not listening: cb gets ERR_SERVER_NOT_RUNNING.
   */
  close(cb?: (err?: Error) => void): this {
    if (typeof cb === 'function') {
      if (!this.listener) this.once('close', () => cb(ERR_SERVER_NOT_RUNNING()));
      else this.once('close', cb);
    }
    const l = this.listener;
    this.listener = undefined;
    this.listenId++;
    this.resolving = false;
    l?.close();
    this.handle.close();
    this.emitCloseIfDrained();
    return this;
  }

  /** @internal a socket this server accepted was destroyed. */
  _socketClosed(): void {
    this.connections--;
    this.emitCloseIfDrained();
  }

  private emitCloseIfDrained(): void {
    if (this.listener || this.connections > 0) return;
    process.nextTick(() => this.emit('close'));
  }

  address(): AddressInfo | null {
    const l = this.listener;
    if (!l) return null;
    const address = l.host ?? this.anyAddress();
    return { address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: l.port };
  }

  /** Node answers asynchronously. */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(cb, null, this.connections);
    return this;
  }

  /** As Node: a listening server keeps the process alive (it holds the stack's clock) unless unref()'d; remembered across listen(). */
  ref(): this {
    this.handle.ref();
    return this;
  }

  unref(): this {
    this.handle.unref();
    return this;
  }

  /** The unspecified address Node reports for a listener on every address. */
  private anyAddress(): string {
    const addrs = this.stack?.addresses ?? [];
    return addrs.length > 0 && addrs.every((a) => a.includes(':')) ? '::' : '0.0.0.0';
  }
}

function listenOpts(host: string | undefined, backlog: number | undefined): { host?: string; backlog?: number } {
  const o: { host?: string; backlog?: number } = {};
  if (host !== undefined) o.host = host;
  if (backlog !== undefined && backlog > 0) o.backlog = backlog;
  return o;
}
