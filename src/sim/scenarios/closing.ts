import { FIN, ACK } from '../../wire/flags.js';
import { ADDR_B } from '../world.js';
import { drain, established, text, world, type Scenario } from '../scenario.js';
import type { World } from '../world.js';

/** The application's reaction time in the scenarios: long enough to see ACK and FIN apart. */
export const APP_DELAY = 50;

/**
 * A closes first; B closes when it reads A's FIN: `appDelay` ms later, or at once
 * (inside its 'end' handler, so its ACK can ride on its FIN) when appDelay is undefined.
 */
function closeByA(w: World, appDelay?: number): { client: ReturnType<typeof established>['client'] } {
  const { client, server } = established(w);
  if (appDelay === undefined) server.on('end', () => server.close());
  else server.on('end', () => w.at(w.clock.now() + appDelay, () => server.close()));
  client.close();
  return { client };
}

export const activeClose: Scenario = {
  name: 'active-close',
  summary: 'four-way close started by A: FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT; B: CLOSE_WAIT → LAST_ACK → CLOSED',
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    closeByA(w, APP_DELAY);
    w.run();
    return w;
  },
};

export const passiveClose: Scenario = {
  name: 'passive-close',
  summary: 'B receives FIN (CLOSE_WAIT), still sends its last data, then closes: LAST_ACK → CLOSED',
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    drain(client);
    server.on('end', () => {
      w.at(w.clock.now() + APP_DELAY, () => server.write(text('last words from B')));
      w.at(w.clock.now() + 2 * APP_DELAY, () => server.close());
    });
    client.shutdown();
    w.run();
    return w;
  },
};

export const halfClose: Scenario = {
  name: 'half-close',
  summary: 'A shuts down its sending side; in FIN_WAIT_2 it still receives B’s data until B closes',
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    drain(client);
    client.shutdown();
    server.on('end', () => {
      for (let i = 1; i <= 3; i++) w.at(w.clock.now() + i * APP_DELAY, () => server.write(text(`B's data after A's FIN, part ${i}`)));
      w.at(w.clock.now() + 4 * APP_DELAY, () => server.close());
    });
    w.run();
    return w;
  },
};

export const finAckCombined: Scenario = {
  name: 'fin-ack-combined',
  summary: 'B closes as soon as it sees A’s FIN, so its ACK rides on its FIN: A goes FIN_WAIT_1 → TIME_WAIT',
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    closeByA(w);
    w.run();
    return w;
  },
};

export const simultaneousClose: Scenario = {
  name: 'simultaneous-close',
  summary: 'both ends close at once: FINs cross, both pass FIN_WAIT_1 → CLOSING → TIME_WAIT → CLOSED',
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    client.close();
    server.close();
    w.run();
    return w;
  },
};

export const timeWaitExpiry: Scenario = {
  name: 'time-wait-expiry',
  summary: 'after a four-way close A holds the 4-tuple for 2×MSL (60 s, --msl): reusing its port fails until the 2MSL timer fires',
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    const { client } = closeByA(w, APP_DELAY);
    const port = client.localPort;
    const reconnect = (): void => {
      try {
        w.a.connect({ remoteAddress: ADDR_B, remotePort: 80, localPort: port }).on('error', () => {});
      } catch (e) {
        w.recordError('A', (e as { code?: string }).code ?? 'ERROR');
      }
    };
    client.on('state', (_from: string, to: string) => {
      if (to === 'TIME_WAIT') w.at(w.clock.now() + 1000, reconnect); // the same 4-tuple, too early
    });
    client.on('close', () => w.at(w.clock.now() + 1000, reconnect)); // after 2MSL: the 4-tuple is free again
    w.run();
    return w;
  },
};

export const timeWaitReuse: Scenario = {
  name: 'time-wait-reuse',
  summary: 'B closed first and sits in TIME_WAIT; A reconnects from the same port with newer timestamps and B reopens the 4-tuple at once (RFC 6191)',
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    const port = client.localPort;
    client.on('end', () => client.close());
    server.close();
    w.at(5000, () => w.a.connect({ remoteAddress: ADDR_B, remotePort: 80, localPort: port }));
    w.run();
    return w;
  },
};

export const lostFinalAck: Scenario = {
  name: 'lost-final-ack',
  summary: 'A’s last ACK is lost: B in LAST_ACK retransmits its FIN, A re-ACKs from TIME_WAIT (2MSL restarts)',
  params: ['msl'],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    let bFin: number | undefined;
    w.watch((s) => {
      if (s.from === 'B' && s.flags & FIN && bFin === undefined) bFin = s.seq + s.len;
    });
    // Drop the first pure ACK from A that acknowledges B's FIN.
    w.dropOnce((s) => s.from === 'A' && bFin !== undefined && s.flags === ACK && s.ack === ((bFin + 1) >>> 0));
    server.on('end', () => w.at(w.clock.now() + APP_DELAY, () => server.close()));
    client.close();
    w.run();
    return w;
  },
};

export const finWait2Timeout: Scenario = {
  name: 'fin-wait-2-timeout',
  summary: 'B closes 90 s late; A’s orphaned FIN_WAIT_2 was reaped after tcp_fin_timeout (60 s), so B’s FIN meets a RST',
  params: [],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    server.on('error', () => {});
    client.close();
    w.at(w.clock.now() + 90_000, () => server.close());
    w.run();
    return w;
  },
};

export const closeWaitLeak: Scenario = {
  name: 'close-wait-leak',
  summary: 'B’s application never closes: B stays in CLOSE_WAIT for good while A’s FIN_WAIT_2 times out after 60 s',
  params: [],
  run(opts) {
    const w = world(opts);
    const { client } = established(w);
    client.close(); // B reads the EOF but its application forgets close(): the CLOSE_WAIT pile seen with netstat
    w.run();
    return w;
  },
};
