/**
 * Errors shaped like the ones node:net produces, so code that inspects
 * `err.code`, `err.syscall`, `err.address` and `err.port` keeps working.
 *
 * Node builds these in lib/internal/errors.js:
 *   exceptionWithHostPort  → "connect ECONNREFUSED 10.0.0.2:80"
 *   uvExceptionWithHostPort→ "listen EADDRINUSE: address already in use 10.0.0.2:80"
 *   errnoException         → "read ECONNRESET"
 * `errno` is the negative libuv number (e.g. -111), taken from os.constants.
 */
import { constants } from 'node:os';
import { inspect } from 'node:util';

/** An Error with Node's system-error fields. */
export interface NetError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

const UV_MESSAGES: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  ENETUNREACH: 'network is unreachable',
};

function errnoOf(code: string): number | undefined {
  const n = (constants.errno as Record<string, number | undefined>)[code];
  return n === undefined ? undefined : -n;
}

/**
 * A system error for `syscall` (connect, read, write, listen, shutdown...).
 * With an address, the message ends in "address:port" as Node's does.
 */
export function systemError(code: string, syscall: string, address?: string, port?: number): NetError {
  let where = '';
  if (address !== undefined) where = port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  // listen/bind errors carry libuv's text ("address already in use"); connect/read/write ones do not.
  const uv = syscall === 'listen' || syscall === 'bind' ? UV_MESSAGES[code] : undefined;
  const message = uv ? `${syscall} ${code}: ${uv}${where}` : `${syscall} ${code}${where}`;
  const err = new Error(message) as NetError;
  const errno = errnoOf(code);
  if (errno !== undefined) err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined && port > 0) err.port = port;
  return err;
}

/** A name that is not an IP literal: synack has no resolver, so it fails the way a failed lookup does in Node. */
export function lookupError(hostname: string): NetError {
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`) as NetError;
  err.errno = -3008; // EAI_NONAME as libuv reports it
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

/** Node's internal errors (ERR_*): a plain Error (or RangeError/TypeError) with a `code`. */
export function nodeError(code: string, message: string, Ctor: ErrorConstructor = Error): NetError {
  const err = new Ctor(message) as NetError;
  err.code = code;
  return err;
}

export const ERR_SOCKET_CLOSED = (): NetError => nodeError('ERR_SOCKET_CLOSED', 'Socket is closed');
export const ERR_SOCKET_CLOSED_BEFORE_CONNECTION = (): NetError =>
  nodeError('ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'Socket closed before the connection was established');
export const ERR_SOCKET_CONNECTION_TIMEOUT = (): NetError => nodeError('ERR_SOCKET_CONNECTION_TIMEOUT', 'Socket connection timeout');
export const ERR_INVALID_IP_ADDRESS = (ip: unknown): NetError => nodeError('ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${String(ip)}`, TypeError);
export const ERR_INVALID_ADDRESS_FAMILY = (family: unknown, host: unknown, port: unknown): NetError =>
  nodeError('ERR_INVALID_ADDRESS_FAMILY', `Invalid address family: ${String(family)} ${String(host)}:${String(port)}`, RangeError);

/** How Node's ERR_INVALID_ARG_TYPE describes the value it got. */
function received(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${String(value)}`;
  if (typeof value === 'function') return ` Received function ${value.name}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name ? ` Received an instance of ${name}` : ` Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

/** `The "msecs" argument must be of type number. Received type string ('1')` — `expected` is "number" or "one of type number or string". */
export function ERR_INVALID_ARG_TYPE(name: string, expected: string, value: unknown): NetError {
  const kind = name.includes('.') ? 'property' : 'argument';
  const what = expected.startsWith('one of') ? `must be ${expected}` : `must be of type ${expected}`;
  return nodeError('ERR_INVALID_ARG_TYPE', `The "${name}" ${kind} ${what}.${received(value)}`, TypeError);
}

/** `The argument 'options' must have the property "port" or "path". Received {}` */
export function ERR_INVALID_ARG_VALUE(name: string, value: unknown, reason = 'is invalid'): NetError {
  const kind = name.includes('.') ? 'property' : 'argument';
  return nodeError('ERR_INVALID_ARG_VALUE', `The ${kind} '${name}' ${reason}. Received ${inspect(value)}`, TypeError);
}
export const ERR_SERVER_NOT_RUNNING = (): NetError => nodeError('ERR_SERVER_NOT_RUNNING', 'Server is not running.');
export const ERR_SERVER_ALREADY_LISTEN = (): NetError =>
  nodeError('ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');

export function ERR_SOCKET_BAD_PORT(name: string, port: unknown): NetError {
  const shown = typeof port === 'string' ? `type string ('${port}')` : `type ${typeof port} (${String(port)})`;
  return nodeError('ERR_SOCKET_BAD_PORT', `${name} should be >= 0 and < 65536. Received ${shown}.`, RangeError);
}

/** What a write gets once the peer has ended and allowHalfOpen is false (Node's writeAfterFIN). */
export const EPIPE_ENDED = (): NetError => nodeError('EPIPE', 'This socket has been ended by the other party');

/** For features of node:net that make no sense on a userspace TCP stack (IPC paths, fds, handles). */
export function unsupported(what: string): NetError {
  return nodeError('ERR_SYNACK_UNSUPPORTED', `synack: ${what} is not supported (TCP only)`, TypeError);
}
