import { DEFAULT_TCP_CONFIG } from '../../tcp/config.js';
import { drain, established, world, type Scenario } from '../scenario.js';

const RTT_MS = 100;
const RATE_BPS = 100e6;
const BYTES = 3 * 1024 * 1024;

/**
 * P1, Linux's receive-buffer autotuning (tcp_rcv_space_adjust, dynamic
 * right-sizing): A sends 3 MiB to B over a long fat path (100 ms RTT,
 * 100 Mbit/s, a bandwidth-delay product of 1.2 MB). B's buffer starts at
 * tcp_rmem[1] (128 KiB, a window of 64 KiB on the SYN-ACK, where the window
 * is never scaled); each round trip B measures what its application read and
 * offers about twice that, so the window (`win` × 2^wscale) grows round by
 * round past the path's BDP instead of capping the transfer at 128 KiB per
 * RTT (10 Mbit/s). A's send buffer grows with its cwnd in the same way.
 */
export const windowAutotuning: Scenario = {
  name: 'window-autotuning',
  summary: `A sends ${BYTES >> 20} MiB over a ${RTT_MS} ms, ${RATE_BPS / 1e6} Mbit/s path: B's advertised window grows round trip by round trip from ${DEFAULT_TCP_CONFIG.rmem[1] >> 10} KiB past the path's BDP (receive-buffer autotuning, Linux tcp_rcv_space_adjust)`,
  params: ['msl'],
  run(opts) {
    const w = world(opts, { delayMs: RTT_MS / 2, link: { rateBps: RATE_BPS } });
    w.setting(`RTT ${RTT_MS} ms, ${RATE_BPS / 1e6} Mbit/s: the path holds ${(RATE_BPS * RTT_MS) / 8000 / 1e6} MB; B's receive buffer starts at tcp_rmem[1] = ${DEFAULT_TCP_CONFIG.rmem[1]} bytes and may grow to tcp_rmem[2] = ${DEFAULT_TCP_CONFIG.rmem[2]}`);
    const { client, server } = established(w);
    drain(server);
    server.on('end', () => server.close());
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let sent = 0;
    const pump = (): void => {
      if (sent >= BYTES) return;
      while (sent < BYTES) {
        const n = client.write(chunk.subarray(0, Math.min(chunk.length, BYTES - sent)));
        if (n === 0) return;
        sent += n;
      }
      client.shutdown();
    };
    client.on('writable', pump);
    pump();
    client.on('end', () => client.close());
    w.run(120_000);
    return w;
  },
};
