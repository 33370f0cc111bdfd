/**
 * Argument normalization for connect() and listen(), following node:net's
 * normalizeArgs: (options[, cb]) | (port[, host][, cb]) | (path[, cb]).
 */
import type { TcpConfig } from '../tcp/config.js';
import { ERR_SOCKET_BAD_PORT, nodeError, unsupported } from './errors.js';

export interface TcpConnectOptions {
  port: number;
  /** An IP literal (synack has no resolver). Default "localhost", which fails with ENOTFOUND as an unresolvable name would. */
  host?: string;
  localAddress?: string;
  localPort?: number;
  family?: number;
  /** Idle timeout in ms: the same as calling setTimeout() right away. */
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** synack extension: TCP tunables for this one connection (e.g. `{ synRetries: 2 }`). */
  tcp?: Partial<TcpConfig>;
}

export interface NetConnectOptions extends TcpConnectOptions {
  allowHalfOpen?: boolean;
}

export type ConnectArgs =
  | [options: NetConnectOptions, connectListener?: () => void]
  | [port: number | string, host?: string, connectListener?: () => void]
  | [port: number | string, connectListener?: () => void];

/** Parse a port the way Node's validatePort does (numbers and numeric strings in 0..65535). */
export function validatePort(port: unknown, name = 'Port', allowZero = true): number {
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) throw ERR_SOCKET_BAD_PORT(name, port);
  return n;
}

/** A string that is not a number is a pipe path in Node. */
function isPipeName(s: unknown): s is string {
  return typeof s === 'string' && (s.trim() === '' || Number.isNaN(Number(s)));
}

export function normalizeConnectArgs(args: readonly unknown[]): { options: NetConnectOptions; cb: (() => void) | undefined } {
  if (args.length === 0) throw nodeError('ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified', TypeError);
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? (last as () => void) : undefined;
  const a0 = args[0];
  let options: NetConnectOptions;
  if (typeof a0 === 'object' && a0 !== null) {
    const o = a0 as NetConnectOptions & { path?: unknown };
    if (o.path !== undefined && o.port === undefined) throw unsupported('connecting to an IPC path');
    if (o.port === undefined || o.port === null) throw nodeError('ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified', TypeError);
    options = { ...o, port: validatePort(o.port) };
  } else if (isPipeName(a0)) {
    throw unsupported('connecting to an IPC path');
  } else {
    options = { port: validatePort(a0) };
    if (typeof args[1] === 'string') options.host = args[1];
  }
  return { options, cb };
}

export interface ListenOptionsNet {
  port?: number | string | null;
  host?: string;
  backlog?: number;
  exclusive?: boolean;
  ipv6Only?: boolean;
  path?: string;
}

export function normalizeListenArgs(args: readonly unknown[]): { port: number; host: string | undefined; backlog: number | undefined; cb: (() => void) | undefined } {
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? (last as () => void) : undefined;
  const a0 = args[0];
  let port: unknown;
  let host: string | undefined;
  let backlog: number | undefined;
  if (typeof a0 === 'object' && a0 !== null) {
    const o = a0 as ListenOptionsNet;
    if (o.path !== undefined) throw unsupported('listening on an IPC path');
    port = o.port ?? 0;
    host = o.host;
    backlog = o.backlog;
  } else if (args.length === 0 || typeof a0 === 'function' || a0 === null || a0 === undefined) {
    port = 0;
  } else if (isPipeName(a0)) {
    throw unsupported('listening on an IPC path');
  } else {
    port = a0;
    if (typeof args[1] === 'string') host = args[1];
  }
  // Node: backlog is (port, backlog) or (port, host, backlog).
  backlog ??= toNumber(args[1]) ?? toNumber(args[2]);
  return { port: validatePort(port, 'options.port'), host, backlog, cb };
}

function toNumber(x: unknown): number | undefined {
  return typeof x === 'number' && x >= 0 ? x : undefined;
}
