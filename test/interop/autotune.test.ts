/**
 * P1 buffer autotuning against Linux's TCP (root only; issue 12 item 2): synack on a TUN device in
 * a namespace made here (test/fixtures/tun-lab.ts), with 10 ms of delay each way added by synack's
 * own link impairment (this kernel has no netem), and the kernel's TCP as the natural peer of a bulk
 * transfer each way.
 *
 * - kernel → synack: the window synack advertises, read off its ACKs on the wire, grows past the
 *   window of its first ACK within the first few round trips of slow start (Linux's
 *   tcp_rcv_space_adjust: the receive buffer grows to about twice what the application read in an RTT).
 * - synack → kernel: synack's send buffer grows with its cwnd (Linux tcp_sndbuf_expand): from the
 *   87 040 bytes of a fresh connection to room for twice the largest flight seen, or tcp_wmem[2].
 *
 * Bounded: 8 MB each way, the fixture exits after --max-seconds, every wait has a timeout; the
 * namespace and the fixture (by PID) go when the test ends.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Netns, needKernel } from '../fixtures/netns.js';
import { Lines } from './harness.js';
import { segmentCharge } from '../../src/tcp/buffer-autotune.js';
import { DEFAULT_TCP_CONFIG } from '../../src/tcp/config.js';

const LAB = fileURLToPath(new URL('../fixtures/tun-lab.js', import.meta.url));
const KERNEL_IP = '10.75.0.1';
const SYNACK_IP = '10.75.0.2';
const PORT = 5001;
const BYTES = 8_000_000;

interface Ack {
  dir: 'in' | 'out';
  port: number;
  ack: number;
  win: number;
  syn: boolean;
}
interface Seg {
  dir: 'in' | 'out';
  port: number;
  off: number;
  len: number;
}
interface Sample {
  port: number;
  cwnd: number;
  mss: number;
  sndBuf: number;
  rcvBuf: number;
}

/** A namespace with the lab in it (10 ms each way), ready for the kernel to connect. */
async function lab(t: TestContext, extra: string[]): Promise<{ ns: Netns; lines: Lines }> {
  const ns = await Netns.create('autotune');
  t.after(() => ns.delete());
  const child = ns.spawn(process.execPath, [LAB, '--run', '--tun', 't0', '--ip', `${SYNACK_IP}/24`, '--host-ip', KERNEL_IP, '--delay', '10', '--port', String(PORT), '--max-seconds', '50', ...extra]);
  child.stdin!.end();
  const lines = new Lines(child);
  await lines.waitFor(/"type":"ready"/, 20_000);
  return { ns, lines };
}

/** The fixture's JSON lines of one type, parsed. */
function messages<T>(lines: Lines, type: string): T[] {
  return lines.out.filter((l) => l.startsWith(`{"type":"${type}"`)).map((l) => JSON.parse(l) as T);
}

test('P1 autotuning with Linux: kernel → synack bulk over a 20 ms RTT; the window synack advertises on the wire grows past its first ACK’s within the first 300 data segments', { timeout: 90_000 }, async (t) => {
  if (!needKernel(t, ['python3', 'timeout'])) return;
  const { ns, lines } = await lab(t, ['--log-acks', '--sample-ms', '1000']);
  const out = await ns.exec('timeout', ['40', 'python3', '-c', `import socket
s = socket.create_connection(("${SYNACK_IP}", ${PORT}), timeout=30)
s.sendall(bytes(${BYTES}))
s.shutdown(socket.SHUT_WR)
while s.recv(65536): pass
print(s.getsockname()[1])`], 45_000);
  const port = Number(out.trim());
  const done = await lines.waitFor(new RegExp(`"type":"done","t":[0-9.]+,"port":${port},`), 10_000);
  assert.equal((JSON.parse(done) as { bytes: number }).bytes, BYTES, 'synack read every byte');

  // synack's segments to the kernel, in wire order, and the kernel's data segments, for counting.
  const acks = messages<Ack>(lines, 'ack').filter((a) => a.dir === 'out' && a.port === port);
  const data = messages<Seg>(lines, 'seg').filter((s) => s.dir === 'in' && s.port === port);
  const synAck = acks.find((a) => a.syn);
  assert.ok(synAck, 'the SYN-ACK was seen');
  const first = acks.find((a) => !a.syn);
  assert.ok(first, 'an ACK after the handshake was seen');
  const initial = first.win;
  // Data segments that had arrived when each ACK went out: the ACK's own cumulative point, in segments.
  const grown = acks.find((a) => !a.syn && a.win > initial);
  assert.ok(grown, `the advertised window never grew past ${initial}`);
  const segmentsBefore = data.filter((s) => s.off < grown.ack).length;
  const largest = Math.max(...acks.map((a) => a.win));
  t.diagnostic(`first ACK's window ${initial} B; first larger: ${grown.win} B at ack ${grown.ack} (${segmentsBefore} data segments in); largest ${largest} B`);
  assert.ok(segmentsBefore <= 300, `the window grew only after ${segmentsBefore} data segments`);
  assert.ok(largest >= 4 * initial, `the window reached ${largest} B, less than 4 × the first ACK's ${initial} B over ${BYTES} bytes`);
});

test('P1 autotuning with Linux: synack → kernel bulk over a 20 ms RTT; synack’s send buffer grows with its cwnd (2 × flight, Linux tcp_sndbuf_expand)', { timeout: 90_000 }, async (t) => {
  if (!needKernel(t, ['python3', 'timeout'])) return;
  const { ns, lines } = await lab(t, ['--mode', 'source', '--warm', String(BYTES), '--idle', '0', '--burst', '0', '--sample-ms', '20']);
  const out = await ns.exec('timeout', ['40', 'python3', '-c', `import socket
s = socket.create_connection(("${SYNACK_IP}", ${PORT}), timeout=30)
n = 0
while True:
    d = s.recv(1 << 20)
    if not d: break
    n += len(d)
print(s.getsockname()[1], n)`], 45_000);
  const [port, got] = out.trim().split(' ').map(Number) as [number, number];
  assert.equal(got, BYTES, 'the kernel read every byte');
  await lines.waitFor(new RegExp(`"type":"done","t":[0-9.]+,"port":${port},`), 10_000);

  const samples = messages<Sample>(lines, 'sample').filter((s) => s.port === port);
  assert.ok(samples.length >= 3, `${samples.length} samples`);
  const mss = samples[0]!.mss;
  const max = DEFAULT_TCP_CONFIG.wmem[2];
  const fresh = 2 * DEFAULT_TCP_CONFIG.initialCwnd * segmentCharge(mss); // 87 040 for a 1448-byte MSS, Linux's tb of a new socket
  const largestCwnd = Math.max(...samples.map((s) => s.cwnd));
  const finalBuf = samples.at(-1)!.sndBuf;
  t.diagnostic(`send buffer ${samples[0]!.sndBuf} → ${finalBuf} B; largest cwnd ${largestCwnd} B (${Math.ceil(largestCwnd / mss)} segments); fresh ${fresh} B, tcp_wmem[2] ${max} B`);
  assert.ok(largestCwnd > DEFAULT_TCP_CONFIG.initialCwnd * mss, `cwnd grew (${largestCwnd} B)`);
  assert.ok(finalBuf > fresh, `the send buffer grew past a fresh connection's ${fresh} B (now ${finalBuf} B)`);
  // Room for twice the largest flight (each segment charged its memory, at least its MSS), or the cap.
  assert.ok(finalBuf >= Math.min(2 * largestCwnd, max), `send buffer ${finalBuf} B < min(2 × cwnd ${largestCwnd}, ${max})`);
  for (let i = 1; i < samples.length; i++) assert.ok(samples[i]!.sndBuf >= samples[i - 1]!.sndBuf, 'the send buffer never shrinks');
});
