/**
 * TunLink against the real Linux kernel. Root only (each subtest gated on the
 * tools it drives; see needKernel): every subtest makes its
 * own network namespace, runs the TUN device inside it (a fixture process
 * started with `ip netns exec`), sends traffic only to addresses inside it,
 * and deletes it — and kills its processes by PID — even on failure.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { JsonLines, Netns, needKernel } from '../fixtures/netns.js';
import { buildIcmpEcho4, buildUdp4, ip4, PROTO_ICMP, PROTO_UDP } from '../fixtures/ip-packets.js';
import { parseIp } from '../../src/wire/ip.js';
import { buildTcpPacket, parseTcpPacket } from '../../src/wire/packet.js';
import { ACK, RST, SYN } from '../../src/wire/flags.js';
import { pseudoHeaderSum } from '../../src/wire/checksum.js';
import { RX_CSUM_TRUSTED } from '../../src/link/link.js';

const PEER = fileURLToPath(new URL('../fixtures/tun-peer.js', import.meta.url));
const KERNEL = '10.77.0.1'; // the kernel's address on the TUN device
const LINK = '10.77.0.2'; // the far side of the device, i.e. whatever reads it: the fixture

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytesOf = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

interface Peer {
  ns: Netns;
  lines: JsonLines;
  child: ReturnType<Netns['spawn']>;
  ready: { name: string; mtu: number };
}

/** A namespace plus the fixture, both torn down by t.after. */
async function startPeer(t: TestContext, args: string[]): Promise<Peer> {
  const ns = await Netns.create('tun');
  t.after(() => ns.delete());
  const child = ns.spawn(process.execPath, [PEER, '--serve', ...args]);
  const lines = new JsonLines(child);
  const ready = await lines.expect<{ name: string; mtu: number }>('ready', 10_000);
  return { ns, lines, child, ready };
}

/** The next IPv4 packet from the fixture that `match` accepts (others are skipped), within `timeoutMs`. */
async function packetWhere(lines: JsonLines, match: (p: Uint8Array) => boolean, timeoutMs = 5000): Promise<Uint8Array> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('expected packet did not arrive');
    const m = await lines.expect<{ hex: string }>('packet', left);
    const p = bytesOf(m.hex);
    if (match(p)) return p;
  }
}

/** Run a Python snippet in the namespace; `timeout` ends it first, the exec timeout is the backstop. (Spawned helpers use socket timeouts of their own and are killed by PID at cleanup.) */
function python(ns: Netns, code: string, timeoutMs = 15_000): Promise<string> {
  return ns.exec('timeout', [String(Math.ceil(timeoutMs / 1000)), 'python3', '-c', code], timeoutMs + 2000);
}

function exited(child: Peer['child'], timeoutMs: number): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  if (child.exitCode !== null) return Promise.resolve({ code: child.exitCode, ms: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture still running after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - t0 });
    });
  });
}

/** Python in the namespace: one UDP datagram from the kernel to the link, and a TCP connect that sends a SYN. */
const UDP_AND_SYN = `import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("${KERNEL}", 40001))
u.sendto(b"hello from the kernel", ("${LINK}", 9999))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.settimeout(0.3)
try:
    t.connect(("${LINK}", 7))
except OSError:
    pass`;

test('TunLink on a Linux TUN device (in a private network namespace)', async (t) => {
  if (!needKernel(t)) return;

  await t.test('creates a device: name, MTU, up, IFF_TUN without packet info, and the kernel address routes to it', async (st) => {
    const peer = await startPeer(st, ['--name', 'syn0', '--mtu', '1400', '--addr', `${KERNEL}/24`]);
    assert.deepEqual(peer.ready, { type: 'ready', name: 'syn0', mtu: 1400 });
    const [link] = JSON.parse(await peer.ns.exec('ip', ['-j', '-d', 'link', 'show', 'syn0'])) as Array<Record<string, any>>;
    assert.equal(link!.mtu, 1400);
    assert.ok((link!.flags as string[]).includes('UP'));
    assert.equal(link!.linkinfo.info_kind, 'tun');
    assert.equal(link!.linkinfo.info_data.type, 'tun');
    assert.equal(link!.linkinfo.info_data.pi, false);
    assert.equal(link!.linkinfo.info_data.persist, false);
    const [addr] = JSON.parse(await peer.ns.exec('ip', ['-j', 'addr', 'show', 'dev', 'syn0'])) as Array<Record<string, any>>;
    assert.ok((addr!.addr_info as Array<{ local: string; prefixlen: number }>).some((a) => a.local === KERNEL && a.prefixlen === 24));
    const [route] = JSON.parse(await peer.ns.exec('ip', ['-j', 'route', 'get', LINK])) as Array<Record<string, any>>;
    assert.equal(route!.dev, 'syn0');
  });

  await t.test('attaches to an existing persistent device by name, which survives close()', async (st) => {
    const ns = await Netns.create('tun');
    st.after(() => ns.delete());
    await ns.exec('ip', ['tuntap', 'add', 'mode', 'tun', 'name', 'keep0']);
    const child = ns.spawn(process.execPath, [PEER, '--serve', '--name', 'keep0']);
    const lines = new JsonLines(child);
    assert.equal((await lines.expect<{ name: string }>('ready', 10_000)).name, 'keep0');
    lines.send({ cmd: 'close' });
    await lines.expect('closed', 5000);
    await exited(child, 5000);
    const [link] = JSON.parse(await ns.exec('ip', ['-j', '-d', 'link', 'show', 'keep0'])) as Array<Record<string, any>>;
    assert.equal(link!.linkinfo.info_data.persist, true);
  });

  await t.test('receives the exact IP packets the kernel sends: a UDP datagram and a TCP SYN', async (st) => {
    if (!needKernel(st, ['python3', 'timeout'])) return;
    const peer = await startPeer(st, ['--name', 'syn0', '--mtu', '1400', '--addr', `${KERNEL}/24`]);
    await python(peer.ns, UDP_AND_SYN);
    const udp = await packetWhere(peer.lines, (p) => p[9] === PROTO_UDP);
    const ip = parseIp(udp);
    assert.ok(ip.ok);
    assert.equal(ip.value.version, 4);
    assert.deepEqual([...ip.value.src], [...ip4(KERNEL)]);
    assert.deepEqual([...ip.value.dst], [...ip4(LINK)]);
    assert.equal(udp.length, 20 + 8 + 21);
    // Byte for byte what we would build: same addresses, ports, payload — only the IP id, TTL and flags are the kernel's.
    const want = buildUdp4(KERNEL, LINK, 40001, 9999, new TextEncoder().encode('hello from the kernel'));
    assert.deepEqual([...udp.subarray(20)], [...want.subarray(20)]);

    const syn = await packetWhere(peer.lines, (p) => p[9] === 6);
    const tcp = parseTcpPacket(syn); // verifies the IP and TCP checksums
    assert.ok(tcp.ok, tcp.ok ? '' : tcp.error);
    assert.equal(tcp.value.tcp.flags, SYN);
    assert.equal(tcp.value.tcp.dstPort, 7);
    assert.equal(tcp.value.tcp.options.mss, 1400 - 40, 'the kernel derived its MSS from the MTU we set');
  });

  await t.test('with offloads: a kernel UDP datagram arrives with the checksum the link completed, a TCP SYN flagged RX_CSUM_TRUSTED with only the pseudo-header sum', async (st) => {
    if (!needKernel(st, ['python3', 'timeout'])) return;
    const peer = await startPeer(st, ['--name', 'syn0', '--addr', `${KERNEL}/24`, '--offload']);
    await python(peer.ns, UDP_AND_SYN);
    const udp = await packetWhere(peer.lines, (p) => p[9] === PROTO_UDP);
    const want = buildUdp4(KERNEL, LINK, 40001, 9999, new TextEncoder().encode('hello from the kernel'));
    assert.deepEqual([...udp.subarray(20)], [...want.subarray(20)], 'the UDP checksum is whole again');
    const deadline = Date.now() + 5000;
    let syn: { hex: string; flags: number } | undefined;
    while (syn === undefined && Date.now() < deadline) {
      const m = await peer.lines.expect<{ hex: string; flags: number }>('packet', deadline - Date.now());
      if (bytesOf(m.hex)[9] === 6) syn = m;
    }
    assert.ok(syn, 'a TCP SYN arrived');
    assert.equal(syn.flags, RX_CSUM_TRUSTED, 'the kernel vouches for it (the packet is a view of the read ring, valid during the call: not RX_OWNED)');
    const p = bytesOf(syn.hex);
    assert.equal(parseTcpPacket(p).ok, false, 'its checksum is partial: verifying it fails');
    const tcp = parseTcpPacket(p, false);
    assert.ok(tcp.ok);
    assert.equal(tcp.value.tcp.flags, SYN);
    assert.equal(tcp.value.tcp.checksum, pseudoHeaderSum(ip4(KERNEL), ip4(LINK), 6, p.length - 20), 'the field holds the pseudo-header sum');
    peer.child.stdin!.write(JSON.stringify({ cmd: 'stats' }) + '\n');
    const { stats } = await peer.lines.expect<{ stats: { rxCsumPartial: number; rxCsumCompleted: number } }>('stats', 5000);
    assert.ok(stats.rxCsumCompleted >= 1, `the UDP checksum came partial and the link completed it: ${JSON.stringify(stats)}`);
    assert.ok(stats.rxCsumPartial >= 2);
  });

  await t.test('packets the link writes reach the kernel: UDP to a socket, ICMP echo answered, a TCP RST refusing a connect', async (st) => {
    if (!needKernel(st, ['python3', 'timeout'])) return;
    const peer = await startPeer(st, ['--name', 'syn0', '--addr', `${KERNEL}/24`]);

    // UDP into a Python socket.
    const rx = peer.ns.spawn('python3', ['-c', `import socket, json
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("${KERNEL}", 6666))
s.settimeout(5)
print(json.dumps({"type": "bound"}), flush=True)
data, addr = s.recvfrom(2048)
print(json.dumps({"type": "got", "data": data.decode(), "addr": list(addr)}), flush=True)`]);
    const rxLines = new JsonLines(rx);
    await rxLines.expect('bound', 10_000);
    peer.lines.send({ cmd: 'send', hex: hexOf(buildUdp4(LINK, KERNEL, 5555, 6666, new TextEncoder().encode('from synack'))) });
    const sent = await peer.lines.expect<{ stats: { txPackets: number; txDropped: number } }>('sent', 5000);
    assert.equal(sent.stats.txPackets, 1);
    assert.equal(sent.stats.txDropped, 0);
    assert.deepEqual(await rxLines.expect('got', 5000), { type: 'got', data: 'from synack', addr: [LINK, 5555] });

    // ICMP echo request: the kernel answers with an echo reply into the device.
    const payload = new TextEncoder().encode('ping from synack');
    peer.lines.send({ cmd: 'send', hex: hexOf(buildIcmpEcho4(LINK, KERNEL, 8, 0x5a5a, 7, payload)) });
    const reply = await packetWhere(peer.lines, (p) => p[9] === PROTO_ICMP);
    assert.deepEqual([...reply.subarray(12, 20)], [...ip4(KERNEL), ...ip4(LINK)]);
    assert.deepEqual([...reply.subarray(20)], [...buildIcmpEcho4(KERNEL, LINK, 0, 0x5a5a, 7, payload).subarray(20)]);

    // TCP: answer the kernel's SYN with a hand-built RST,ACK; connect() fails at once with ECONNREFUSED.
    const client = peer.ns.spawn('python3', ['-c', `import socket, json, time
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.settimeout(5)
t0 = time.time()
try:
    t.connect(("${LINK}", 7))
    r = "connected"
except ConnectionRefusedError:
    r = "refused"
except socket.timeout:
    r = "timeout"
print(json.dumps({"type": "result", "result": r, "secs": time.time() - t0}), flush=True)`]);
    const clientLines = new JsonLines(client);
    const synBytes = await packetWhere(peer.lines, (p) => p[9] === 6);
    const syn = parseTcpPacket(synBytes);
    assert.ok(syn.ok);
    const rst = buildTcpPacket(ip4(LINK), ip4(KERNEL), { srcPort: 7, dstPort: syn.value.tcp.srcPort, seq: 0, ack: (syn.value.tcp.seq + 1) >>> 0, flags: RST | ACK, window: 0 });
    peer.lines.send({ cmd: 'send', hex: hexOf(rst) });
    const result = await clientLines.expect<{ result: string; secs: number }>('result', 10_000);
    assert.equal(result.result, 'refused');
    assert.ok(result.secs < 2, `refused after ${result.secs}s`);
  });

  await t.test('a synack Stack on the device serves Linux TCP: handshake, bytes both ways, close; Linux keeps TIME_WAIT', async (st) => {
    if (!needKernel(st, ['python3', 'timeout', 'ss'])) return;
    const peer = await startPeer(st, ['--name', 'syn0', '--addr', `${KERNEL}/24`, '--stack', `${LINK}:7000`]);
    const out = await python(
      peer.ns,
      `import socket, json
s = socket.create_connection(("${LINK}", 7000), timeout=5)
s.sendall(b"hello")
buf = b""
while not buf.endswith(b"synack:hello"):
    d = s.recv(100)
    if not d:
        break
    buf += d
s.shutdown(socket.SHUT_WR)
rest = s.recv(100)
port = s.getsockname()[1]
s.close()
print(json.dumps({"reply": buf.decode(), "eof": rest == b"", "port": port}))`,
    );
    const res = JSON.parse(out) as { reply: string; eof: boolean; port: number };
    assert.equal(res.reply, 'synack:hello');
    assert.equal(res.eof, true, 'synack closed its side after our FIN');
    assert.equal((await peer.lines.expect<{ remote: string }>('accepted', 5000)).remote, `${KERNEL}:${res.port}`);
    assert.equal((await peer.lines.expect<{ text: string }>('data', 5000)).text, 'hello');
    await peer.lines.expect('socket-closed', 5000);
    const ss = await peer.ns.exec('ss', ['-tan', 'state', 'time-wait']);
    assert.match(ss, new RegExp(`${KERNEL.replaceAll('.', '\\.')}:${res.port}\\s+${LINK.replaceAll('.', '\\.')}:7000`), ss);
  });

  /** Python sends `n` random bytes to the fixture's stack (--sha256), closes its side, and checks the SHA-256 the stack answers. */
  const bulkSha = (n: number): string => `import hashlib, os, socket, json
data = os.urandom(${n})
s = socket.create_connection(("${LINK}", 7000), timeout=10)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
buf = b""
while True:
    d = s.recv(1 << 16)
    if not d:
        break
    buf += d
s.close()
print(json.dumps({"exact": buf.decode().strip() == hashlib.sha256(data).hexdigest(), "reply": buf.decode().strip()}))`;

  await t.test('offloads: the kernel hands a Stack GSO super-packets (one TCP segment above the MTU), and 4 MiB arrive exact (SHA-256)', async (st) => {
    if (!needKernel(st, ['python3', 'timeout'])) return;
    const peer = await startPeer(st, ['--name', 'gso0', '--addr', `${KERNEL}/24`, '--stack', `${LINK}:7000`, '--sha256', '--offload']);
    assert.equal((peer.ready as { offload?: string }).offload, 'tso4 tso6 csum');
    const res = JSON.parse(await python(peer.ns, bulkSha(4 << 20), 30_000)) as { exact: boolean; reply: string };
    assert.equal(res.exact, true, `the stack hashed exactly the 4 MiB sent (it answered ${res.reply})`);
    peer.child.stdin!.write(JSON.stringify({ cmd: 'stats' }) + '\n');
    const { stats } = await peer.lines.expect<{ stats: { rxGsoPackets: number; rxMaxPacket: number; rxCsumPartial: number; txTsoPackets: number } }>('stats', 5000);
    assert.ok(stats.rxGsoPackets > 0, `GSO super-packets received: ${JSON.stringify(stats)}`);
    assert.ok(stats.rxMaxPacket > peer.ready.mtu, `a packet above the MTU ${peer.ready.mtu} arrived whole: largest ${stats.rxMaxPacket}`);
    assert.ok(stats.rxCsumPartial > 0, 'with partial checksums the Stack did not verify');
  });

  await t.test('offloads refused by the kernel (an unknown TUN_F bit): the link falls back to plain packets, says why, and 4 MiB arrive exact (SHA-256)', async (st) => {
    if (!needKernel(st, ['python3', 'timeout'])) return;
    const peer = await startPeer(st, ['--name', 'gso1', '--addr', `${KERNEL}/24`, '--stack', `${LINK}:7000`, '--sha256', '--offload-flags', String(0x8000 | 0x7)]);
    assert.match((peer.ready as { offload?: string }).offload ?? '', /^off: the kernel refused \(ioctl\(TUNSETOFFLOAD\) 0x8007: Invalid argument/);
    const res = JSON.parse(await python(peer.ns, bulkSha(4 << 20), 30_000)) as { exact: boolean; reply: string };
    assert.equal(res.exact, true, `the stack hashed exactly the 4 MiB sent (it answered ${res.reply})`);
    peer.child.stdin!.write(JSON.stringify({ cmd: 'stats' }) + '\n');
    const { stats } = await peer.lines.expect<{ stats: { rxGsoPackets: number; rxMaxPacket: number } }>('stats', 5000);
    assert.equal(stats.rxGsoPackets, 0);
    assert.ok(stats.rxMaxPacket <= peer.ready.mtu, `no packet above the MTU: largest ${stats.rxMaxPacket}`);
  });

  await t.test('close() releases the fd, the reader thread and the device, and the process then exits by itself', async (st) => {
    const peer = await startPeer(st, ['--name', 'syn0', '--addr', `${KERNEL}/24`]);
    peer.lines.send({ cmd: 'close' });
    const closed = await peer.lines.expect<{ closeMs: number; tunFds: number; threads: number; threadsBefore: number }>('closed', 5000);
    assert.equal(closed.tunFds, 0);
    assert.ok(closed.threads <= closed.threadsBefore, `threads ${closed.threads} after close, ${closed.threadsBefore} before open`);
    assert.ok(closed.closeMs < 1000, `close() took ${closed.closeMs} ms`);
    const exit = await exited(peer.child, 5000);
    assert.equal(exit.code, 0);
    await assert.rejects(peer.ns.exec('ip', ['link', 'show', 'syn0']), /does not exist/);
  });

  await t.test('open/close 20 times, half before the reader thread starts: no fd or thread left', async (st) => {
    const ns = await Netns.create('tun');
    st.after(() => ns.delete());
    const child = ns.spawn(process.execPath, [PEER, '--serve', '--cycle', '20']);
    const lines = new JsonLines(child);
    const r = await lines.expect<{ tunFds: number; threads: number; threadsBefore: number; maxCloseMs: number }>('cycled', 30_000);
    assert.equal(r.tunFds, 0);
    assert.ok(r.threads <= r.threadsBefore, `threads ${r.threads} after, ${r.threadsBefore} before`);
    assert.ok(r.maxCloseMs < 1000, `slowest close() took ${r.maxCloseMs} ms`);
    assert.equal((await exited(child, 5000)).code, 0);
  });

  await t.test('a device deleted under the link is reported through onError, and close() still works', async (st) => {
    const peer = await startPeer(st, ['--name', 'syn0']);
    await peer.ns.exec('ip', ['link', 'del', 'syn0']);
    const err = await peer.lines.expect<{ message: string }>('link-error', 5000);
    assert.match(err.message, /syn0/);
    peer.lines.send({ cmd: 'close' });
    const closed = await peer.lines.expect<{ tunFds: number }>('closed', 5000);
    assert.equal(closed.tunFds, 0);
    assert.equal((await exited(peer.child, 5000)).code, 0);
  });
});
