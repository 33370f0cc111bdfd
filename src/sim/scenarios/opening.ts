import { ADDR_A, ADDR_B } from '../world.js';
import { established, world, type Scenario } from '../scenario.js';

export const handshake: Scenario = {
  name: 'handshake',
  summary: 'three-way handshake: SYN, SYN-ACK, ACK; both ends reach ESTABLISHED',
  params: [],
  run(opts) {
    const w = world(opts);
    established(w);
    w.run(1000);
    return w;
  },
};

export const simultaneousOpen: Scenario = {
  name: 'simultaneous-open',
  summary: 'both ends send SYN at once: SYN_SENT → SYN_RCVD → ESTABLISHED on both sides',
  params: [],
  run(opts) {
    const w = world(opts);
    w.a.connect({ remoteAddress: ADDR_B, remotePort: 5001, localPort: 5000 });
    w.b.connect({ remoteAddress: ADDR_A, remotePort: 5000, localPort: 5001 });
    w.run(1000);
    return w;
  },
};

export const synToClosedPort: Scenario = {
  name: 'syn-to-closed-port',
  summary: 'SYN to a port nobody listens on is answered with RST,ACK: A gets ECONNREFUSED',
  params: [],
  run(opts) {
    const w = world(opts);
    const c = w.a.connect({ remoteAddress: ADDR_B, remotePort: 81 });
    c.on('error', () => {}); // ECONNREFUSED is the point of the scenario (it is in the trace)
    w.run(1000);
    return w;
  },
};

export const rstInSynRcvd: Scenario = {
  name: 'rst-in-syn-rcvd',
  summary: 'the client gives up before the SYN-ACK arrives; its RST sends the half-open server back to LISTEN',
  params: [],
  run(opts) {
    const w = world(opts);
    w.b.listen(80);
    const c = w.a.connect({ remoteAddress: ADDR_B, remotePort: 80 });
    w.at(5, () => c.abort()); // SYN still in flight: the client forgets the attempt
    // The listener is unaffected: a new connection succeeds afterwards.
    w.at(100, () => w.a.connect({ remoteAddress: ADDR_B, remotePort: 80 }));
    w.run(1000);
    return w;
  },
};

export const connectTimeout: Scenario = {
  name: 'connect-timeout',
  summary: 'SYNs into a black hole: retransmitted after 1, 2, 4 … 32 s, ETIMEDOUT after 127 s',
  params: [],
  run(opts) {
    const w = world(opts);
    w.dropWhile((s) => s.from === 'A');
    const c = w.a.connect({ remoteAddress: ADDR_B, remotePort: 80 });
    c.on('error', () => {});
    w.run(300_000);
    return w;
  },
};

/** Listen backlog of accept-queue-overflow: small, so two connections fill it. */
const SMALL_BACKLOG = 2;

export const acceptQueueOverflow: Scenario = {
  name: 'accept-queue-overflow',
  summary: 'B never calls accept(): two connections wait ESTABLISHED in its accept queue, the third SYN is dropped (ListenOverflows) until A times out',
  params: [],
  run(opts) {
    const w = world(opts);
    w.setting(`B listens with backlog ${SMALL_BACKLOG} (default 128) and its application never accepts`);
    w.b.listen(80, { backlog: SMALL_BACKLOG }); // no 'connection' handler: nobody accepts
    for (let i = 0; i < SMALL_BACKLOG + 1; i++) {
      w.at(i * 100, () => w.a.connect({ remoteAddress: ADDR_B, remotePort: 80 }).on('error', () => {}));
    }
    w.run(300_000);
    return w;
  },
};
