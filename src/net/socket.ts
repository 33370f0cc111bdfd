/**
 * `Socket`: node:net's Socket as a stream.Duplex over one synack connection
 * (a TcpSocket from the stack). The stream side follows lib/net.js; the
 * comments point out where Node's semantics are subtle.
 *
 * Data path
 *   write → _write/_writev → TcpSocket.write (the TCB's send buffer). When the
 *   buffer takes less than offered, the stream's callback is held until the
 *   TCB says 'writable'; meanwhile the stream buffers and write() returns
 *   false, and 'drain' follows once the TCB has taken everything.
 *   TCB 'readable' → pull() → push(). When push() returns false (the reader
 *   is slow or paused) we stop reading, so the bytes stay in the TCB's receive
 *   queue and the advertised window shrinks: flow control end to end. The
 *   stream asks for more with _read(), which reads again and opens the window.
 */
import { Duplex } from 'node:stream';
import { isIP, type AddressInfo } from 'node:net';
import type { Stack } from '../stack/stack.js';
import type { TcpError, TcpSocket } from '../stack/socket.js';
import type { TcpState } from '../tcp/state.js';
import type { Clock } from '../util/clock.js';
import { RealClock } from '../util/real-clock.js';
import { normalizeConnectArgs, type NetConnectOptions } from './args.js';
import { EPIPE_ENDED, ERR_SOCKET_CLOSED, lookupError, systemError, unsupported, type NetError } from './errors.js';
import { IdleTimer } from './idle-timer.js';
import type { Server } from './server.js';

/** How much one read takes from the TCB's receive queue (libuv reads 64 KiB at a time). */
const READ_CHUNK = 64 * 1024;

export interface SocketOptions {
  /** The stack to connect() through. `stack.net.Socket` fills it in. */
  stack?: Stack;
  /** Wrap an existing synack connection (e.g. one accepted from `stack.listen()`). */
  tcp?: TcpSocket;
  /** Default false, as in Node: when the peer ends, this side ends too. */
  allowHalfOpen?: boolean;
  /** Do not start reading until resume() (what Server's pauseOnConnect uses). */
  pauseOnCreate?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  /** Node's fd/handle/IPC options are not supported. */
  fd?: never;
}

export type SocketReadyState = 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed';

interface PendingWrite {
  chunks: Uint8Array[];
  /** Bytes of this write already taken by the TCB (for bytesWritten). */
  taken: number;
  cb: (err?: Error | null) => void;
}

let fallbackClock: Clock | undefined;

export class Socket extends Duplex {
  /** True from connect() until 'connect' (or failure). */
  connecting = false;
  /** The Server that accepted this socket (null for client sockets). node:http overwrites it with itself. */
  server: Server | null = null;
  /** The idle timeout last given to setTimeout() (Node sets this property too; http's Agent reads it). */
  timeout?: number;
  readonly autoSelectFamilyAttemptedAddresses: string[] = [];

  private readonly stack: Stack | undefined;
  /** The Server that counts this socket (Node's `_server`; `server` is for users and http). */
  private owner: Server | undefined;
  private tcp: TcpSocket | undefined;
  private reading = false;
  private pulling = false;
  private eofPushed = false;
  private pendingWrite: PendingWrite | undefined;
  private pendingFinal: ((err?: Error | null) => void) | undefined;
  private bytesDispatched = 0;
  private bytesReceived = 0;
  private resetOnDestroy = false;
  private connectTarget: { address: string; port: number } | undefined;
  private readonly idle = new IdleTimer(() => this.clock, () => {
    if (!this.destroyed) this.emit('timeout');
  });
  private noDelay: boolean;
  private keepAlive: boolean;
  private keepAliveDelayMs: number;

  constructor(options: SocketOptions = {}) {
    if (options.fd !== undefined) throw unsupported('opening a socket from an fd');
    super({
      // Node passes its own allowHalfOpen to Duplex, which then ends the
      // writable side by itself once the readable side has ended.
      allowHalfOpen: Boolean(options.allowHalfOpen),
      // Node emits 'close' itself (with hadError), after the handle is closed.
      emitClose: false,
      autoDestroy: true,
      ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
      ...(options.readableHighWaterMark !== undefined ? { readableHighWaterMark: options.readableHighWaterMark } : {}),
      ...(options.writableHighWaterMark !== undefined ? { writableHighWaterMark: options.writableHighWaterMark } : {}),
    });
    this.stack = options.stack;
    this.noDelay = Boolean(options.noDelay);
    this.keepAlive = Boolean(options.keepAlive);
    this.keepAliveDelayMs = Math.max(0, options.keepAliveInitialDelay ?? 0);
    // Node: once the peer has ended and we may not stay half-open, further writes fail with EPIPE.
    this.on('end', () => {
      if (!this.allowHalfOpen) this.write = this.writeAfterFin;
    });
    if (options.tcp) {
      this.adopt(options.tcp);
      this.applyOptions();
      if (options.pauseOnCreate) (this as { readableFlowing: boolean | null }).readableFlowing = false; // reading starts with resume()
      else this.read(0); // as Node: start the flow of data into the buffer
    }
  }

  // ─────────────────────────── connection ───────────────────────────

  connect(options: NetConnectOptions, connectionListener?: () => void): this;
  connect(port: number, host: string, connectionListener?: () => void): this;
  connect(port: number, connectionListener?: () => void): this;
  connect(path: string, connectionListener?: () => void): this;
  connect(...args: unknown[]): this {
    const { options, cb } = normalizeConnectArgs(args);
    if (this.tcp || this.connecting) throw unsupported('connect() on a socket that is already connected or connecting');
    const stack = this.stack;
    if (!stack) throw new TypeError('synack: this Socket has no stack; create it with stack.net.Socket or stack.net.connect()');
    if (this.destroyed) {
      // Node re-initializes a destroyed socket; we keep it simple and refuse.
      throw ERR_SOCKET_CLOSED();
    }
    if (cb) this.once('connect', cb);
    if (options.timeout) this.setTimeout(options.timeout);
    if (options.noDelay !== undefined) this.noDelay = options.noDelay;
    if (options.keepAlive !== undefined) this.keepAlive = options.keepAlive;
    if (options.keepAliveInitialDelay !== undefined) this.keepAliveDelayMs = options.keepAliveInitialDelay;
    this.connecting = true;
    const host = options.host ?? 'localhost';
    const port = options.port;
    // Node connects on the next tick even for an IP literal (after a skipped lookup), so the
    // caller can still attach listeners or destroy() the socket synchronously.
    process.nextTick(() => {
      if (!this.connecting || this.destroyed) return;
      if (isIP(host) === 0) {
        this.destroy(lookupError(host));
        return;
      }
      this.connectTarget = { address: host, port };
      let tcp: TcpSocket;
      try {
        tcp = stack.connect({
          remoteAddress: host,
          remotePort: port,
          ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
          ...(options.localPort !== undefined ? { localPort: options.localPort } : {}),
          ...(options.tcp !== undefined ? { tcp: options.tcp } : {}),
        });
      } catch (e) {
        const code = (e as { code?: string }).code;
        this.destroy(code ? systemError(code, 'connect', host, port) : (e as Error));
        return;
      }
      this.adopt(tcp);
    });
    return this;
  }

  private adopt(tcp: TcpSocket): void {
    this.tcp = tcp;
    tcp.on('connect', () => this.afterConnect());
    tcp.on('readable', () => this.pull());
    tcp.on('end', () => this.pull());
    tcp.on('writable', () => this.flushWrite());
    tcp.on('error', (e) => this.onTcpError(e));
    tcp.on('close', () => this.onTcpClose());
  }

  private applyOptions(): void {
    const tcp = this.tcp!;
    if (this.noDelay) tcp.setNoDelay(true);
    if (this.keepAlive) tcp.setKeepAlive(true, keepAliveIdle(this.keepAliveDelayMs));
  }

  private afterConnect(): void {
    if (this.destroyed || !this.connecting) return;
    this.connecting = false;
    this.applyOptions();
    this.touch();
    this.emit('connect');
    this.emit('ready');
    if (this.destroyed) return;
    this.flushWrite();
    const final = this.pendingFinal;
    this.pendingFinal = undefined;
    if (final) this._final(final);
    // Node: `if (readable && !isPaused()) read(0)` — start filling the buffer.
    if (this.reading) this.pull();
    else if (!this.isPaused()) this.read(0);
  }

  private onTcpError(e: TcpError): void {
    if (this.destroyed) return;
    const t = this.connectTarget;
    let err: NetError;
    if (this.connecting && t) err = systemError(e.code, 'connect', t.address, t.port);
    else if (e.code === 'EPIPE') err = systemError('EPIPE', 'write');
    else err = systemError(e.code, 'read');
    this.destroy(err);
  }

  /**
   * The TCB is gone without an error for us. After a normal close (both FINs)
   * the stream finishes by itself, and bytes still in the TCB stay readable.
   * Otherwise (the stack was closed, the connection aborted) nothing more can
   * happen on this socket: destroy it so its timers and listeners go too.
   */
  private onTcpClose(): void {
    if (this.destroyed) return;
    this.pull();
    const tcp = this.tcp!;
    if (!this.destroyed && (!tcp.eof || !this.writableEnded)) this.destroy();
  }

  // ─────────────────────────── stream plumbing ───────────────────────────

  override _read(): void {
    this.reading = true;
    this.pull();
  }

  /** Move bytes from the TCB into the stream while the stream wants them. */
  private pull(): void {
    const tcp = this.tcp;
    if (!tcp || this.connecting || this.destroyed || this.eofPushed || this.pulling) return;
    this.pulling = true;
    try {
      while (this.reading && !this.destroyed) {
        const d = tcp.read(READ_CHUNK);
        if (!d) break;
        this.bytesReceived += d.length;
        this.touch();
        if (!this.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength))) this.reading = false;
      }
      // EOF is pushed only once every byte before the FIN has gone to the stream.
      if (!this.destroyed && tcp.eof && tcp.readableBytes === 0 && !this.eofPushed) {
        this.eofPushed = true;
        this.push(null);
        // As Node's onStreamRead: read(0) lets 'end' fire now if nothing is buffered, even with no consumer.
        this.read(0);
      }
    } finally {
      this.pulling = false;
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.pendingWrite = { chunks: [chunk], taken: 0, cb };
    this.flushWrite();
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, cb: (err?: Error | null) => void): void {
    this.pendingWrite = { chunks: chunks.map((c) => c.chunk), taken: 0, cb };
    this.flushWrite();
  }

  /** Hand the pending write to the TCB; its callback runs once the TCB has taken all of it. */
  private flushWrite(): void {
    const p = this.pendingWrite;
    const tcp = this.tcp;
    if (!p || !tcp || this.connecting || this.destroyed) return; // before 'connect', writes wait (as Node's _pendingData)
    while (p.chunks.length > 0) {
      const c = p.chunks[0]!;
      const n = c.length === 0 ? 0 : tcp.write(c);
      this.bytesDispatched += n;
      p.taken += n;
      if (n > 0) this.touch(); // a write making progress is activity (Node's kLastWriteQueueSize check)
      if (n < c.length) {
        p.chunks[0] = c.subarray(n);
        if (n === 0 && tcp.writableBytes === 0 && !canSend(tcp.state)) this.destroy(systemError('EPIPE', 'write'));
        return; // the TCB's 'writable' event resumes us
      }
      p.chunks.shift();
    }
    this.pendingWrite = undefined;
    p.cb();
  }

  /** end(): FIN after the queued data (shutdown(SHUT_WR)); reading goes on. */
  override _final(cb: (err?: Error | null) => void): void {
    if (this.pending) {
      // Node defers _final until 'connect'.
      this.pendingFinal = cb;
      return;
    }
    this.tcp!.shutdown();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.connecting = false;
    this.idle.cancel();
    const tcp = this.tcp;
    if (tcp && tcp.state !== 'CLOSED') {
      // destroy() is close(2): FIN, or RST when received data is unread (Linux, RFC 2525).
      // resetAndDestroy() is an abort: RST at once.
      if (this.resetOnDestroy) tcp.abort();
      else tcp.close();
    }
    // A write the TCB had not fully taken: Node completes such a write request with no error once
    // the stream is destroyed (stream_base_commons onWriteComplete); the stream reports the rest.
    const p = this.pendingWrite;
    this.pendingWrite = undefined;
    if (p) process.nextTick(p.cb);
    const owner = this.owner;
    this.owner = undefined;
    owner?._socketClosed();
    cb(err);
    // After the 'error' that destroy(err) queued, like Node's close after uv_close.
    const hadError = err !== null && err !== undefined;
    process.nextTick(() => this.emit('close', hadError));
  }

  /** Node's writeAfterFIN: installed once the peer ended and allowHalfOpen is false. */
  private writeAfterFin(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (!this.writableEnded) return Duplex.prototype.write.call(this, chunk, encoding as BufferEncoding, cb as () => void);
    const callback = typeof encoding === 'function' ? encoding : cb;
    const er = EPIPE_ENDED();
    if (typeof callback === 'function') process.nextTick(callback as (e: Error) => void, er);
    this.destroy(er);
    return false;
  }

  // ─────────────────────────── Node's socket API ───────────────────────────

  /** @internal the accepting Server counts this socket until it is destroyed. */
  _attachServer(server: Server): void {
    this.owner = server;
    this.server = server;
  }

  /** Node: end() if still writable, then destroy() once 'finish' has been emitted. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Close with RST (SO_LINGER 0). While connecting, it waits for the connection, as Node does. */
  resetAndDestroy(): this {
    if (this.tcp) {
      if (this.connecting) this.once('connect', () => this.resetNow());
      else this.resetNow();
    } else {
      this.destroy(ERR_SOCKET_CLOSED());
    }
    return this;
  }

  private resetNow(): void {
    this.resetOnDestroy = true;
    this.destroy();
  }

  /**
   * Idle timeout on the STACK's clock (so it runs in virtual time): 'timeout'
   * after `ms` without reads or writes. It does not close the socket. 0 turns
   * it off. As in Node, after firing it re-arms only on new activity.
   */
  setTimeout(ms: number, callback?: () => void): this {
    if (this.destroyed) return this;
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw Object.assign(new RangeError(`The value of "msecs" is out of range. It must be a non-negative finite number. Received ${String(ms)}`), { code: 'ERR_OUT_OF_RANGE' });
    }
    this.timeout = ms;
    this.idle.set(ms);
    if (ms === 0) {
      if (callback) this.removeListener('timeout', callback);
    } else if (callback) {
      this.once('timeout', callback);
    }
    return this;
  }

  /** Activity: push the idle deadline out (Node's _unrefTimer / timer.refresh()). */
  private touch(): void {
    if (!this.destroyed) this.idle.touch();
  }

  private get clock(): Clock {
    if (this.stack) return this.stack.clock;
    // A Socket wrapping a bare TcpSocket without its stack: fall back to wall-clock time.
    return (fallbackClock ??= new RealClock());
  }

  /** TCP_NODELAY. Node's default argument is true. Applied at connect time when called earlier. */
  setNoDelay(noDelay = true): this {
    this.noDelay = Boolean(noDelay);
    if (this.tcp && !this.connecting && this.tcp.state !== 'CLOSED') this.tcp.setNoDelay(this.noDelay);
    return this;
  }

  /**
   * SO_KEEPALIVE. As Node, initialDelay is in ms but applied in whole seconds,
   * and 0 leaves the idle time unchanged.
   */
  setKeepAlive(enable = false, initialDelay = 0): this {
    this.keepAlive = Boolean(enable);
    this.keepAliveDelayMs = initialDelay;
    if (this.tcp && !this.connecting && this.tcp.state !== 'CLOSED') this.tcp.setKeepAlive(this.keepAlive, keepAliveIdle(initialDelay));
    return this;
  }

  /** The stack's clock, not a libuv handle, keeps the process alive: ref/unref are no-ops. */
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): AddressInfo | {} {
    const t = this.tcp;
    if (!t) return {};
    return { address: t.localAddress, family: family(t.localAddress), port: t.localPort };
  }

  // ─────────────────────────── properties ───────────────────────────

  /** Node: no handle yet, or still connecting. */
  get pending(): boolean {
    return !this.tcp || this.connecting;
  }

  /** Computed exactly as Node computes it from the stream's readable/writable flags. */
  get readyState(): SocketReadyState {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  /** The TCB's state (one of the 11), which lives on after the stream is closed (TIME_WAIT...). */
  get tcpState(): TcpState {
    return this.tcp?.state ?? 'CLOSED';
  }

  /** synack's connection handle, for observation (info(), state events). */
  get tcpSocket(): TcpSocket | undefined {
    return this.tcp;
  }

  get bytesRead(): number {
    return this.bytesReceived;
  }

  /** Bytes handed to the TCB plus bytes still buffered in the stream, as Node counts them. */
  get bytesWritten(): number {
    if (this.destroyed) return this.bytesDispatched;
    return this.bytesDispatched + this.writableLength - (this.pendingWrite?.taken ?? 0);
  }

  /** Deprecated in Node: the bytes buffered for writing. */
  get bufferSize(): number {
    return this.writableLength;
  }

  // Peer address: as Node, unknown while connecting.
  get remoteAddress(): string | undefined {
    return this.tcp && !this.connecting ? this.tcp.remoteAddress : undefined;
  }

  get remotePort(): number | undefined {
    return this.tcp && !this.connecting ? this.tcp.remotePort : undefined;
  }

  get remoteFamily(): string | undefined {
    return this.tcp && !this.connecting ? family(this.tcp.remoteAddress) : undefined;
  }

  get localAddress(): string | undefined {
    return this.tcp?.localAddress;
  }

  get localPort(): number | undefined {
    return this.tcp?.localPort;
  }

  get localFamily(): string | undefined {
    return this.tcp ? family(this.tcp.localAddress) : undefined;
  }
}

function family(address: string): 'IPv4' | 'IPv6' {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}

/** Node hands the kernel whole seconds; 0 means "leave it as it is". */
function keepAliveIdle(ms: number): number | undefined {
  const s = Math.floor(ms / 1000);
  return s > 0 ? s * 1000 : undefined;
}

function canSend(state: TcpState): boolean {
  return state === 'SYN_SENT' || state === 'SYN_RCVD' || state === 'ESTABLISHED' || state === 'CLOSE_WAIT';
}

/** connect(...) on a new Socket bound to `stack`: the body of net.connect / net.createConnection. */
export function connectOn(stack: Stack, args: readonly unknown[]): Socket {
  const { options, cb } = normalizeConnectArgs(args);
  const socket = new Socket({
    stack,
    ...(options.allowHalfOpen !== undefined ? { allowHalfOpen: options.allowHalfOpen } : {}),
  });
  return cb ? socket.connect(options, cb) : socket.connect(options);
}

type SocketEventMap = {
  close: (hadError: boolean) => void;
  connect: () => void;
  data: (data: Buffer) => void;
  drain: () => void;
  end: () => void;
  error: (err: Error) => void;
  finish: () => void;
  ready: () => void;
  timeout: () => void;
};

/** node:net's typed event overloads (merged into the class). */
export interface Socket {
  addListener<K extends keyof SocketEventMap>(event: K, listener: SocketEventMap[K]): this;
  addListener(event: string | symbol, listener: (...args: any[]) => void): this;
  on<K extends keyof SocketEventMap>(event: K, listener: SocketEventMap[K]): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once<K extends keyof SocketEventMap>(event: K, listener: SocketEventMap[K]): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  prependListener<K extends keyof SocketEventMap>(event: K, listener: SocketEventMap[K]): this;
  prependListener(event: string | symbol, listener: (...args: any[]) => void): this;
  prependOnceListener<K extends keyof SocketEventMap>(event: K, listener: SocketEventMap[K]): this;
  prependOnceListener(event: string | symbol, listener: (...args: any[]) => void): this;
}
