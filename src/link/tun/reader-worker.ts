/**
 * The TUN reader thread (a worker_thread started by TunLink).
 *
 * Loop: read(2) the non-blocking TUN fd straight into the shared ring until it
 * returns EAGAIN, then poll(2) the TUN fd and a wake-up eventfd with a timeout.
 * Each read returns exactly one IP packet (tun(4) with IFF_NO_PI), after a
 * virtio_net_hdr when the device was opened with IFF_VNET_HDR. The main
 * thread is told about new packets with one small postMessage, only if it had
 * gone idle (see ring.ts), and at most once per WAKE_EVERY packets of a burst
 * plus once at the burst's end (EAGAIN), so a burst costs few wake-ups and a
 * lone packet waits for just one more read(2). struct pollfd is read and
 * written as Int32 words, little-endian (x86-64, arm64).
 *
 * Stopping: the main thread sets STOP in the ring, notifies TAIL (in case
 * this thread waits for space) and writes the eventfd (in case it sits in
 * poll). This thread then sets STOPPED and returns; it never closes the fds —
 * the main thread does that once STOPPED is set. The poll timeout bounds the
 * stop latency even if the wake-up were lost.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EAGAIN, EINTR, POLLERR, POLLFD_SIZE, POLLHUP, POLLIN, POLLNVAL, libc } from './libc.js';
import { NOT_STARTED, RUNNING, type ReaderData, type ReaderMessage } from './protocol.js';
import { MAX_PACKET, RingProducer } from './ring.js';

const POLL_TIMEOUT_MS = 250;
const FULL_WAIT_MS = 100;
/** A postMessage costs a few µs, several reads' worth: in a burst, wake the main thread at most once per this many packets. */
const WAKE_EVERY = 64;

function run(): void {
  const port = parentPort;
  if (port === null) throw new Error('reader-worker must run in a worker thread');
  const { fd, wakeFd, sab, control, name, headerBytes } = workerData as ReaderData;
  // With IFF_VNET_HDR each read returns a virtio_net_hdr, then the packet (up to 64 KB for a GSO super-packet).
  const maxRead = MAX_PACKET + headerBytes;
  const state = new Int32Array(control);
  const c = libc(); // load koffi before claiming the fds, so a load failure leaves them untouched
  if (Atomics.compareExchange(state, 0, NOT_STARTED, RUNNING) !== NOT_STARTED) return; // closed before we started
  const ring = new RingProducer(sab);
  try {
    c.setThreadName(`tunrd ${name}`); // visible in top -H and /proc/PID/task/*/comm
    port.postMessage({ t: 'ready' } satisfies ReaderMessage);
    const base = c.addressOf(ring.data);
    // struct pollfd[2] in shared (hence non-moving) memory: {int fd; short events; short revents}.
    // `ring` and `pfd` stay referenced by the loop below, so their memory outlives every raw address we pass.
    const pfd = new Int32Array(new SharedArrayBuffer(2 * POLLFD_SIZE));
    pfd[0] = fd;
    pfd[2] = wakeFd;
    const pfdAddr = c.addressOf(pfd);
    const fail = (syscall: string, errno: number): void => port.postMessage({ t: 'error', syscall, errno } satisfies ReaderMessage);

    // Packets committed since we last checked whether the consumer sleeps.
    let unannounced = 0;
    const announce = (): void => {
      unannounced = 0;
      if (ring.consumerNeedsWake()) port.postMessage(0 satisfies ReaderMessage);
    };

    while (!ring.stopRequested) {
      const off = ring.reserve(maxRead);
      if (off < 0) {
        if (unannounced > 0) announce();
        ring.waitForSpace(FULL_WAIT_MS);
        continue;
      }
      const n = c.readAt(fd, base + off, maxRead);
      if (n > 0) {
        ring.commit(n);
        // In a burst, wake the main thread once per WAKE_EVERY packets at most; the
        // burst's end (EAGAIN below) announces the rest, so a lone packet waits for one more read(2) only.
        if (++unannounced >= WAKE_EVERY) announce();
        continue;
      }
      const e = n < 0 ? c.errno() : EAGAIN;
      if (e === EINTR) continue;
      if (unannounced > 0) announce();
      if (e !== EAGAIN) return fail('read', e);
      // Nothing to read: wait for the TUN fd or the wake-up eventfd.
      pfd[1] = POLLIN; // events = POLLIN, revents = 0 (little-endian: events is the low half)
      pfd[3] = POLLIN;
      const r = c.pollAt(pfdAddr, 2, POLL_TIMEOUT_MS);
      if (r < 0) {
        const pe = c.errno();
        if (pe !== EINTR) return fail('poll', pe);
        continue;
      }
      const revents = pfd[1]! >>> 16;
      if (revents & (POLLERR | POLLHUP | POLLNVAL) && !(revents & POLLIN)) {
        // tun(4): poll reports POLLERR once the device is gone (e.g. `ip link del`).
        return fail('poll', (revents & POLLNVAL) !== 0 ? 9 /* EBADF */ : 77 /* EBADFD */);
      }
    }
  } finally {
    ring.markStopped();
  }
}

run();
