import { SYN, FIN } from '../../wire/flags.js';
import { ADDR_B } from '../world.js';
import { established, text, world, type Scenario } from '../scenario.js';
import { APP_DELAY } from './closing.js';

export const closeWithUnreadData: Scenario = {
  name: 'close-with-unread-data',
  summary: 'A closes with received data still unread: Linux sends RST, not FIN; B gets ECONNRESET',
  params: [],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    server.on('error', () => {});
    server.write(text('a reply A never reads'));
    w.at(w.clock.now() + APP_DELAY, () => client.close());
    w.run();
    return w;
  },
};

export const rstOnDataAfterClose: Scenario = {
  name: 'rst-on-data-after-close',
  summary: 'A closed its socket; when B’s data arrives in FIN_WAIT_2 nobody can read it, so A answers RST (Linux: TCPAbortOnData) and B gets EPIPE',
  params: [],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    server.on('error', () => {});
    client.close();
    server.on('end', () => w.at(w.clock.now() + 2 * APP_DELAY, () => server.write(text('B still has something to say'))));
    w.run();
    return w;
  },
};

export const rstAbort: Scenario = {
  name: 'rst-abort',
  summary: 'A aborts (SO_LINGER 0 / resetAndDestroy): one RST, both ends CLOSED at once, B gets ECONNRESET',
  params: [],
  run(opts) {
    const w = world(opts);
    const { client, server } = established(w);
    server.on('error', () => {});
    client.abort();
    w.run();
    return w;
  },
};

export const blindRst: Scenario = {
  name: 'blind-rst',
  summary: 'attacker X spoofs A: an in-window RST or SYN earns a challenge ACK, an out-of-window RST is dropped; only an exact RST resets B (RFC 5961)',
  params: [],
  run(opts) {
    const w = world(opts);
    // What B expects next from A (RCV.NXT). A blind attacker must guess it; this one is told, to show the exact case.
    let rcvNxt = 0;
    w.watch((s) => {
      if (s.from === 'A') rcvNxt = (s.seq + s.len + (s.flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    });
    const { client, server } = established(w);
    server.on('error', () => {});
    client.on('error', () => {});
    const ports = { srcPort: client.localPort, dstPort: 80 };
    const t0 = w.clock.now();
    w.at(t0 + 50, () => w.inject('B', { ...ports, flags: 'RST', seq: rcvNxt + 5000 })); // in window, not exact
    w.at(t0 + 100, () => w.inject('B', { ...ports, flags: 'RST', seq: rcvNxt + 0x40000000 })); // far outside
    w.at(t0 + 150, () => w.inject('B', { ...ports, flags: 'SYN', seq: rcvNxt + 100 })); // SYN in a synchronized state
    w.at(t0 + 200, () => w.inject('B', { ...ports, flags: 'RST', seq: rcvNxt })); // exact: B is reset
    // A never knew: its next segment meets B's "no such connection" RST.
    w.at(t0 + 300, () => client.write(text('is anyone there?')));
    w.run();
    return w;
  },
};

/** Listen backlog of syn-flood: small, so eight spoofed SYNs overflow the SYN queue. */
const FLOOD_BACKLOG = 4;

export const synFlood: Scenario = {
  name: 'syn-flood',
  summary: 'attacker X sends spoofed SYNs that fill B’s SYN queue; B answers with SYN cookies and A still connects (RFC 4987)',
  params: [],
  run(opts) {
    const w = world(opts);
    w.setting(`B listens with backlog ${FLOOD_BACKLOG} (default 128), so a small flood fills its SYN queue`);
    w.b.listen(80, { backlog: FLOOD_BACKLOG });
    // Spoofed SYNs, one every 2 ms, from addresses that will never answer.
    for (let i = 0; i < 2 * FLOOD_BACKLOG; i++) {
      w.at(i * 2, () => w.injectFrom(`10.0.1.${i + 1}`, { srcPort: 1024 + i, dstPort: 80, flags: 'SYN', seq: (i + 1) * 0x01000193 }));
    }
    w.at(20, () => {
      const c = w.a.connect({ remoteAddress: ADDR_B, remotePort: 80 });
      c.on('connect', () => c.write(text('hello through a cookie')));
    });
    w.run(200);
    return w;
  },
};
