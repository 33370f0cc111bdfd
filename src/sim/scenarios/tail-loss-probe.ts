import { drain, established, world, type Scenario } from '../scenario.js';

const SEGMENTS = 10;
const LOST_TAIL = 3;

/**
 * RFC 8985 §7 tail loss probe, as Linux by default: the last segments of a
 * burst are lost, so no duplicate ACK can ever report them. Instead of waiting
 * for the RTO (200 ms or more), A probes after about two round trips with the
 * last segment again; B's ACK of the probe SACKs it over the holes, and A
 * repairs them by SACK recovery, without a timeout.
 */
export const tailLossProbe: Scenario = {
  name: 'tail-loss-probe',
  summary: `A sends ${SEGMENTS} segments and the last ${LOST_TAIL} are lost: A probes at ~2×SRTT (RFC 8985 TLP), B's SACK shows the holes, A resends them without waiting for the RTO`,
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    drain(server);
    server.on('end', () => server.close());
    // The first transmissions of A's last data segments are lost; their retransmissions get through.
    const seen = new Set<number>();
    w.dropWhile((seg) => {
      if (seg.from !== 'A' || seg.len === 0 || seen.has(seg.seq)) return false;
      seen.add(seg.seq);
      return seen.size > SEGMENTS - LOST_TAIL && seen.size <= SEGMENTS;
    });
    client.write(new Uint8Array(SEGMENTS * client.info().mss).fill(0x61));
    client.shutdown();
    client.on('end', () => client.close());
    w.run(120_000);
    return w;
  },
};
