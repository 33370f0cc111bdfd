import { FIN, ACK } from '../../wire/flags.js';
import { drain, established, text, world, type Scenario, type ScenarioOptions } from '../scenario.js';
import type { World } from '../world.js';

/** The application's reaction time in the scenarios: long enough to see ACK and FIN apart. */
export const APP_DELAY = 50;

/**
 * A closes first; B closes when it reads A's FIN: `appDelay` ms later, or at once
 * (inside its 'end' handler, so its ACK can ride on its FIN) when appDelay is undefined.
 */
function closeByA(opts: ScenarioOptions, appDelay?: number): World {
  const w = world(opts);
  const { client, server } = established(w);
  if (appDelay === undefined) server.on('end', () => server.close());
  else server.on('end', () => w.at(w.clock.now() + appDelay, () => server.close()));
  client.close();
  w.run();
  return w;
}

export const activeClose: Scenario = {
  name: 'active-close',
  summary: 'four-way close started by A: FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT; B: CLOSE_WAIT → LAST_ACK → CLOSED',
  covers: ['C1', 'C2', 'C3', 'C6', 'C7'],
  run(opts) {
    return closeByA(opts, APP_DELAY);
  },
};

export const passiveClose: Scenario = {
  name: 'passive-close',
  summary: 'B receives FIN (CLOSE_WAIT), still sends its last data, then closes: LAST_ACK → CLOSED',
  covers: ['C6'],
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
  covers: ['C2', 'C3'],
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
  covers: ['C4'],
  run(opts) {
    return closeByA(opts);
  },
};

export const simultaneousClose: Scenario = {
  name: 'simultaneous-close',
  summary: 'both ends close at once: FINs cross, both pass FIN_WAIT_1 → CLOSING → TIME_WAIT → CLOSED',
  covers: ['C5', 'C7'],
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
  summary: 'TIME_WAIT lasts 2×MSL (60 s by default, --msl to change) before the connection is CLOSED',
  covers: ['C7'],
  run(opts) {
    return closeByA(opts);
  },
};

export const lostFinalAck: Scenario = {
  name: 'lost-final-ack',
  summary: 'A’s last ACK is lost: B in LAST_ACK retransmits its FIN, A re-ACKs from TIME_WAIT (2MSL restarts)',
  covers: ['C8', 'C10'],
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
  summary: 'B never closes (stuck in CLOSE_WAIT); A’s orphaned FIN_WAIT_2 is reaped after tcp_fin_timeout (60 s)',
  covers: ['C11'],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    client.close();
    // B's application forgets to close — the CLOSE_WAIT leak seen with netstat. When it finally
    // does, 90 s later, A has forgotten the connection and answers the FIN with RST.
    w.at(w.clock.now() + 90_000, () => server.close());
    w.run();
    return w;
  },
};
