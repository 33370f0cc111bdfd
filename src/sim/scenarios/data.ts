import { ADDR_B } from '../world.js';
import { drain, established, world, type Scenario } from '../scenario.js';
import { DEFAULT_TCP_CONFIG } from '../../tcp/config.js';
import type { TcpSocket } from '../../stack/socket.js';

/** Write `total` bytes as fast as the send buffer takes them, then half-close. */
function sendAll(s: TcpSocket, total: number): void {
  let sent = 0;
  const chunk = new Uint8Array(16 * 1024).map((_, i) => i & 0xff);
  const pump = (): void => {
    while (sent < total) {
      const n = s.write(chunk.subarray(0, Math.min(chunk.length, total - sent)));
      sent += n;
      if (n === 0) return; // the 'writable' event resumes us
    }
    s.shutdown();
  };
  s.on('writable', pump);
  pump();
}

const SMALL_RCVBUF = 4096;

export const zeroWindow: Scenario = {
  name: 'zero-window',
  summary: 'B’s application stops reading: its window closes, A probes with backoff (persist timer), then B reads and the transfer resumes',
  params: ['msl'],
  run(opts) {
    const w = world(opts, { tcpB: { recvBufferSize: SMALL_RCVBUF } });
    w.setting(`B’s receive buffer is ${SMALL_RCVBUF} bytes (by default it starts at ${DEFAULT_TCP_CONFIG.rmem[1]} and grows with the reader), so 12 KiB fill it`);
    const { client, server } = established(w);
    sendAll(client, 12 * 1024);
    // B reads nothing for 5 s, then everything.
    w.at(w.clock.now() + 5000, () => {
      while (server.read()) {
        /* discard */
      }
      drain(server);
    });
    server.on('end', () => server.close());
    w.run();
    return w;
  },
};

const KEEPALIVE = { keepAlive: true };

export const keepaliveTimeout: Scenario = {
  name: 'keepalive-timeout',
  summary: 'keepalive on an idle connection: a probe after 2 h is answered; later B vanishes and 9 unanswered probes 75 s apart end in ETIMEDOUT',
  params: [],
  run(opts) {
    const w = world(opts, { tcpA: KEEPALIVE });
    w.setting('A turns keepalive on (SO_KEEPALIVE; off by default): idle 2 h, interval 75 s, 9 probes, as Linux');
    const { client } = established(w);
    client.on('error', () => {}); // ETIMEDOUT is the point (it is in the trace)
    // B's host disappears three hours in (after the first probe was answered).
    w.at(3 * 3_600_000, () => w.dropWhile((s) => s.from === 'B' || s.to === 'B'));
    w.run(6 * 3_600_000);
    return w;
  },
};

/** Retry limits of lossy-transfer's client: high, so even --loss 0.5 completes. */
const PATIENT = { synRetries: 10, retries2: 30 };

export const lossyTransfer: Scenario = {
  name: 'lossy-transfer',
  summary: '64 KiB from A to B over a link losing packets (--loss P, default 0.05): dup ACKs, SACK, fast retransmit and RTO repair it',
  params: ['loss', 'msl'],
  run(opts) {
    const w = world(opts, { link: { loss: opts.loss ?? 0.05 } });
    w.setting(
      `A connects with synRetries ${PATIENT.synRetries} (default ${DEFAULT_TCP_CONFIG.synRetries}) and retries2 ${PATIENT.retries2} (default ${DEFAULT_TCP_CONFIG.retries2}), so a very lossy link still completes`,
    );
    w.b.listen(80).on('connection', (s) => {
      drain(s);
      s.on('end', () => s.close());
    });
    const client = w.a.connect({ remoteAddress: ADDR_B, remotePort: 80, tcp: PATIENT });
    client.on('error', () => {});
    client.on('connect', () => sendAll(client, 64 * 1024));
    w.run(600_000);
    return w;
  },
};
