/**
 * Argument normalization and validation for connect() and listen(), in the
 * order node:net does it (lib/net.js normalizeArgs, lookupAndConnect,
 * Server.prototype.listen), with Node's error codes and classes.
 */
import type { TcpConfig } from '../tcp/config.js';
import type { LookupFunction } from './lookup.js';
import { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_IP_ADDRESS, ERR_SOCKET_BAD_PORT, nodeError, unsupported } from './errors.js';
import { isIP } from 'node:net';

export interface TcpConnectOptions {
  port: number;
  /** An IP address or a name, resolved by `lookup` (default "localhost", which is this stack's own address). */
  host?: string | undefined;
  localAddress?: string | undefined;
  localPort?: number | undefined;
  /** 4, 6 (or 'IPv4'/'IPv6') to resolve names to that family only; 0 for both. */
  family?: number | undefined;
  /** getaddrinfo hints for `lookup` (dns.ADDRCONFIG, dns.V4MAPPED, dns.ALL). */
  hints?: number | undefined;
  /** Name resolution: `dns.lookup`'s signature. Default: this stack's addresses for "localhost", `dns.lookup` otherwise. */
  lookup?: LookupFunction | undefined;
  /** Try every address a name resolves to, alternating families, as Node (default `net.getDefaultAutoSelectFamily()`). */
  autoSelectFamily?: boolean | undefined;
  autoSelectFamilyAttemptTimeout?: number | undefined;
  /** Idle timeout in ms: the same as calling setTimeout() right away. */
  timeout?: number | undefined;
  noDelay?: boolean | undefined;
  keepAlive?: boolean | undefined;
  keepAliveInitialDelay?: number | undefined;
  /** synack extension: TCP tunables for this one connection (e.g. `{ synRetries: 2 }`). */
  tcp?: Partial<TcpConfig> | undefined;
}

export interface NetConnectOptions extends TcpConnectOptions {
  allowHalfOpen?: boolean | undefined;
}

/** Validated connect options: port is a number. */
export type ValidConnectOptions = Omit<NetConnectOptions, 'port'> & { port: number };

/** Parse a port the way Node's validatePort does (numbers and numeric strings in 0..65535). */
export function validatePort(port: unknown, name = 'Port', allowZero = true): number {
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) throw ERR_SOCKET_BAD_PORT(name, port);
  return n;
}

/** A string that is not a number is a pipe path in Node. */
function isPipeName(s: unknown): s is string {
  return typeof s === 'string' && Number.isNaN(Number(s));
}

/** Node's normalizeArgs: (options[, cb]) | (path[, cb]) | ([port][, host][, cb]). */
export function normalizeArgs(args: readonly unknown[]): { options: Record<string, unknown>; cb: ((...a: any[]) => void) | undefined } {
  if (args.length === 0) return { options: {}, cb: undefined };
  const a0 = args[0];
  let options: Record<string, unknown> = {};
  if (typeof a0 === 'object' && a0 !== null) options = a0 as Record<string, unknown>;
  else if (isPipeName(a0)) options.path = a0;
  else {
    options.port = a0;
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  const last = args[args.length - 1];
  return { options, cb: typeof last === 'function' ? (last as () => void) : undefined };
}

/** connect()'s synchronous checks, in lookupAndConnect's order. Returns a copy with a numeric port. */
export function validateConnectOptions(options: Record<string, unknown>): ValidConnectOptions {
  if (options.port === undefined && (options.path === undefined || options.path === null)) {
    throw nodeError('ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified', TypeError);
  }
  if (options.path !== undefined && options.path !== null) throw unsupported('connecting to an IPC path');
  const { localAddress, localPort, port, autoSelectFamily, autoSelectFamilyAttemptTimeout, lookup } = options;
  if (localAddress && isIP(String(localAddress)) === 0) throw ERR_INVALID_IP_ADDRESS(localAddress);
  if (localPort && typeof localPort !== 'number') throw ERR_INVALID_ARG_TYPE('options.localPort', 'number', localPort);
  if (typeof port !== 'number' && typeof port !== 'string') throw ERR_INVALID_ARG_TYPE('options.port', 'one of type number or string', port);
  const portNumber = validatePort(port);
  if (autoSelectFamily !== undefined && autoSelectFamily !== null && typeof autoSelectFamily !== 'boolean') {
    throw ERR_INVALID_ARG_TYPE('options.autoSelectFamily', 'boolean', autoSelectFamily);
  }
  if (autoSelectFamilyAttemptTimeout !== undefined && autoSelectFamilyAttemptTimeout !== null) {
    const t = autoSelectFamilyAttemptTimeout;
    if (typeof t !== 'number') throw ERR_INVALID_ARG_TYPE('options.autoSelectFamilyAttemptTimeout', 'number', t);
    if (!Number.isInteger(t) || t < 1 || t > 0x7fffffff) {
      throw nodeError('ERR_OUT_OF_RANGE', `The value of "options.autoSelectFamilyAttemptTimeout" is out of range. It must be >= 1 && <= 2147483647. Received ${String(t)}`, RangeError);
    }
  }
  if (lookup !== undefined && lookup !== null && typeof lookup !== 'function') throw ERR_INVALID_ARG_TYPE('options.lookup', 'function', lookup);
  return { ...(options as Omit<NetConnectOptions, 'port'>), port: portNumber };
}

export interface ListenArgs {
  port: number;
  host: string | undefined;
  backlog: number | undefined;
  cb: (() => void) | undefined;
}

/** Server.prototype.listen's argument handling, in Node's order. */
export function normalizeListenArgs(args: readonly unknown[]): ListenArgs {
  const { options, cb } = normalizeArgs(args);
  // (port, backlog) or (port, host, backlog): Node's toNumber() of the 2nd or 3rd argument.
  const backlogFromArgs = toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]);
  if (options.handle !== undefined || options._handle !== undefined) throw unsupported('listening on a handle');
  if (typeof options.fd === 'number' && options.fd >= 0) throw unsupported('listening on an fd');
  let port = options.port;
  if (args.length === 0 || typeof args[0] === 'function' || (port === undefined && 'port' in options) || port === null) port = 0;
  if (typeof port === 'number' || typeof port === 'string') {
    const p = validatePort(port, 'options.port');
    const backlog = toNumber(options.backlog) || backlogFromArgs || undefined;
    const host = typeof options.host === 'string' && options.host !== '' ? options.host : undefined;
    return { port: p, host, backlog, cb };
  }
  if (typeof options.path === 'string' && isPipeName(options.path)) throw unsupported('listening on an IPC path');
  if (!('port' in options) && !('path' in options)) throw ERR_INVALID_ARG_VALUE('options', options, 'must have the property "port" or "path"');
  throw ERR_INVALID_ARG_VALUE('options', options, 'is invalid');
}

function toNumber(x: unknown): number | false {
  const n = Number(x);
  return n >= 0 ? n : false;
}
