/**
 * synack's `node:net`: the same API, bound to one Stack.
 *
 *   import { createStack } from 'synack';
 *   const stack = createStack({ clock });
 *   stack.net.createServer((s) => s.pipe(s)).listen(7);
 *   const c = stack.net.connect(7, '10.0.0.2');
 *
 * How `stack.net` is wired, and why this way
 * ──────────────────────────────────────────
 * The layer rule is that stack/ never imports net/ (stack/ has no Node
 * dependency and must run anywhere; only net/ knows node:stream). So the
 * Stack class cannot have a `net` property of its own. Instead net/ gives a
 * Stack *instance* its `net` property:
 *
 *   withNet(stack)   defines a read-only, non-enumerable `stack.net` (once;
 *                    idempotent) and returns the stack typed as NetStack,
 *                    i.e. `Stack & { readonly net: Net }`.
 *   createStack(o)   in src/index.ts is `withNet(new Stack(o))`.
 *
 * We chose an explicit intersection type over a global module augmentation
 * of Stack: with augmentation every Stack would *claim* a `net` property in
 * the type system even where net/ was never loaded (a browser build, a test
 * that imports stack/ only), and the getter would have to be patched onto
 * Stack.prototype as an import side effect. Here the types tell the truth:
 * only a stack that went through withNet()/createStack() has `net`.
 */
import { BlockList, SocketAddress, getDefaultAutoSelectFamily, getDefaultAutoSelectFamilyAttemptTimeout, isIP, isIPv4, isIPv6 } from 'node:net';
import type { Stack } from '../stack/stack.js';
import type { NetConnectOptions } from './args.js';
import { Server, type ServerOptions } from './server.js';
import { Socket, connectOn, type SocketOptions } from './socket.js';

export { Socket, type SocketOptions, type SocketReadyState, type TcpInfo } from './socket.js';
export { stackLookup } from './lookup.js';
export { Server, type ServerOptions } from './server.js';
export type { NetConnectOptions, TcpConnectOptions } from './args.js';
export { type NetError } from './errors.js';

/** node:net's module surface, bound to one stack. */
export interface Net {
  readonly stack: Stack;
  /** `new net.Socket(options)`; connect() goes through this stack. */
  readonly Socket: new (options?: Omit<SocketOptions, 'stack'>) => Socket;
  /** `new net.Server(options, listener)` listening on this stack. */
  readonly Server: new (options?: Omit<ServerOptions, 'stack'> | ((socket: Socket) => void), connectionListener?: (socket: Socket) => void) => Server;
  createServer(connectionListener?: (socket: Socket) => void): Server;
  createServer(options?: Omit<ServerOptions, 'stack'>, connectionListener?: (socket: Socket) => void): Server;
  connect(options: NetConnectOptions, connectionListener?: () => void): Socket;
  connect(port: number, host?: string, connectionListener?: () => void): Socket;
  connect(port: number, connectionListener?: () => void): Socket;
  createConnection(options: NetConnectOptions, connectionListener?: () => void): Socket;
  createConnection(port: number, host?: string, connectionListener?: () => void): Socket;
  createConnection(port: number, connectionListener?: () => void): Socket;
  isIP(input: string): number;
  isIPv4(input: string): boolean;
  isIPv6(input: string): boolean;
  /** node:net's own (pure: no sockets involved). */
  readonly BlockList: typeof BlockList;
  readonly SocketAddress: typeof SocketAddress;
  /** node:net's process-wide defaults, which this stack's connect() reads too. */
  getDefaultAutoSelectFamily(): boolean;
  getDefaultAutoSelectFamilyAttemptTimeout(): number;
}

/** A Stack that has its `net` API. */
export type NetStack = Stack & { readonly net: Net };

/** Build the node:net API for `stack` (without attaching it). */
export function createNet(stack: Stack): Net {
  const BoundSocket = boundSocket(stack);
  class BoundServer extends Server {
    constructor(a?: Omit<ServerOptions, 'stack'> | ((socket: Socket) => void), b?: (socket: Socket) => void) {
      if (typeof a === 'function') super({ stack }, a);
      else super({ ...a, stack }, b);
    }

    /** Accepted sockets are instances of this stack's `net.Socket`, as in Node. */
    protected override newSocket(options: SocketOptions): Socket {
      return new BoundSocket(options);
    }
  }
  const connect = (...args: unknown[]): Socket => connectOn(BoundSocket, args, stack);
  return {
    stack,
    Socket: BoundSocket,
    Server: BoundServer,
    createServer: (a?: Omit<ServerOptions, 'stack'> | ((socket: Socket) => void), b?: (socket: Socket) => void) => new BoundServer(a, b),
    connect: connect as Net['connect'],
    createConnection: connect as Net['createConnection'],
    isIP,
    isIPv4,
    isIPv6,
    BlockList,
    SocketAddress,
    getDefaultAutoSelectFamily,
    getDefaultAutoSelectFamilyAttemptTimeout,
  };
}

/**
 * `stack.net.Socket`: a constructor of Sockets bound to `stack`, but not a class of its own. A class per
 * stack gave each stack's sockets their own hidden class, so a process with many stacks (tests, benches)
 * sent Socket's constructor megamorphic: its field initializers were the top entry of the short-connection
 * profile. `new stack.net.Socket()` (and connect, and accept) makes a plain Socket; `instanceof` asks
 * whether the socket is a Socket of this stack; a user's subclass gets its own prototype as usual.
 */
function boundSocket(stack: Stack): Net['Socket'] {
  function BoundSocket(this: unknown, options: Omit<SocketOptions, 'stack'> = {}): Socket {
    const o: SocketOptions = (options as SocketOptions).stack === stack ? options : { ...options, stack }; // accepted sockets come with it
    const target: unknown = new.target;
    // Called without `new` as Node's net.Socket allows, or by `new` on this function: a Socket, with Socket's own hidden class.
    if (target === undefined || target === BoundSocket) return new Socket(o);
    return Reflect.construct(Socket, [o], target as new (...a: unknown[]) => unknown) as Socket;
  }
  BoundSocket.prototype = Socket.prototype;
  Object.defineProperty(BoundSocket, Symbol.hasInstance, {
    value: (x: unknown): boolean => x instanceof Socket && (x as unknown as { stack: Stack | undefined }).stack === stack,
  });
  return BoundSocket as unknown as Net['Socket'];
}

const attached = new WeakMap<Stack, Net>();

/** Give `stack` its `net` property (idempotent) and return it typed as NetStack. */
export function withNet(stack: Stack): NetStack {
  if (!attached.has(stack)) {
    const net = createNet(stack);
    attached.set(stack, net);
    Object.defineProperty(stack, 'net', { value: net, enumerable: false, writable: false, configurable: false });
  }
  return stack as NetStack;
}

/** Options for net.connect on some stack (re-exported for users of connect's options form). */
export type ConnectOptions = NetConnectOptions;
