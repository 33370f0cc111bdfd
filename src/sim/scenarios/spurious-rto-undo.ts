import { drain, established, world, type Scenario } from '../scenario.js';

const BURST = 4;
const MORE = 6;
/** One-way delay of A's burst: beyond A's RTO (200 ms, rtoMin, at a 20 ms RTT), so the RTO fires though nothing is lost. */
const SPIKE_MS = 300;

/**
 * A delay spike, not a loss: A's burst takes 300 ms to reach B, so A's RTO
 * fires and A resends the first segment. The originals then arrive and B's
 * ACK echoes their TSval, older than the retransmission's: A knows the RTO
 * was spurious (Eifel, RFC 3522) and undoes it (RFC 4015, as Linux:
 * TCPLossUndo, TCPSpuriousRTOs), cwnd back to where it was. The needless
 * retransmission reaches B as a duplicate and B reports it with a D-SACK
 * block below its ACK (RFC 2883). A's next write goes out in one flight, not
 * in slow start from one segment.
 */
export const spuriousRtoUndo: Scenario = {
  name: 'spurious-rto-undo',
  summary: `A ${SPIKE_MS} ms delay spike makes A's RTO fire though nothing is lost: B's ACK echoes the original TSval (Eifel), A undoes the RTO's cwnd cut; B D-SACKs the needless retransmission`,
  params: ['msl'],
  run(opts) {
    const w = world(opts, { tcpA: { tlp: false } });
    w.setting('A: tail loss probes off (tlp: false), so that the delay spike meets the RTO itself');
    const { client, server } = established(w);
    drain(server);
    server.on('end', () => server.close());
    const mss = client.info().mss;
    // Only the burst's segments take the slow path; the link is back to 10 ms for everything sent after them.
    w.linkA.setImpairment({ delayMs: SPIKE_MS });
    client.write(new Uint8Array(BURST * mss).fill(0x61));
    w.linkA.setImpairment({ delayMs: 10 });
    w.at(w.t() + 2 * SPIKE_MS, () => {
      client.write(new Uint8Array(MORE * mss).fill(0x62));
      client.shutdown();
    });
    client.on('end', () => client.close());
    w.run(120_000);
    return w;
  },
};
