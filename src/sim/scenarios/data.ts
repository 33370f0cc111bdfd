import { ADDR_B } from '../world.js';
import { drain, established, world, type Scenario } from '../scenario.js';
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

export const zeroWindow: Scenario = {
  name: 'zero-window',
  summary: 'B’s application stops reading: its window closes, A probes with backoff (persist timer), then B reads and the transfer resumes',
  covers: ['D5'],
  run(opts) {
    const w = world(opts, { tcpB: { recvBufferSize: 4096 } });
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
    w.run(20_000);
    return w;
  },
};

export const keepaliveTimeout: Scenario = {
  name: 'keepalive-timeout',
  summary: 'keepalive on an idle connection: a probe after 2 h is answered; later B vanishes and 9 unanswered probes 75 s apart end in ETIMEDOUT',
  covers: ['D9'],
  run(opts) {
    const w = world(opts, { tcpA: { keepAlive: true } });
    const { client } = established(w);
    client.on('error', () => {}); // ETIMEDOUT is the point
    // B's host disappears three hours in (after the first probe was answered).
    w.at(3 * 3_600_000, () => w.dropWhile((s) => s.from === 'B' || s.to === 'B'));
    w.run(6 * 3_600_000);
    return w;
  },
};

export const lossyTransfer: Scenario = {
  name: 'lossy-transfer',
  summary: '64 KiB from A to B over a link losing packets (--loss P, default 0.05): dup ACKs, SACK, fast retransmit and RTO repair it',
  covers: ['D3', 'D7', 'D10'],
  run(opts) {
    const w = world(opts, { link: { loss: opts.loss ?? 0.05 } });
    let server: TcpSocket | undefined;
    w.b.listen(80).on('connection', (s) => {
      server = s;
      drain(s);
      s.on('end', () => s.close());
    });
    const client = w.a.connect({ remoteAddress: ADDR_B, remotePort: 80, tcp: { synRetries: 10, retries2: 30 } });
    client.on('error', () => {});
    client.on('connect', () => sendAll(client, 64 * 1024));
    w.run(600_000);
    void server;
    return w;
  },
};
