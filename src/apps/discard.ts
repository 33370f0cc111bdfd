/**
 * The Discard Protocol, RFC 863, over TCP: "Once a connection is established
 * any data received is thrown away. No response is sent. This continues until
 * the calling user terminates the connection."
 *
 * By default we close only after the peer does (its FIN, then ours). With
 * `halfClose` we say at once that we will never send anything: our FIN goes
 * out right after the handshake (RFC 9293 §3.6: a half-closed connection
 * still carries data the other way), so the peer sits in CLOSE_WAIT, we in
 * FIN_WAIT_2, and its data keeps arriving and being discarded until it
 * closes too (then we hold TIME_WAIT).
 */
import type { Net } from '../net/index.js';
import { startService, type Service, type ServiceOptions } from './service.js';

/** The well-known port (RFC 863). */
export const DISCARD_PORT = 9;

export interface DiscardOptions extends ServiceOptions {
  /** Send our FIN as soon as the connection is established. */
  halfClose?: boolean;
}

export function startDiscard(net: Net, port = DISCARD_PORT, opts: DiscardOptions = {}): Promise<Service> {
  return startService(
    net,
    'discard',
    port,
    {},
    (socket) => {
      socket.resume(); // read everything, keep nothing (and never leave data unread: close() would then send RST)
      // Our side ends now; the socket closes once the peer's FIN has arrived too.
      if (opts.halfClose) socket.end();
    },
    opts,
  );
}
