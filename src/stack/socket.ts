import type { Connection, ConnectionInfo } from '../tcp/connection.js';
import type { TimeWait } from '../tcp/time-wait.js';
import type { TimeWaitHandle } from './time-wait-handle.js';
import type { TcpErrorCode } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';
import { Emitter } from '../util/emitter.js';

/** An error a connection reports, with a POSIX/Node style `code`. */
export class TcpError extends Error {
  constructor(
    readonly code: TcpErrorCode | 'EADDRINUSE' | 'EADDRNOTAVAIL' | 'ENETUNREACH',
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'TcpError';
  }
}

export interface SocketEvents {
  /** The handshake completed (active open) — for accepted sockets it has already happened. */
  connect: () => void;
  /** Received data is waiting: call `read()`. */
  readable: () => void;
  /** The peer sent FIN and all its data has been queued: no more will come. */
  end: () => void;
  /** Send-buffer space is free again after `write` took less than offered. */
  writable: () => void;
  error: (err: TcpError) => void;
  /** The connection is gone (CLOSED). Always the last event. */
  close: () => void;
  state: (from: TcpState, to: TcpState) => void;
}

/**
 * The one owner of a socket (net/'s Socket) takes its events through these
 * methods, called before the event's listeners: one object per socket instead
 * of a closure and a listener list per event, on every connection.
 */
export interface SocketSink {
  onTcpConnect(): void;
  onTcpReadable(): void;
  onTcpEnd(): void;
  onTcpWritable(): void;
  onTcpError(err: TcpError): void;
  onTcpClose(): void;
}

/** What the stack does around every call into a connection: set the time, then flush events and rearm timers. */
export interface ConnectionDriver {
  now(): number;
  after(): void;
}

/** What a socket handle drives: the full TCB, or the compact TIME_WAIT record or table row that replaces it. */
export type SocketTcb = Connection | TimeWait | TimeWaitHandle;

/**
 * The stack's handle on one connection: a thin, non-stream API over the
 * sans-IO Connection. `net/` builds Node's `net.Socket` on top of it.
 * The stack makes them: its per-connection record is a TcpSocket itself
 * (one object per connection is the socket, the connection's sink and its
 * timer), so the addresses and the driver of the calls are the record's.
 */
export abstract class TcpSocket extends Emitter<SocketEvents> {
  /** The TCB this handle drives: the full one, then perhaps its TIME_WAIT record or table row. */
  protected conn: SocketTcb;
  private sink: SocketSink | undefined = undefined;

  protected constructor(
    readonly id: number,
    conn: SocketTcb,
  ) {
    super();
    this.conn = conn;
  }

  abstract get localAddress(): string;
  abstract get localPort(): number;
  abstract get remoteAddress(): string;
  abstract get remotePort(): number;

  /** What sets the time for a call into the TCB and flushes its events after (the stack, or a TIME_WAIT row's handle). */
  protected abstract get driver(): ConnectionDriver;

  get state(): TcpState {
    return this.conn.state;
  }

  /** Queue bytes for sending; returns how many were taken (fewer when the send buffer is full). */
  write(data: Uint8Array): number {
    const d = this.driver;
    const n = this.conn.send(data, d.now());
    d.after();
    return n;
  }

  /**
   * Take up to `max` received bytes, or null when none are waiting. `contiguous`: maybe fewer, up to the end of
   * the receive buffer's page the first byte sits in (no copy; the next read goes on from there).
   */
  read(max?: number, contiguous = false): Uint8Array | null {
    const d = this.driver;
    const data = this.conn.read(d.now(), max, contiguous);
    d.after();
    return data;
  }

  /** Half-close: FIN after the queued data; reading goes on. */
  shutdown(): void {
    this.conn.shutdown(this.driver.now());
    this.driver.after();
  }

  /** Full close (RST instead of FIN when received data is unread, as Linux). */
  close(): void {
    this.conn.close(this.driver.now());
    this.driver.after();
  }

  /** Reset the connection (RST) and forget it: the application's SO_LINGER-0 close. */
  abort(): void {
    this.conn.abort(this.driver.now(), true);
    this.driver.after();
  }

  /** TCP_NODELAY: true turns Nagle's algorithm off (D6). */
  setNoDelay(on: boolean): void {
    this.conn.setNoDelay(on, this.driver.now());
    this.driver.after();
  }

  /** SO_KEEPALIVE with an optional idle time (ms) before the first probe; undefined keeps the current one (D9). */
  setKeepAlive(on: boolean, idleMs?: number): void {
    this.conn.setKeepAlive(on, idleMs, this.driver.now());
    this.driver.after();
  }

  /**
   * SO_RCVBUF: fix the receive buffer at `bytes` and turn its autotuning off (Linux SOCK_RCVBUF_LOCK).
   * The window scale was chosen on the SYN: to size it too, give `recvBufferSize` in the connect or listen options.
   * A no-op once the connection is in its TIME_WAIT record.
   */
  setRecvBufferSize(bytes: number): void {
    if ('setRecvBufferSize' in this.conn) this.conn.setRecvBufferSize(bytes);
  }

  /** SO_SNDBUF: fix the send buffer at `bytes` and stop its growth with cwnd (Linux SOCK_SNDBUF_LOCK). */
  setSendBufferSize(bytes: number): void {
    if (!('setSendBufferSize' in this.conn)) return;
    this.conn.setSendBufferSize(bytes, this.driver.now());
    this.driver.after();
  }

  /** The receive buffer now, bytes (SO_RCVBUF, or as autotuning grew it); 0 in TIME_WAIT. */
  get recvBufferSize(): number {
    return 'recvBufferSize' in this.conn ? this.conn.recvBufferSize : 0;
  }

  /** The send buffer now, bytes (SO_SNDBUF, or as it grew with cwnd); 0 in TIME_WAIT. */
  get sendBufferSize(): number {
    return 'sendBufferSize' in this.conn ? this.conn.sendBufferSize : 0;
  }

  get writableBytes(): number {
    return this.conn.writableBytes;
  }

  get readableBytes(): number {
    return this.conn.readableBytes;
  }

  /** True once the peer's FIN has arrived. */
  get eof(): boolean {
    return this.conn.eof;
  }

  info(): ConnectionInfo {
    return this.conn.info();
  }

  /**
   * As Emitter.off; once no 'state' or 'close' listener is left on a socket whose connection is now a row of
   * the TIME_WAIT table, the stack forgets the socket (it kept it only to tell those listeners the row's end).
   */
  override off<K extends keyof SocketEvents>(name: K, fn: SocketEvents[K]): this {
    super.off(name, fn);
    if ((name === 'state' || name === 'close') && !this.watched && 'unheld' in this.conn) this.conn.unheld();
    return this;
  }

  /**
   * Give the socket its owner (undefined: the owner lets go). As with `off`, an owner letting go of a socket
   * whose connection is a TIME_WAIT row, with no 'state' or 'close' listener left, lets the stack forget it.
   */
  setSink(sink: SocketSink | undefined): void {
    this.sink = sink;
    if (sink === undefined && !this.watched && 'unheld' in this.conn) this.conn.unheld();
  }

  /** @internal someone is told of the end of this connection (an owner, or a 'state' or 'close' listener). */
  get watched(): boolean {
    return this.sink !== undefined || this.listenerCount('state') + this.listenerCount('close') > 0;
  }

  /** @internal the stack swaps in the compact TIME_WAIT record (or a row of its table, which drives its own calls), so the full TCB can be freed. */
  retarget(tcb: SocketTcb): void {
    this.conn = tcb;
  }

  /** @internal the stack delivers connection events through this (fixed parameters, not a rest array: one call per packet). */
  dispatch<K extends keyof SocketEvents>(name: K, ...args: Parameters<SocketEvents[K]>): void;
  dispatch(name: keyof SocketEvents, a?: unknown, b?: unknown): void {
    const sink = this.sink;
    if (sink !== undefined && name !== 'state') {
      // As a listener: a throw does not stop the listeners after it, and is rethrown asynchronously (Emitter).
      try {
        if (name === 'readable') sink.onTcpReadable();
        else if (name === 'writable') sink.onTcpWritable();
        else if (name === 'end') sink.onTcpEnd();
        else if (name === 'connect') sink.onTcpConnect();
        else if (name === 'close') sink.onTcpClose();
        else if (name === 'error') sink.onTcpError(a as TcpError);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    // Events with arguments only when someone listens: emit's argument array was made for every state change.
    if (name === 'state') {
      if (this.listenerCount('state') > 0) this.emit(name, a as TcpState, b as TcpState);
    } else if (name === 'error') {
      if (this.listenerCount('error') > 0) this.emit(name, a as TcpError);
    } else this.emitBare(name);
  }
}
