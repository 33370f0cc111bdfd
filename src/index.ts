/**
 * synack's public entry point.
 *
 *   import { createStack, MemoryLink, VirtualClock } from 'synack';
 *
 *   const clock = new VirtualClock();
 *   const [la, lb] = MemoryLink.pair(clock, { loss: 0.01 });
 *   const a = createStack({ clock, name: 'A' });
 *   const b = createStack({ clock, name: 'B' });
 *   a.attach(la, { address: '10.0.0.1' });
 *   b.attach(lb, { address: '10.0.0.2' });
 *   b.net.createServer((s) => s.pipe(s)).listen(7);
 *   a.net.connect(7, '10.0.0.2').end('hello');
 *
 * `stack.net` is node:net's API bound to that stack; see src/net/index.ts for
 * why it is attached by net/ (withNet) rather than built into Stack.
 */
import { Stack, type StackOptions } from './stack/stack.js';
import { withNet, type NetStack } from './net/index.js';

export { Stack, hostPort, type StackOptions, type InterfaceConfig, type SocketRow, type StackTraceEvent } from './stack/stack.js';
export { TcpSocket, TcpError, type SocketEvents } from './stack/socket.js';
export { Listener, type ListenOptions } from './stack/listener.js';
export type { StackStats } from './stack/stats.js';
export { MemoryLink, type PairOptions, type Impairment, type TapEvent, type LinkStats, type Direction } from './link/memory.js';
export type { Link } from './link/link.js';
export type { Clock, TimerHandle } from './util/clock.js';
export { VirtualClock, type SettleOptions, type SettleResult } from './util/virtual-clock.js';
export { RealClock, type RealClockOptions } from './util/real-clock.js';
export { DEFAULT_TCP_CONFIG, type TcpConfig } from './tcp/config.js';
export { TCP_STATES, type TcpState } from './tcp/state.js';
export * as net from './net/index.js';
export { Socket, Server, createNet, withNet, type Net, type NetStack, type SocketOptions, type ServerOptions, type NetConnectOptions } from './net/index.js';

/** A new Stack with its node:net API at `stack.net`. */
export function createStack(opts: StackOptions): NetStack {
  return withNet(new Stack(opts));
}
