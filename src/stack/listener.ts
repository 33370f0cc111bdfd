import { Emitter } from '../util/emitter.js';
import type { TcpConfig } from '../tcp/config.js';
import type { TcpSocket } from './socket.js';

export interface ListenerEvents {
  /** A connection completed its handshake (O4). Without a handler it waits in the accept queue. */
  connection: (socket: TcpSocket) => void;
  close: () => void;
}

export interface ListenOptions {
  /** Local address to listen on; undefined means every address of the stack. */
  host?: string;
  /** Bound on half-open (SYN_RCVD) plus not-yet-accepted connections, like listen(2)'s backlog. Default 128. */
  backlog?: number;
  /** TCP options for accepted connections. */
  tcp?: Partial<TcpConfig>;
}

/** A socket in LISTEN (RFC 9293 §3.10.1 passive OPEN). */
export class Listener extends Emitter<ListenerEvents> {
  /**
   * Half-open children (SYN_RCVD) counted against the backlog. The stack keeps the count; which connections
   * they are, their own records say (no set per listener to add to and delete from on every connection).
   */
  synQueued = 0;
  /** Established children waiting for accept(). */
  readonly acceptQueue: TcpSocket[] = [];
  closed = false;
  /** When the SYN queue last overflowed (a cookie was sent); bare ACKs are cookie candidates only for a while after. */
  lastSynOverflow: number | undefined;

  constructor(
    readonly id: number,
    readonly port: number,
    readonly host: string | undefined,
    readonly backlog: number,
    readonly tcp: Partial<TcpConfig>,
    private readonly onClose: (l: Listener) => void,
  ) {
    super();
  }

  /** Take the oldest established connection, if any. */
  accept(): TcpSocket | undefined {
    return this.acceptQueue.shift();
  }

  /** Stop listening. Connections not yet accepted are reset, as Linux does. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.emit('close');
  }

  /** @internal */
  deliver(socket: TcpSocket): void {
    if (this.listenerCount('connection') > 0) this.emit('connection', socket);
    else this.acceptQueue.push(socket);
  }
}
