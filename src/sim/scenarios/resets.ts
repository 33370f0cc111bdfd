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

export const synFlood: Scenario = {
  name: 'syn-flood',
  summary: 'spoofed SYNs fill B’s SYN queue (backlog 4); B switches to SYN cookies and A still connects (RFC 4987)',
  covers: ['R4'],
  run(opts) {
    const w = world(opts);
    w.b.listen(80, { backlog: 4 });
    // Spoofed SYNs, one every 2 ms, from addresses that will never answer (they arrive from A's side of the link).
    for (let i = 0; i < 8; i++) {
      w.at(i * 2, () => w.injectFrom(`10.0.1.${i + 1}`, { srcPort: 1024 + i, dstPort: 80, flags: 'SYN', seq: (i + 1) * 0x01000193 }));
    }
    w.at(20, () => {
      const c = w.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
      c.on('connect', () => c.write(text('hello through a cookie')));
    });
    w.run(200);
    return w;
  },
};
