import type { ScenarioDocument } from '../observe/events.js';
import type { TcpSocket } from '../stack/socket.js';
import { ADDR_B, World, type CapturedPacket, type WorldOptions } from './world.js';

/** Options a scenario may take from the command line (each scenario says which in `params`). */
export type ScenarioParam = 'loss' | 'msl';

export interface ScenarioOptions {
  seed: number;
  /** Packet loss probability, for scenarios whose `params` include 'loss'. */
  loss?: number;
  /** MSL in ms, for scenarios whose `params` include 'msl' (default Linux's: 30 s, TIME_WAIT 60 s). */
  msl?: number;
}

/** One reproducible TCP behaviour, run in a World. */
export interface Scenario {
  name: string;
  /** One line for `--list`. */
  summary: string;
  /** Command-line options it honours beyond --seed (others are refused). */
  params: readonly ScenarioParam[];
  run(opts: ScenarioOptions): World;
}

export function runScenario(s: Scenario, opts: ScenarioOptions): ScenarioDocument {
  return s.run(opts).document(s.name);
}

/** The document and the packets behind it (every recorded segment, spoofed ones too), for a pcap. */
export function recordScenario(s: Scenario, opts: ScenarioOptions): { document: ScenarioDocument; packets: CapturedPacket[] } {
  const w = s.run(opts);
  return { document: w.document(s.name), packets: w.packets };
}

export function world(opts: ScenarioOptions, extra: Omit<WorldOptions, 'seed'> = {}): World {
  const msl = opts.msl !== undefined ? { msl: opts.msl } : {};
  return new World({ ...extra, seed: opts.seed, tcp: { ...msl, ...extra.tcp } });
}

/** B listens on `port`; A connects; the network runs until both are ESTABLISHED. */
export function established(w: World, port = 80): { client: TcpSocket; server: TcpSocket } {
  let server: TcpSocket | undefined;
  w.b.listen(port).on('connection', (s) => (server = s));
  const client = w.a.connect({ remoteAddress: ADDR_B, remotePort: port });
  for (let i = 0; i < 1000 && !server; i++) w.advance(1);
  if (!server || client.state !== 'ESTABLISHED') throw new Error('scenario setup: the handshake did not complete');
  return { client, server };
}

/** Read and discard whatever a socket has received (an application that keeps up). */
export function drain(s: TcpSocket): void {
  s.on('readable', () => {
    while (s.read()) {
      /* discard */
    }
  });
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
