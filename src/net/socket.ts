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
import { Duplex, type DuplexOptions } from 'node:stream';
import dns, { type LookupAddress } from 'node:dns';
import { getDefaultAutoSelectFamily, getDefaultAutoSelectFamilyAttemptTimeout, isIP, type AddressInfo } from 'node:net';
import type { Stack } from '../stack/stack.js';
import type { SocketSink, TcpError, TcpSocket } from '../stack/socket.js';
import type { ConnectionInfo } from '../tcp/info.js';
import type { TcpState } from '../tcp/state.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { RealClock } from '../util/real-clock.js';
import { normalizeArgs, validateConnectOptions, type NetConnectOptions, type ValidConnectOptions } from './args.js';
import {
  EPIPE_ENDED,
  ERR_INVALID_ADDRESS_FAMILY,
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_IP_ADDRESS,
  ERR_SOCKET_CLOSED,
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION,
  ERR_SOCKET_CONNECTION_TIMEOUT,
  nodeError,
  systemError,
  unsupported,
  type NetError,
} from './errors.js';
import { HandleRef } from './handle-ref.js';
import { IdleTimer } from './idle-timer.js';
import { dnsFamily, stackLookup, type LookupOptions } from './lookup.js';
import type { Server } from './server.js';
import { WriteBatch } from './write-batch.js';
import { defer, type Deferred } from './next-tick-batch.js';

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

let fallbackClock: Clock | undefined;

/** Happy Eyeballs state of one connect() to a name with several addresses (Node's internalConnectMultiple). */
interface MultiConnect {
  addresses: LookupAddress[];
  current: number;
  port: number;
  localPort: number | undefined;
  timeout: number;
  timer: TimerHandle | undefined;
  errors: NetError[];
}

export class Socket extends Duplex implements SocketSink, Deferred {
  /** True from connect() until 'connect' (or failure). */
  connecting = false;
  /** The Server that accepted this socket (null for client sockets). node:http overwrites it with itself. */
  server: Server | null = null;
  /** The idle timeout last given to setTimeout() (Node sets this property too; http's Agent reads it). */
  timeout?: number;
  /** As Node: set when a name resolved to several addresses and each was tried ("address:port"). */
  autoSelectFamilyAttemptedAddresses: string[] = [];

  private readonly stack: Stack | undefined;
  /** The Server that counts this socket (Node's `_server`; `server` is for users and http). */
  private owner: Server | undefined;
  private tcp: TcpSocket | undefined;
  /** Node's `_handle !== null`: from connect() (or accept) until destroy. */
  private hasHandle = false;
  /** Keeps the process alive while the handle is open, unless unref()'d; made when the handle opens (connect or accept). */
  private handle: HandleRef | undefined;
  private reading = false;
  private pulling = false;
  /** A pull() is queued on the next tick (queuePull). */
  private pullQueued = false;
  /** A flushWrite() is queued on the next tick (onTcpWritable). */
  private flushQueued = false;
  private eofPushed = false;
  private pendingWrite: WriteBatch | undefined;
  private pendingFinal: ((err?: Error | null) => void) | undefined;
  private bytesDispatched = 0;
  private bytesReceived = 0;
  private resetOnDestroy = false;
  private connectTarget: { address: string; port: number; family: number } | undefined;
  private multi: MultiConnect | undefined;
  /** setTimeout()'s idle timer, made by the first setTimeout() (most sockets never have one). */
  private idle: IdleTimer | undefined;
  private noDelay: boolean;
  private keepAlive: boolean;
  private keepAliveDelayMs: number;

  constructor(options: SocketOptions = {}) {
    if (options.fd !== undefined) throw unsupported('opening a socket from an fd');
    // Node passes its own allowHalfOpen to Duplex, which then ends the writable side by itself once the
    // readable side has ended. Node emits 'close' itself (with hadError), after the handle is closed.
    // (Built field by field: an object spread per socket is a measurable part of a short connection.)
    const duplex: DuplexOptions = { allowHalfOpen: Boolean(options.allowHalfOpen), emitClose: false, autoDestroy: true };
    if (options.highWaterMark !== undefined) duplex.highWaterMark = options.highWaterMark;
    if (options.readableHighWaterMark !== undefined) duplex.readableHighWaterMark = options.readableHighWaterMark;
    if (options.writableHighWaterMark !== undefined) duplex.writableHighWaterMark = options.writableHighWaterMark;
    super(duplex);
    this.stack = options.stack;
    this.noDelay = Boolean(options.noDelay);
    this.keepAlive = Boolean(options.keepAlive);
    this.keepAliveDelayMs = Math.max(0, options.keepAliveInitialDelay ?? 0);
    // Node: once the peer has ended and we may not stay half-open, further writes fail with EPIPE.
    this.on('end', Socket.onEndWriteAfterFin);
    if (options.tcp) {
      this.openHandle();
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
    const { options: raw, cb } = normalizeArgs(args);
    if (cb) this.once('connect', cb);
    const options = validateConnectOptions(raw);
    const stack = this.stack;
    if (!stack) throw new TypeError('synack: this Socket has no stack; create it with stack.net.Socket or stack.net.connect()');
    // Node: writeAfterFIN from a previous life goes, and a destroyed socket is re-initialised.
    if (Object.prototype.hasOwnProperty.call(this, 'write')) delete (this as { write?: unknown }).write;
    if (this.destroyed) this.reinitialize();
    if (options.noDelay !== undefined) this.noDelay = options.noDelay;
    if (options.keepAlive !== undefined) this.keepAlive = options.keepAlive;
    if (options.keepAliveInitialDelay !== undefined) this.keepAliveDelayMs = options.keepAliveInitialDelay;
    this.connectTcp = options.tcp;
    if (!this.hasHandle) this.openHandle();
    this.touch();
    this.connecting = true;
    this.lookupAndConnect(stack, options);
    return this;
  }

  /** Back to a fresh socket after destroy(), as Node's connect() does (a new handle; counters start at 0). */
  private reinitialize(): void {
    (this as unknown as { _undestroy(): void })._undestroy();
    this.tcp = undefined;
    this.reading = false;
    this.pulling = false;
    this.eofPushed = false;
    this.pendingWrite = undefined;
    this.pendingFinal = undefined;
    this.bytesDispatched = 0;
    this.bytesReceived = 0;
    this.resetOnDestroy = false;
    this.connectTarget = undefined;
    this.multi = undefined;
  }

  private openHandle(): void {
    this.hasHandle = true;
    this.handle = new HandleRef(this.stack?.clock); // a new handle is referenced
    this.handle.open();
  }

  /** Node's lookupAndConnect: IP literals connect on the next tick; names go through `lookup`. */
  private lookupAndConnect(stack: Stack, options: ValidConnectOptions): void {
    const host = connectHost(options);
    const { port, localAddress, localPort } = options;
    const literal = isIP(host);
    if (literal) {
      process.nextTick(Socket.connectLiteralNT, this, stack, options, literal);
      return;
    }
    const lookup = options.lookup ?? stackLookup(stack);
    const dnsopts: LookupOptions = { family: dnsFamily(options.family) as LookupOptions['family'], hints: options.hints || 0 };
    if (dnsopts.family !== 4 && dnsopts.family !== 6 && dnsopts.hints === 0) dnsopts.hints = dns.ADDRCONFIG;
    const autoSelect = options.autoSelectFamily ?? getDefaultAutoSelectFamily();
    if (dnsopts.family !== 4 && dnsopts.family !== 6 && !localAddress && autoSelect) {
      dnsopts.all = true;
      const timeout = Math.max(10, options.autoSelectFamilyAttemptTimeout ?? getDefaultAutoSelectFamilyAttemptTimeout());
      lookup(host, dnsopts, (err, addresses) => this.afterLookupAll(stack, host, options, err, addresses, timeout));
      return;
    }
    lookup(host, dnsopts, (err, ip, addressType) => {
      this.emit('lookup', err, ip, addressType, host);
      if (!this.connecting) return;
      if (err) process.nextTick(() => this.destroy(err));
      else if (typeof ip !== 'string' || !isIP(ip)) process.nextTick(() => this.destroy(ERR_INVALID_IP_ADDRESS(ip)));
      else if (addressType !== 4 && addressType !== 6) process.nextTick(() => this.destroy(ERR_INVALID_ADDRESS_FAMILY(addressType, options.host, options.port)));
      else {
        this.touch();
        this.internalConnect(stack, ip, port, addressType, localAddress, localPort);
      }
    });
  }

  /** Node's lookupAndConnectMultiple: every address, families alternating, first family first. */
  private afterLookupAll(stack: Stack, host: string, options: ValidConnectOptions, err: NodeJS.ErrnoException | null, addresses: string | LookupAddress[], timeout: number): void {
    if (!this.connecting) return;
    if (err) {
      this.emit('lookup', err, undefined, undefined, host);
      process.nextTick(() => this.destroy(err));
      return;
    }
    const list = Array.isArray(addresses) ? addresses : [];
    const groups: LookupAddress[][] = [[], []];
    let first: number | undefined;
    for (const a of list) {
      this.emit('lookup', err, a.address, a.family, host);
      if (!this.connecting) return;
      if (isIP(a.address) && (a.family === 4 || a.family === 6)) {
        first ??= a.family;
        const g = groups[a.family === first ? 0 : 1]!;
        if (!g.some((x) => x.address === a.address)) g.push(a);
      }
    }
    if (groups[0]!.length === 0) {
      const a = list[0];
      if (a && !isIP(a.address)) process.nextTick(() => this.destroy(ERR_INVALID_IP_ADDRESS(a.address)));
      else if (a) process.nextTick(() => this.destroy(ERR_INVALID_ADDRESS_FAMILY(a.family, options.host, options.port)));
      return;
    }
    const toAttempt: LookupAddress[] = [];
    for (let i = 0; i < Math.max(groups[0]!.length, groups[1]!.length); i++) {
      if (groups[0]![i]) toAttempt.push(groups[0]![i]!);
      if (groups[1]![i]) toAttempt.push(groups[1]![i]!);
    }
    this.touch();
    if (toAttempt.length === 1) {
      this.internalConnect(stack, toAttempt[0]!.address, options.port, toAttempt[0]!.family, undefined, options.localPort);
      return;
    }
    this.autoSelectFamilyAttemptedAddresses = [];
    this.multi = { addresses: toAttempt, current: 0, port: options.port, localPort: options.localPort, timeout, timer: undefined, errors: [] };
    this.connectNext(stack);
  }

  /** The next address of a multi-address connect; when none is left, fail with every attempt's error. */
  private connectNext(stack: Stack): void {
    const m = this.multi!;
    if (m.timer) stack.clock.cancel(m.timer);
    m.timer = undefined;
    if (m.current === m.addresses.length) {
      this.multi = undefined;
      if (m.errors.length === 0) this.destroy(ERR_SOCKET_CONNECTION_TIMEOUT());
      else this.destroy(Object.assign(new AggregateError(m.errors, ''), { code: m.errors[0]!.code }));
      return;
    }
    const current = m.current++;
    const { address, family } = m.addresses[current]!;
    this.autoSelectFamilyAttemptedAddresses!.push(`${address}:${m.port}`);
    this.internalConnect(stack, address, m.port, family, undefined, m.localPort);
    if (this.multi === m && this.connecting && m.current < m.addresses.length) {
      m.timer = stack.clock.schedule(stack.clock.now() + m.timeout, () => {
        m.timer = undefined;
        if (this.multi !== m || !this.connecting) return;
        this.emit('connectionAttemptTimeout', address, m.port, family);
        m.errors.push(systemError('ETIMEDOUT', 'connect', address, m.port));
        const t = this.tcp;
        this.tcp = undefined;
        if (t) this.releaseTcp(t);
        t?.close(); // the attempt goes quietly (a SYN_SENT socket closes without a segment)
        this.connectNext(stack);
      });
    }
  }

  /** One connection attempt (Node's internalConnect): bind errors and synchronous failures destroy the socket. */
  private internalConnect(stack: Stack, address: string, port: number, family: number, localAddress: string | undefined, localPort: number | undefined): void {
    if (this.tcp !== undefined) {
      // connect() again on a connected socket: the kernel says EISCONN (Node 20 leaves such a socket connecting for ever).
      process.nextTick(() => this.destroy(systemError('EISCONN', 'connect', address, port)));
      return;
    }
    this.emit('connectionAttempt', address, port, family);
    this.connectTarget = { address, port, family };
    if (port === 0) {
      // Linux refuses a connect to port 0; Node reports it as the kernel does.
      this.attemptFailed(stack, systemError('ECONNREFUSED', 'connect', address, port));
      return;
    }
    let tcp: TcpSocket;
    try {
      const o: Parameters<Stack['connect']>[0] = { remoteAddress: address, remotePort: port };
      if (localAddress !== undefined) o.localAddress = localAddress;
      if (localPort) o.localPort = localPort;
      if (this.connectTcp !== undefined || this.bufferSizes !== undefined) o.tcp = { ...this.connectTcp, ...this.bufferSizes };
      tcp = stack.connect(o);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (!code) throw e;
      const bind = code === 'EADDRNOTAVAIL' && localAddress !== undefined;
      this.attemptFailed(stack, bind ? systemError(code, 'bind', localAddress, localPort) : systemError(code, 'connect', address, port));
      return;
    }
    this.adopt(tcp);
  }

  /** synack extension: TCP tunables of the next connection (the connect option `tcp`). */
  private connectTcp: ValidConnectOptions['tcp'];
  /** SO_RCVBUF/SO_SNDBUF set before there was a TCB (setRecvBufferSize/setSendBufferSize), for the next connect. */
  private bufferSizes: { recvBufferSize?: number; sendBufferSize?: number } | undefined;

  private attemptFailed(stack: Stack, err: NetError): void {
    const m = this.multi;
    const t = this.connectTarget;
    if (t) this.emit('connectionAttemptFailed', t.address, t.port, t.family, err);
    if (m) {
      m.errors.push(err);
      if (this.connecting) this.connectNext(stack);
      return;
    }
    // Asynchronous, as the kernel's answer would be.
    process.nextTick(() => {
      if (!this.destroyed) this.destroy(err);
    });
  }

  private adopt(tcp: TcpSocket): void {
    this.tcp = tcp;
    tcp.setSink(this);
  }

  /** Stop hearing from `tcp` (this socket is destroyed: nothing it says matters to us any more). */
  private releaseTcp(tcp: TcpSocket): void {
    tcp.setSink(undefined);
  }

  // SocketSink: the TCB's events (only those of the TCB this socket holds now; setSink(undefined) ends them).
  /** @internal */ onTcpConnect(): void {
    this.afterConnect();
  }
  /** @internal */ onTcpReadable(): void {
    this.queuePull();
  }
  /** @internal */ onTcpEnd(): void {
    this.queuePull();
  }

  /**
   * The TCB said bytes (or its FIN) are waiting: read them on the next tick, not now. A batch of
   * packets delivered in one turn (the clock runs every due delivery at once) then costs one read per
   * 64 KiB instead of one per segment, as a process woken by the kernel reads what a softirq queued
   * meanwhile. 'data' chunks coalesce as the kernel's reads do; order, 'end' after the last byte and
   * backpressure are pull()'s as before. An error or close from the TCB pulls at once (onTcpError,
   * onTcpClose), so bytes that came before a RST still reach the stream before the error.
   */
  private queuePull(): void {
    if (this.pullQueued) return;
    this.pullQueued = true;
    if (!this.flushQueued) defer(this);
  }

  /** @internal next-tick-batch.ts runs what queuePull and onTcpWritable deferred. */
  runDeferred(): void {
    if (this.pullQueued) {
      this.pullQueued = false;
      this.pull();
    }
    if (this.flushQueued) {
      this.flushQueued = false;
      this.flushWrite();
    }
  }
  /** @internal */ onTcpWritable(): void {
    if (this.flushQueued || this.pendingWrite === undefined) return;
    // As reads: refill the send buffer once per batch of ACKs (next tick), not once per ACK.
    this.flushQueued = true;
    if (!this.pullQueued) defer(this);
  }

  private applyOptions(): void {
    const tcp = this.tcp!;
    if (this.noDelay) tcp.setNoDelay(true);
    if (this.keepAlive) tcp.setKeepAlive(true, keepAliveIdle(this.keepAliveDelayMs));
  }

  private afterConnect(): void {
    if (this.destroyed || !this.connecting) return;
    const m = this.multi;
    if (m?.timer) this.stack?.clock.cancel(m.timer);
    this.multi = undefined;
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

  /** @internal */ onTcpError(e: TcpError): void {
    if (this.destroyed) return;
    // Bytes that arrived before the error go to the stream first (their pull may still be queued).
    if (this.pullQueued && !this.connecting) this.pull();
    if (this.destroyed) return;
    const t = this.connectTarget;
    if (this.connecting && t) {
      const err = systemError(e.code, 'connect', t.address, t.port);
      if (this.multi && this.stack) {
        if (this.tcp) this.releaseTcp(this.tcp);
        this.tcp = undefined;
        this.attemptFailed(this.stack, err);
        return;
      }
      this.emit('connectionAttemptFailed', t.address, t.port, t.family, err);
      this.destroy(err);
      return;
    }
    this.destroy(e.code === 'EPIPE' ? systemError('EPIPE', 'write') : systemError(e.code, 'read'));
  }

  /**
   * The TCB is gone without an error for us. After a normal close (both FINs)
   * the stream finishes by itself, and bytes still in the TCB stay readable.
   * Otherwise (the stack was closed, the connection aborted) nothing more can
   * happen on this socket: destroy it so its timers and listeners go too.
   */
  /** @internal */ onTcpClose(): void {
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
      // Only when bytes are waiting: a read of nothing would still be a call into the stack (time, flush, timers).
      while (this.reading && !this.destroyed && tcp.readableBytes > 0) {
        // Chunk sizes of 'data' are free (as Node's): a read stops at a receive page's end rather than copy across it.
        const d = tcp.read(READ_CHUNK, true);
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
    this.pendingWrite = new WriteBatch([chunk], cb);
    this.flushWrite();
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, cb: (err?: Error | null) => void): void {
    const list = new Array<Uint8Array>(chunks.length);
    for (let i = 0; i < chunks.length; i++) list[i] = chunks[i]!.chunk;
    this.pendingWrite = new WriteBatch(list, cb);
    this.flushWrite();
  }

  /** Hand the pending write to the TCB; its callback runs once the TCB has taken all of it. */
  private flushWrite(): void {
    const p = this.pendingWrite;
    const tcp = this.tcp;
    if (!p || !tcp || this.connecting || this.destroyed) return; // before 'connect', writes wait (as Node's _pendingData)
    const n = p.drain(tcp);
    this.bytesDispatched += n;
    if (n > 0) this.touch(); // a write making progress is activity (Node's kLastWriteQueueSize check)
    if (!p.done) {
      if (tcp.writableBytes === 0 && !canSend(tcp.state)) this.destroy(systemError('EPIPE', 'write'));
      return; // the TCB's 'writable' event resumes us
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
    const neverConnected = this.connecting;
    this.connecting = false;
    this.hasHandle = false;
    this.handle?.close();
    this.idle?.cancel();
    const m = this.multi;
    this.multi = undefined;
    if (m?.timer) this.stack?.clock.cancel(m.timer);
    const tcp = this.tcp;
    if (tcp && tcp.state !== 'CLOSED') {
      // destroy() is close(2): FIN, or RST when received data is unread (Linux, RFC 2525).
      // resetAndDestroy() is an abort: RST at once.
      if (this.resetOnDestroy) tcp.abort();
      else tcp.close();
    }
    if (tcp) this.releaseTcp(tcp);
    // A write the TCB had not fully taken: Node completes such a write request with no error once
    // the stream is destroyed (stream_base_commons onWriteComplete); the stream reports the rest.
    // A write queued while connecting fails at 'close' (Node's _writeGeneric onClose).
    const p = this.pendingWrite;
    this.pendingWrite = undefined;
    if (p && !neverConnected) process.nextTick(p.cb);
    const owner = this.owner;
    this.owner = undefined;
    owner?._socketClosed();
    cb(err);
    // After the 'error' that destroy(err) queued, like Node's close after uv_close.
    const hadError = err !== null && err !== undefined;
    process.nextTick(Socket.emitCloseNT, this, hadError, p && neverConnected ? p : undefined);
  }

  /** connect() to an IP literal, on the next tick (a static function and arguments: no closure per connect). */
  private static connectLiteralNT(s: Socket, stack: Stack, options: ValidConnectOptions, family: number): void {
    if (s.connecting) s.internalConnect(stack, connectHost(options), options.port, family, options.localAddress, options.localPort);
  }

  /** 'close' after destroy, on the next tick; a write queued while connecting fails first. */
  private static emitCloseNT(s: Socket, hadError: boolean, failedWrite: WriteBatch | undefined): void {
    failedWrite?.cb(ERR_SOCKET_CLOSED_BEFORE_CONNECTION());
    s.emit('close', hadError);
  }

  /** One listener shared by every socket (`this` is the socket): no closure per socket. */
  private static onEndWriteAfterFin(this: Socket): void {
    if (!this.allowHalfOpen) this.write = this.writeAfterFin;
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
    if (this.hasHandle) {
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
    this.timeout = ms;
    // Node's getTimerDuration, then validateFunction for the callback.
    if (typeof ms !== 'number') throw ERR_INVALID_ARG_TYPE('msecs', 'number', ms);
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw nodeError('ERR_OUT_OF_RANGE', `The value of "msecs" is out of range. It must be a non-negative finite number. Received ${String(ms)}`, RangeError);
    }
    if (callback !== undefined && typeof callback !== 'function') {
      this.idleTimer().set(ms === 0 ? 0 : ms);
      throw ERR_INVALID_ARG_TYPE('callback', 'function', callback);
    }
    if (ms > 0 || this.idle) this.idleTimer().set(ms);
    if (ms === 0) {
      if (callback) this.removeListener('timeout', callback);
    } else if (callback) {
      this.once('timeout', callback);
    }
    return this;
  }

  /** Activity: push the idle deadline out (Node's _unrefTimer / timer.refresh()). */
  private touch(): void {
    if (this.idle && !this.destroyed) this.idle.touch();
  }

  private idleTimer(): IdleTimer {
    return (this.idle ??= new IdleTimer(
      () => this.clock,
      () => {
        if (!this.destroyed) this.emit('timeout');
      },
    ));
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

  /**
   * SO_RCVBUF (synack extension, named as Node's dgram.Socket): fix the receive buffer at `size` bytes
   * and turn its autotuning off, as setsockopt does on Linux. Before connect() it also sizes the
   * window scale the SYN offers; afterwards that scale stays.
   */
  setRecvBufferSize(size: number): void {
    const bytes = bufferSize(size);
    if (this.tcp) this.tcp.setRecvBufferSize(bytes);
    else this.bufferSizes = { ...this.bufferSizes, recvBufferSize: bytes };
  }

  /** SO_SNDBUF (synack extension): fix the send buffer at `size` bytes and stop its growth with cwnd. */
  setSendBufferSize(size: number): void {
    const bytes = bufferSize(size);
    if (this.tcp) this.tcp.setSendBufferSize(bytes);
    else this.bufferSizes = { ...this.bufferSizes, sendBufferSize: bytes };
  }

  /** The receive buffer, bytes: as set, or as autotuning has grown it (undefined before connect() unless set). */
  getRecvBufferSize(): number | undefined {
    return this.tcp ? this.tcp.recvBufferSize : this.bufferSizes?.recvBufferSize;
  }

  /** The send buffer, bytes: as set, or as it has grown with cwnd (undefined before connect() unless set). */
  getSendBufferSize(): number | undefined {
    return this.tcp ? this.tcp.sendBufferSize : this.bufferSizes?.sendBufferSize;
  }

  /**
   * As Node: an open socket keeps the process alive (it holds the stack's
   * clock) unless unref()'d. Without a handle yet (before connect()), the call
   * applies at 'connect'. Its idle timeout never keeps the process alive.
   */
  ref(): this {
    if (!this.hasHandle) {
      this.once('connect', this.ref);
      return this;
    }
    this.handle!.ref();
    return this;
  }

  unref(): this {
    if (!this.hasHandle) {
      this.once('connect', this.unref);
      return this;
    }
    this.handle!.unref();
    return this;
  }

  /**
   * What `ss -ti` shows for this connection (Linux's struct tcp_info, read
   * from the TCB): state, rtt (smoothed, ms), rttvar, rto, cwnd and ssthresh
   * (bytes and segments), retransmits, send and receive windows, queues,
   * counters. Undefined before connect().
   */
  tcpInfo(): TcpInfo | undefined {
    const t = this.tcp;
    if (!t) return undefined;
    const i = t.info();
    return { ...i, rtt: i.srtt };
  }

  address(): AddressInfo | {} {
    const t = this.tcp;
    if (!t) return {};
    return { address: t.localAddress, family: family(t.localAddress), port: t.localPort };
  }

  // ─────────────────────────── properties ───────────────────────────

  /** Node: no handle (before connect(), or closed), or still connecting. */
  get pending(): boolean {
    return !this.hasHandle || this.connecting;
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

/** socket.tcpInfo(): the TCB's ConnectionInfo, plus `rtt` (the smoothed RTT, as tcp_info's tcpi_rtt). */
export type TcpInfo = ConnectionInfo & { rtt: number | undefined };

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

/** The host a connect goes to: Node's default is localhost. */
function connectHost(options: ValidConnectOptions): string {
  return options.host || 'localhost';
}

/** connect(...) on a new Socket bound to `stack`: the body of net.connect / net.createConnection. */
export function connectOn(SocketClass: new (options: SocketOptions) => Socket, args: readonly unknown[], stack?: Stack): Socket {
  const { options, cb } = normalizeArgs(args);
  const o = options as unknown as NetConnectOptions;
  // As net.connect: the options go to the Socket constructor too, and `timeout` is set before connecting.
  // Built field by field: four spreads per connect cost four objects.
  const so: SocketOptions = {};
  if (stack !== undefined) so.stack = stack;
  if (o.allowHalfOpen !== undefined) so.allowHalfOpen = o.allowHalfOpen;
  if (o.noDelay !== undefined) so.noDelay = o.noDelay;
  if (o.keepAlive !== undefined) so.keepAlive = o.keepAlive;
  if (o.keepAliveInitialDelay !== undefined) so.keepAliveInitialDelay = o.keepAliveInitialDelay;
  const socket = new SocketClass(so);
  if (o.timeout) socket.setTimeout(o.timeout);
  return cb ? socket.connect(o, cb as () => void) : socket.connect(o);
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
  lookup: (err: Error | null, address: string | undefined, family: number | undefined, host: string) => void;
  connectionAttempt: (ip: string, port: number, family: number) => void;
  connectionAttemptFailed: (ip: string, port: number, family: number, error: Error) => void;
  connectionAttemptTimeout: (ip: string, port: number, family: number) => void;
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

/** A socket buffer size: a positive integer number of bytes (Node's dgram throws ERR_SOCKET_BAD_BUFFER_SIZE likewise). */
function bufferSize(size: unknown): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
    throw Object.assign(new TypeError(`Buffer size must be a positive integer, got ${String(size)}`), { code: 'ERR_SOCKET_BAD_BUFFER_SIZE' });
  }
  return size;
}
