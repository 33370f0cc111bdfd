import { drain, established, world, type Scenario, type ScenarioOptions } from '../scenario.js';
import type { World } from '../world.js';

/** The narrower hop on A's path to B (a tunnel, say): IPv6's minimum MTU. */
const PATH_MTU = 1280;
const BYTES = 120 * 1448;

/**
 * A sends to B over a path with a hop of MTU 1280 in the A→B direction; A
 * starts at MSS 1448 (link MTU 1500, timestamps on), so its full segments
 * (1500 bytes, DF set) die at that hop. With `icmp`, the hop's router sends
 * "fragmentation needed, MTU 1280" back (RFC 1191); without, the path is a
 * black hole and only A's timeouts can tell (RFC 4821).
 */
function runPmtu(opts: ScenarioOptions, icmp: boolean): World {
  const w = world(opts, { link: { aToB: { pathMtu: PATH_MTU, pathMtuIcmp: icmp } } });
  w.setting(`a hop of MTU ${PATH_MTU} on the path from A to B drops bigger packets (DF set)${icmp ? ' and answers with ICMP "fragmentation needed, MTU 1280"' : ', silently (no ICMP: a black hole)'}`);
  const { client, server } = established(w);
  drain(server);
  server.on('end', () => server.close());
  let written = 0;
  const pump = (): void => {
    while (written < BYTES) {
      const n = client.write(new Uint8Array(BYTES - written).fill(0x61));
      if (n === 0) return;
      written += n;
    }
    client.shutdown();
  };
  client.on('writable', pump);
  pump();
  client.on('end', () => client.close());
  w.run(600_000);
  return w;
}

export const pmtuBlackHole: Scenario = {
  name: 'pmtu-black-hole',
  summary: 'a hop of MTU 1280 silently drops A\'s 1500-byte segments: after 3 s of timeouts (the 5th at a 200 ms RTO) A suspects a black hole, falls to MSS 1024 and probes upward (RFC 4821, Linux tcp_mtu_probing=1)',
  params: ['msl'],
  run: (opts) => runPmtu(opts, false),
};

export const pmtuBlackHoleIcmp: Scenario = {
  name: 'pmtu-black-hole-icmp',
  summary: 'the same hop answers with ICMP "fragmentation needed, MTU 1280": A lowers its MSS to 1228 and resends the flight at once, no timeout (RFC 1191, RFC 5927)',
  params: ['msl'],
  run: (opts) => runPmtu(opts, true),
};
