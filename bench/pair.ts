/** Two stacks A (10.0.0.1) and B (10.0.0.2) on a link pair, A connected to a listener on B:5001: the start of every in-process bench transfer. */
import type { MemoryLink } from '../src/link/memory.js';
import { Stack } from '../src/stack/stack.js';
import type { TcpSocket } from '../src/stack/socket.js';
import type { TcpConfig } from '../src/tcp/config.js';
import type { VirtualClock } from '../src/util/virtual-clock.js';

export interface BenchPair {
  a: Stack;
  b: Stack;
  /** A's end and B's accepted end, both ESTABLISHED. */
  client: TcpSocket;
  server: TcpSocket;
}

/** Connect A to B over `links` and run the handshake (within `maxMs` of virtual time, when given). */
export function connectPair(clock: VirtualClock, links: readonly [MemoryLink, MemoryLink], tcp: Partial<TcpConfig> | undefined, maxMs?: number): BenchPair {
  const a = new Stack({ clock, name: 'A', seed: 11, tcp });
  const b = new Stack({ clock, name: 'B', seed: 12, tcp });
  a.attach(links[0], { address: '10.0.0.1' });
  b.attach(links[1], { address: '10.0.0.2' });
  let server: TcpSocket | undefined;
  b.listen(5001).on('connection', (s) => (server = s));
  const client = a.connect({ remoteAddress: '10.0.0.2', remotePort: 5001 });
  clock.runUntilIdle(maxMs === undefined ? undefined : { maxTime: clock.now() + maxMs });
  if (!server || client.state !== 'ESTABLISHED') throw new Error('bench: handshake failed');
  return { a, b, client, server };
}
