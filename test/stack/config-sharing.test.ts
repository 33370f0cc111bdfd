/**
 * The connections of one listener share one resolved configuration (tcp/config.ts sharedConfig); a socket
 * option one of them sets (TCP_NODELAY, SO_KEEPALIVE) is its own: its siblings, and the connections
 * accepted after it, keep the listener's settings (copy on write).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks, type TwoStacks } from '../helpers/two-stacks.js';
import type { TcpSocket } from '../../src/stack/socket.js';

const BYTE = new Uint8Array([1]);

/** A listener on B's port 80: the sockets it accepts, in order. */
function listening(n: TwoStacks): TcpSocket[] {
  const out: TcpSocket[] = [];
  n.b.listen(80).on('connection', (s) => out.push(s));
  return out;
}

/** Two connections of one listener, established: their server ends, and the list later ones join. */
function siblings(): { n: TwoStacks; got: TcpSocket[]; s1: TcpSocket; s2: TcpSocket } {
  const n = twoStacks();
  const got = listening(n);
  connectFrom(n, 3000);
  connectFrom(n, 3001);
  assert.equal(got.length, 2);
  return { n, got, s1: got[0]!, s2: got[1]! };
}

/** A connects from `port`; the connection is established. */
function connectFrom(n: TwoStacks, port: number): void {
  n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: port });
  n.settle(1000);
}

/** Data segments B sent to A's port `port` so far. */
function dataOut(n: TwoStacks, port: number): number {
  return n.trace.filter((e) => e.type === 'segment' && e.stack === 'B' && e.dir === 'out' && e.len > 0 && e.remote === `10.0.0.1:${port}`).length;
}

/** Two 1-byte writes at once: with Nagle's algorithm on (RFC 896, RFC 1122 §4.2.3.4) the second waits for the first's ACK. */
function segmentsForTwoWrites(n: TwoStacks, s: TcpSocket): number {
  const before = dataOut(n, s.remotePort);
  s.write(BYTE);
  s.write(BYTE);
  return dataOut(n, s.remotePort) - before;
}

test('TCP_NODELAY set on one connection of a listener leaves Nagle on for its siblings and for connections accepted later', () => {
  const { n, got, s1, s2 } = siblings();
  s1.setNoDelay(true);
  assert.equal(segmentsForTwoWrites(n, s1), 2, 'no delay: both bytes go at once');
  assert.equal(segmentsForTwoWrites(n, s2), 1, 'its sibling holds the second byte');
  n.settle(1000);
  connectFrom(n, 3002);
  assert.equal(got.length, 3);
  assert.equal(segmentsForTwoWrites(n, got[2]!), 1, 'a later connection has Nagle on');
  n.settle(1000);
  assert.equal(segmentsForTwoWrites(n, s1), 2, 'and the first keeps its own setting');
});

test('SO_KEEPALIVE set on one connection of a listener probes that connection only', () => {
  const { n, s1, s2 } = siblings();
  s1.setKeepAlive(true, 1000);
  // A keepalive probe: a bare ACK one below SND.NXT (RFC 1122 §4.2.3.6), sent while nothing else is.
  const bareAcks = (port: number): number => n.trace.filter((e) => e.type === 'segment' && e.stack === 'B' && e.dir === 'out' && e.len === 0 && e.flags === 'ACK' && e.remote === `10.0.0.1:${port}`).length;
  const before1 = bareAcks(s1.remotePort);
  const before2 = bareAcks(s2.remotePort);
  n.settle(5000);
  assert.ok(bareAcks(s1.remotePort) - before1 >= 1, 'keepalive probes on the connection that asked for them');
  assert.equal(bareAcks(s2.remotePort) - before2, 0, 'none on its sibling');
});
