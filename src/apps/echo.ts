/**
 * The Echo Protocol, RFC 862, over TCP: "Once a connection is established
 * any data received is sent back. This continues until the calling user
 * terminates the connection."
 *
 * Half-close is honoured in both directions: when the peer sends its FIN
 * (shutdown(SHUT_WR)), everything it sent is still echoed, and only then do
 * we send our FIN (allowHalfOpen, and pipe() ends our side after the last
 * byte). A slow reader slows the echo down end to end: pipe() stops reading
 * while our send buffer is full, so our receive window closes (flow control).
 */
import type { Net } from '../net/index.js';
import { startService, type Service, type ServiceOptions } from './service.js';

/** The well-known port (RFC 862). */
export const ECHO_PORT = 7;

export function startEcho(net: Net, port = ECHO_PORT, opts: ServiceOptions = {}): Promise<Service> {
  return startService(net, 'echo', port, { allowHalfOpen: true }, (socket) => socket.pipe(socket), opts);
}
