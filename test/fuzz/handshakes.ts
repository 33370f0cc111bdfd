/**
 * Random-ISN handshakes (issue 10 item 0): many connections whose two ISSs
 * are drawn at random — uniformly, and near every 2^31 boundary — each of
 * which must open, exchange a few bytes both ways and close, in virtual time.
 * A connection that has not finished within a minute of virtual time is a
 * failure (the ISN-near-2^31 bug left the client's window shut for ever).
 */
import { MemoryLink } from '../../src/link/memory.js';
import { Stack } from '../../src/stack/stack.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { Rng } from '../../src/util/rng.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

export interface HandshakeFailure {
  clientIss: number;
  serverIss: number;
  why: string;
}

export interface HandshakeResult {
  count: number;
  seed: number;
  elapsedMs: number;
  failures: HandshakeFailure[];
}

const BATCH = 2000;
const MESSAGE = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const BOUNDARIES = [0, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000000 - 65535, 2147428698];

function randomIss(rng: Rng): number {
  if (rng.chance(0.6)) return rng.nextU32();
  const base = BOUNDARIES[rng.int(BOUNDARIES.length)]!;
  return (base + rng.int(140_001) - 70_000) >>> 0;
}

export function runHandshakes(o: { count: number; seed: number }): HandshakeResult {
  const rng = new Rng(o.seed);
  const started = performance.now();
  const failures: HandshakeFailure[] = [];
  for (let done = 0; done < o.count; done += BATCH) failures.push(...batch(Math.min(BATCH, o.count - done), rng));
  return { count: o.count, seed: o.seed, elapsedMs: performance.now() - started, failures };
}

function batch(n: number, rng: Rng): HandshakeFailure[] {
  const clock = new VirtualClock();
  const [la, lb] = MemoryLink.pair(clock, { delayMs: 1, seed: rng.nextU32() });
  const tcp: Partial<TcpConfig> = { msl: 5, sendBufferSize: 16 * 1024, recvBufferSize: 16 * 1024, timestamps: rng.chance(0.7), windowScaling: rng.chance(0.7) };
  const a = new Stack({ clock, name: 'A', seed: rng.nextU32(), tcp });
  const b = new Stack({ clock, name: 'B', seed: rng.nextU32(), tcp });
  // The server's ISS is per connection: set it from the client port just before B sees each packet.
  const serverTcp: Partial<TcpConfig> = { ...tcp };
  const serverIss = new Map<number, number>();
  a.attach(la, { address: '10.0.0.1' });
  b.attach(
    {
      mtu: lb.mtu,
      send: (p) => lb.send(p),
      close: () => lb.close(),
      onPacket: (h) =>
        lb.onPacket((p) => {
          const port = (p[20]! << 8) | p[21]!;
          serverTcp.issOverride = serverIss.get(port);
          h(p);
        }),
    },
    { address: '10.0.0.2' },
  );
  b.listen(80, { backlog: n + 1, tcp: serverTcp }).on('connection', (s) => {
    s.on('readable', () => {
      for (let d = s.read(); d; d = s.read()) s.write(d);
    });
    s.on('end', () => s.close());
  });
  const runs: Array<{ clientIss: number; serverIss: number; got: number; closed: boolean; error: string | undefined; state: () => string }> = [];
  for (let i = 0; i < n; i++) {
    const clientIss = randomIss(rng);
    const port = 1024 + i;
    serverIss.set(port, randomIss(rng));
    const run = { clientIss, serverIss: serverIss.get(port)!, got: 0, closed: false, error: undefined as string | undefined, state: () => '' };
    const s = a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: port, tcp: { issOverride: clientIss } });
    run.state = () => s.state;
    s.on('connect', () => s.write(MESSAGE));
    s.on('readable', () => {
      for (let d = s.read(); d; d = s.read()) run.got += d.length;
      if (run.got >= MESSAGE.length) s.close();
    });
    s.on('error', (e) => (run.error = e.code));
    s.on('close', () => (run.closed = true));
    runs.push(run);
  }
  clock.runUntilIdle({ maxTime: 60_000 });
  const out: HandshakeFailure[] = [];
  for (const r of runs) {
    if (r.got === MESSAGE.length && r.closed && r.error === undefined) continue;
    out.push({ clientIss: r.clientIss, serverIss: r.serverIss, why: `echoed ${r.got}/${MESSAGE.length} bytes, closed ${r.closed}, error ${r.error ?? 'none'}, state ${r.state()}` });
  }
  return out;
}
