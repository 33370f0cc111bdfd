import { CWR } from '../../wire/flags.js';
import { drain, established, world, type Scenario } from '../scenario.js';

const BYTES = 100_000;
const RATE_BPS = 10_000_000;
/** The bottleneck starts CE-marking past about three full packets of queue (RED-like, memory.ts). */
const MARK_BYTES = 5_000;

/**
 * RFC 3168 ECN through a marking bottleneck. A asks for ECN (ecn 'on', Linux
 * tcp_ecn=1); B accepts it as Linux does by default (tcp_ecn=2). A's data
 * leaves ECT(0); once A's slow start fills the 10 Mbit/s queue past its
 * threshold, the queue marks packets CE instead of dropping them. B echoes
 * ECE on its ACKs until A's CWR; A halves cwnd once for that window of data,
 * without losing or retransmitting anything. Each of A's CWR segments notes
 * the cwnd A had then.
 */
export const ecnCongestion: Scenario = {
  name: 'ecn-congestion',
  summary: `A sends ${BYTES / 1000} kB through a 10 Mbit/s queue that CE-marks instead of dropping: B echoes ECE, A halves cwnd and says CWR — no loss, no retransmission (RFC 3168)`,
  params: ['msl'],
  run(opts) {
    const w = world(opts, { tcpA: { ecn: 'on' }, link: { aToB: { rateBps: RATE_BPS, ecnMarkBytes: MARK_BYTES } } });
    w.setting("A: ecn 'on' (Linux net.ipv4.tcp_ecn=1); B: the default 'passive' (tcp_ecn=2)");
    w.setting(`A→B: a ${RATE_BPS / 1e6} Mbit/s queue that CE-marks ECT packets past ${MARK_BYTES} bytes (RED-like)`);
    const { client, server } = established(w);
    drain(server);
    server.on('end', () => server.close());
    // Note the sender's window on each of A's segments that carries CWR: the cwnd before the cut and after it.
    const notes = new Map<number, string>();
    let before = client.info().cwndSegments;
    w.watch((seg) => {
      if (seg.from !== 'A') return;
      const i = client.info();
      if (seg.flags & CWR) {
        notes.set(w.events.length, `cwnd ${before}→${i.cwndSegments} segments, ssthresh ${i.ssthreshSegments ?? '∞'}`); // the index its event gets
        before = i.cwndSegments;
      } else before = Math.max(before, i.cwndSegments);
    });
    client.write(new Uint8Array(BYTES).fill(0x65));
    client.shutdown();
    client.on('end', () => client.close());
    w.run(120_000);
    for (const [index, note] of notes) {
      const ev = w.events[index];
      if (ev?.type === 'segment') ev.note = note;
    }
    return w;
  },
};
