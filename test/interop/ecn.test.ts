/**
 * P5 ECN against Linux's TCP (root only): synack on a TUN device in a network namespace made
 * here, the kernel's TCP in the same namespace with net.ipv4.tcp_ecn = 1 set in that namespace
 * only. Every TCP packet crossing the device is reported by the fixture (test/fixtures/ecn-peer.ts)
 * with its TCP flags and IP ECN codepoint.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { JsonLines, Netns, needKernel } from '../fixtures/netns.js';
import { ACK, CWR, ECE, SYN } from '../../src/wire/flags.js';

const PEER = fileURLToPath(new URL('../fixtures/ecn-peer.js', import.meta.url));
const KERNEL_IP = '10.78.0.1';
const SYNACK_IP = '10.78.0.2';
const NOT_ECT = 0;
const ECT0 = 2;

interface Packet {
  dir: 'in' | 'out';
  flags: number;
  ecn: number;
  len: number;
}
interface Done {
  ecn: boolean;
  ecnSeen: boolean;
  received: number;
  stats: Record<string, number>;
}

async function ecnNamespace(t: TestContext, tcpEcn: number): Promise<Netns> {
  const ns = await Netns.create('ecn');
  t.after(() => ns.delete());
  await ns.exec('sysctl', ['-q', '-w', `net.ipv4.tcp_ecn=${tcpEcn}`]); // this namespace only
  assert.equal((await ns.exec('sysctl', ['-n', 'net.ipv4.tcp_ecn'])).trim(), String(tcpEcn));
  return ns;
}

function startPeer(ns: Netns, args: string[]): JsonLines {
  const child = ns.spawn(process.execPath, [PEER, '--run', '--name', 'ecn0', '--addr', `${KERNEL_IP}/24`, '--ip', SYNACK_IP, ...args]);
  return new JsonLines(child);
}

/** Every packet report up to the fixture's "done", bounded in time and count. */
async function untilDone(lines: JsonLines, timeoutMs: number): Promise<{ packets: Packet[]; done: Done }> {
  const deadline = Date.now() + timeoutMs;
  const packets: Packet[] = [];
  for (let i = 0; i < 100_000; i++) {
    const m = await lines.next<Record<string, unknown>>(Math.max(1, deadline - Date.now()));
    if (m.type === 'error') throw new Error(`fixture: ${String(m.message)}`);
    if (m.type === 'packet') packets.push(m as unknown as Packet);
    if (m.type === 'done') return { packets, done: m as unknown as Done };
  }
  throw new Error('too many messages');
}

const isSyn = (p: Packet): boolean => (p.flags & SYN) !== 0 && (p.flags & ACK) === 0;
const isSynAck = (p: Packet): boolean => (p.flags & (SYN | ACK)) === (SYN | ACK);
const ecnBits = (p: Packet): number => p.flags & (ECE | CWR);

test('P5 kernel interop: Linux with tcp_ecn=1 connecting to synack (default tcp_ecn=2 behaviour) negotiates ECN; both sides send data ECT(0)', { timeout: 60_000 }, async (t) => {
  if (!needKernel(t, ['python3', 'timeout', 'sysctl'])) return;
  const ns = await ecnNamespace(t, 1);
  const peer = startPeer(ns, ['--listen', '7000']);
  await peer.expect('ready', 10_000);
  const client = `import socket
s = socket.create_connection(('${SYNACK_IP}', 7000), timeout=5)
s.sendall(b'x' * 20000)
s.shutdown(socket.SHUT_WR)
n = 0
while True:
    d = s.recv(65536)
    if not d: break
    n += len(d)
s.close()
print(n)`;
  const got = await ns.exec('timeout', ['10', 'python3', '-c', client], 12_000);
  assert.equal(got.trim(), '4000', 'the kernel client read synack’s answer');
  const { packets, done } = await untilDone(peer, 15_000);
  const syn = packets.find((p) => p.dir === 'in' && isSyn(p));
  const synAck = packets.find((p) => p.dir === 'out' && isSynAck(p));
  assert.ok(syn && synAck);
  assert.equal(ecnBits(syn), ECE | CWR, 'the kernel’s SYN asks for ECN');
  assert.equal(syn.ecn, NOT_ECT);
  assert.equal(ecnBits(synAck), ECE, 'synack’s SYN-ACK accepts: ECE, no CWR');
  assert.equal(synAck.ecn, NOT_ECT);
  const kernelData = packets.filter((p) => p.dir === 'in' && p.len > 0);
  const ourData = packets.filter((p) => p.dir === 'out' && p.len > 0);
  assert.ok(kernelData.length > 0 && kernelData.every((p) => p.ecn === ECT0), `kernel data ECT(0): ${kernelData.map((p) => p.ecn).join(',')}`);
  assert.ok(ourData.length > 0 && ourData.every((p) => p.ecn === ECT0), 'synack’s data ECT(0)');
  assert.ok(packets.filter((p) => p.dir === 'out' && p.len === 0).every((p) => p.ecn === NOT_ECT), 'synack’s pure ACKs Not-ECT');
  assert.equal(done.ecn, true);
  assert.equal(done.ecnSeen, true);
  assert.equal(done.received, 20000);
  assert.ok(done.stats.InECT0Pkts! >= kernelData.length, 'IpExtInECT0Pkts counts them');
});

test('P5 kernel interop: synack with ecn on (tcp_ecn=1) connecting to Linux negotiates ECN; with ecn off it does not ask', { timeout: 60_000 }, async (t) => {
  if (!needKernel(t, ['python3', 'timeout', 'sysctl'])) return;
  for (const mode of ['on', 'off'] as const) {
    const ns = await ecnNamespace(t, 1);
    const server = `import socket
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(('0.0.0.0', 7001))
l.listen(1)
l.settimeout(10)
print('{"type": "listening"}', flush=True)
c, _ = l.accept()
c.settimeout(5)
n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
c.sendall(b'y' * 20000)
c.close()
print(n, flush=True)`;
    const srv = ns.spawn('timeout', ['20', 'python3', '-c', server]);
    const srvLines = new JsonLines(srv);
    await srvLines.expect('listening', 10_000);
    const peer = startPeer(ns, ['--ecn', mode, '--connect', `${KERNEL_IP}:7001`, '--send', '30000']);
    const { packets, done } = await untilDone(peer, 20_000);
    const syn = packets.find((p) => p.dir === 'out' && isSyn(p));
    const synAck = packets.find((p) => p.dir === 'in' && isSynAck(p));
    assert.ok(syn && synAck, mode);
    const kernelData = packets.filter((p) => p.dir === 'in' && p.len > 0);
    const ourData = packets.filter((p) => p.dir === 'out' && p.len > 0);
    assert.equal(done.received, 20000, `${mode}: ${packets.map((p) => `${p.dir}:${p.flags.toString(16)}:${p.len}`).join(' ')}`);
    if (mode === 'on') {
      assert.equal(ecnBits(syn), ECE | CWR, 'our SYN asks');
      assert.equal(ecnBits(synAck), ECE, 'the kernel’s SYN-ACK accepts: ECE, no CWR');
      assert.ok(ourData.every((p) => p.ecn === ECT0), 'our data ECT(0)');
      assert.ok(kernelData.length > 0 && kernelData.every((p) => p.ecn === ECT0), 'kernel data ECT(0)');
      assert.equal(done.ecn, true);
    } else {
      assert.equal(ecnBits(syn), 0, 'ecn off: the SYN does not ask');
      assert.equal(ecnBits(synAck), 0);
      assert.ok(ourData.every((p) => p.ecn === NOT_ECT) && kernelData.every((p) => p.ecn === NOT_ECT), 'nobody sends ECT');
      assert.equal(done.ecn, false);
    }
    await ns.delete();
  }
});

test('P5 kernel interop: a CE mark on the kernel’s data makes synack echo ECE; Linux answers with CWR and counts TCPDeliveredCE', { timeout: 60_000 }, async (t) => {
  if (!needKernel(t, ['python3', 'timeout', 'sysctl', 'nstat'])) return;
  const ns = await ecnNamespace(t, 1);
  const peer = startPeer(ns, ['--listen', '7000', '--mark-in', '3']);
  await peer.expect('ready', 10_000);
  const client = `import socket
s = socket.create_connection(('${SYNACK_IP}', 7000), timeout=5)
s.sendall(b'x' * 100000)
s.shutdown(socket.SHUT_WR)
while s.recv(65536): pass
s.close()`;
  await ns.exec('timeout', ['10', 'python3', '-c', client], 12_000);
  const { packets, done } = await untilDone(peer, 15_000);
  assert.equal(done.received, 100000);
  const order = packets.map((p, i) => ({ ...p, i }));
  const ce = order.find((p) => p.dir === 'in' && p.len > 0 && p.ecn === 3);
  assert.ok(ce, 'the third data packet arrived CE-marked');
  const firstEce = order.find((p) => p.i > ce.i && p.dir === 'out' && !(p.flags & SYN) && (p.flags & ECE) !== 0);
  assert.ok(firstEce, 'synack echoes ECE');
  assert.ok(order.slice(ce.i + 1, firstEce.i).every((p) => p.dir === 'in'), 'the ECE ACK is synack’s next segment (no delayed ACK)');
  const cwr = order.find((p) => p.i > firstEce.i && p.dir === 'in' && p.len > 0 && (p.flags & CWR) !== 0);
  assert.ok(cwr, 'Linux answers with CWR on new data');
  assert.equal(cwr.ecn, ECT0);
  const after = order.filter((p) => p.i > cwr.i && p.dir === 'out' && !(p.flags & SYN));
  assert.ok(after.length > 0 && (after[after.length - 1]!.flags & ECE) === 0, 'once the CWR arrived synack stops echoing');
  const nstat = await ns.exec('nstat', ['-azs', 'TcpExtTCPDeliveredCE']); // -s: leave nstat's history file alone
  const delivered = Number(/TcpExtTCPDeliveredCE\s+(\d+)/.exec(nstat)?.[1] ?? 'NaN');
  assert.ok(delivered > 0, `the kernel counted TCPDeliveredCE: ${nstat.trim()}`);
});
