import { SYN, FIN } from '../../wire/flags.js';
import { established, text, world, type Scenario } from '../scenario.js';
import { APP_DELAY } from './closing.js';

export const closeWithUnreadData: Scenario = {
  name: 'close-with-unread-data',
  summary: 'A closes with received data still unread: Linux sends RST, not FIN; B gets ECONNRESET',
  covers: ['C12'],
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

export const rstAbort: Scenario = {
  name: 'rst-abort',
  summary: 'A aborts (SO_LINGER 0 / resetAndDestroy): one RST, both ends CLOSED at once, B gets ECONNRESET',
  covers: ['C12'],
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
  summary: 'spoofed RST/SYN: in-window → challenge ACK, out of window → dropped; only an exact RST resets (RFC 5961)',
  covers: ['R1', 'R2', 'R3'],
  run(opts) {
    const w = world(opts);
    // What B expects next from A (RCV.NXT). The attacker does not know it; we use it to aim.
    let rcvNxt = 0;
    w.watch((s) => {
      if (s.from === 'A') rcvNxt = (s.seq + s.len + (s.flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    });
    const { client, server } = established(w);
    server.on('error', () => {});
    const ports = { srcPort: client.localPort, dstPort: 80 };
    const nxt = rcvNxt; // before the injected segments below move the watcher
    w.at(w.clock.now() + 50, () => w.inject('A', { ...ports, flags: 'RST', seq: nxt + 5000 })); // in window, not exact
    w.at(w.clock.now() + 100, () => w.inject('A', { ...ports, flags: 'RST', seq: nxt + 0x40000000 })); // far outside
    w.at(w.clock.now() + 150, () => w.inject('A', { ...ports, flags: 'SYN', seq: nxt + 100 })); // SYN in a synchronized state
    w.at(w.clock.now() + 200, () => client.abort()); // the real A: its RST carries the exact sequence number
    w.run();
    return w;
  },
};
