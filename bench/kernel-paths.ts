/**
 * The real paths of bench/paths.ts, measured against the reference TCP (issue 12): Linux's TCP and
 * synack's TCP on the SAME impaired TUN path, both directions (root only).
 *
 *   node dist/bench/kernel-paths.js [--quick] [--runs N] [--out DIR]      (or: node dist/bench/run.js --kernel-paths)
 *
 * This kernel has no netem, so the path is synack's own link impairment (`synack serve --delay
 * --rate --loss --reorder`, src/link/impaired.ts), which applies to BOTH directions: data and ACKs
 * alike are delayed, rate-limited and lost (bench/paths.ts loses and reorders data only).
 *
 *   namespace synack-kp-*:  Python (kernel TCP) ──► t0 (TUN) ──► [impairment, both ways] ──► synack serve
 *
 * Bulk cases (a few seconds each): the KERNEL sends (Python → synack's discard service, per-socket
 * TCP_CONGESTION cubic — Linux's default — and bbr — this host's net.ipv4.tcp_congestion_control,
 * which new namespaces inherit, so a plain kernel sender here is BBR) and SYNACK sends (Python GET /bytes/N from synack's HTTP service, CUBIC). Goodput is
 * bytes acknowledged (kernel sending) or read (synack sending) per second from the first data
 * on; "2nd half" is the second half of the time. The kernel's TCP_INFO (cwnd, ssthresh, ca_state,
 * lost, sacked, retrans, reordering, D-SACKs) is sampled every 100 ms on the kernel's socket, and
 * its /proc/net/netstat deltas are kept, so the JSON says why a figure is what it is.
 *
 * Lost tail: test/fixtures/tun-lab.js (a synack stack on the TUN device with a drop rule) drops the
 * first transmission of the last 1 or 3 segments of a 20-segment burst sent after a warm idle
 * connection, by the kernel (kernel → synack) or by synack (synack → kernel); the figure is the time
 * from the last original (dropped) transmission to the last retransmission, as seen at synack's
 * end of the link — bench/paths.ts's "recovery time beyond 1-way". synack's virtual-time figure on
 * the same case (bench/real-path.ts) is printed beside it.
 *
 * synack is pinned to vCPU 0 (taskset, its TUN reader thread too), Python to vCPU 1. Figures are
 * real time: synack's per-packet impairment costs CPU, so a case whose rate synack cannot carry
 * shows synack's CPU, not a TCP: the JSON keeps serve's CPU seconds per run to tell.
 * Results: bench/results/kernel-paths.json. Namespaces are deleted and children killed by PID at the end, even on error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Netns, tunUnavailable, missingTools } from '../test/fixtures/netns.js';
import { Lines } from '../test/interop/harness.js';
import { runPath } from './real-path.js';
import { median } from './throughput.js';
import { benchArgsOk } from './args.js';

const MAIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const LAB = fileURLToPath(new URL('../test/fixtures/tun-lab.js', import.meta.url));
const SYNACK_CPU = '0';
const PEER_CPU = '1';
const SYNACK_IP = '10.76.0.2';
const KERNEL_IP = '10.76.0.1';
const LINK = ['--tun', 't0', '--ip', `${SYNACK_IP}/24`, '--host-ip', KERNEL_IP, '--txqueuelen', '10000'];
const ADMIN = '127.0.0.1:8080';
const MSS = 1448;

/**
 * The kernel's end of a bulk transfer. argv: send|recv HOST PORT SECONDS CC [BYTES]. Prints one
 * JSON document: bytes, seconds, goodput whole and 2nd half, TCP_INFO samples, netstat deltas.
 */
const PY_BULK = String.raw`
import json, select, signal, socket, struct, sys, time
signal.alarm(120)
mode, host, port, secs, cc = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
# struct tcp_info (include/uapi/linux/tcp.h) up to tcpi_rcv_wnd
FMT = "<8B24I4Q6I4Q2I2Q5I"
U32 = "rto ato snd_mss rcv_mss unacked sacked lost retrans fackets last_data_sent last_ack_sent last_data_recv last_ack_recv pmtu rcv_ssthresh rtt rttvar snd_ssthresh snd_cwnd advmss reordering rcv_rtt rcv_space total_retrans".split()
def info(s):
    raw = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    raw += bytes(max(0, struct.calcsize(FMT) - len(raw)))
    v = struct.unpack_from(FMT, raw)
    d = dict(zip(U32, v[8:32]))
    q = v[32:]
    d.update(ca_state=v[1], bytes_acked=q[2], bytes_received=q[3], delivery_rate=q[10], bytes_retrans=q[17], dsack_dups=q[18], reord_seen=q[19],
             sndbuf=s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), rcvbuf=s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
    return d
def netstat():
    out = {}
    lines = open("/proc/net/netstat").read().split("\n")
    for i in range(0, len(lines) - 1, 2):
        ks, vs = lines[i].split(), lines[i + 1].split()
        if ks and ks[0] == "TcpExt:":
            out.update(zip(ks[1:], map(int, vs[1:])))
    return out
s = socket.socket()
if cc != "-":
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
s.settimeout(60)
s.connect((host, port))
n0 = netstat()
samples = []
moved = 0
half = None
if mode == "send":
    progress = lambda i: i["bytes_acked"] - 1
    buf = bytes(256 * 1024)
    s.setblocking(False)
else:
    s.sendall(b"GET /bytes/%d HTTP/1.1\r\nhost: synack\r\n\r\n" % int(sys.argv[6]))
    head = b""
    while b"\r\n\r\n" not in head:
        d = s.recv(65536)
        if not d: raise SystemExit("no response")
        head += d
    moved = len(head.split(b"\r\n\r\n", 1)[1])
    progress = lambda i: moved
    s.settimeout(0.02)
t0 = time.monotonic()
nexts = t0
while True:
    now = time.monotonic()
    if now - t0 >= secs: break
    if now >= nexts:
        i = info(s)
        samples.append(dict(t=round(now - t0, 3), **i))
        if half is None and now - t0 >= secs / 2:
            half = (now - t0, progress(i))
        nexts += 0.1
    if mode == "send":
        _, w, _ = select.select([], [s], [], 0.01)
        if w:
            try: s.send(buf)
            except BlockingIOError: pass
    else:
        try:
            d = s.recv(1 << 20)
            if not d: break
            moved += len(d)
        except socket.timeout: pass
el = time.monotonic() - t0
final = info(s)
done = progress(final)
n1 = netstat()
delta = {k: n1[k] - n0.get(k, 0) for k in n1 if n1[k] != n0.get(k, 0)}
steady = (done - half[1]) * 8 / (el - half[0]) / 1e6 if half else None
print(json.dumps(dict(bytes=done, seconds=el, mbps=done * 8 / el / 1e6, steadyMbps=steady, final=final, samples=samples, netstat=delta)))
# Abort (RST): a plain close would leave the unsent rest of the send buffer (up to tcp_wmem[2]) going out behind the next run.
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
`;

/** The kernel's end of a lost-tail run: argv HOST PORT WARM IDLE_S BURST CC; sends WARM, idles, sends BURST, waits, reports TCP_INFO and netstat. */
const PY_TAIL_SEND = String.raw`
import json, socket, struct, sys, time
signal_alarm = __import__("signal").alarm(30)
host, port, warm, idle, burst, cc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
def info(s):
    v = struct.unpack_from("<8B24I", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104))
    return dict(rto_ms=v[8] / 1000, srtt_ms=v[23] / 1000, rttvar_ms=v[24] / 1000, cwnd=v[26], total_retrans=v[31])
def netstat():
    lines = open("/proc/net/netstat").read().split("\n")
    for i in range(0, len(lines) - 1, 2):
        ks, vs = lines[i].split(), lines[i + 1].split()
        if ks and ks[0] == "TcpExt:": return dict(zip(ks[1:], map(int, vs[1:])))
s = socket.socket()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
s.settimeout(10)
s.connect((host, port))
s.sendall(bytes(warm))
time.sleep(idle)
n0 = netstat()
before = info(s)
s.sendall(bytes(burst))
deadline = time.monotonic() + 10
while time.monotonic() < deadline and struct.unpack_from("<8B24I", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104))[12] > 0:
    time.sleep(0.01)  # until nothing is unacknowledged (tcpi_unacked)
after = info(s)
n1 = netstat()
print(json.dumps(dict(port=s.getsockname()[1], before=before, after=after, netstat={k: n1[k] - n0[k] for k in n1 if n1[k] != n0[k]})))
s.close()
`;

/** The kernel as the receiver of synack's burst: connect, read until EOF, report the local port. */
const PY_TAIL_RECV = String.raw`
import json, socket, sys
__import__("signal").alarm(30)
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
n = 0
while True:
    d = s.recv(65536)
    if not d: break
    n += len(d)
print(json.dumps(dict(port=s.getsockname()[1], bytes=n)))
s.close()
`;

interface BulkResult {
  bytes: number;
  seconds: number;
  mbps: number;
  steadyMbps: number | null;
  final: Record<string, number>;
  samples: Array<Record<string, number>>;
  netstat: Record<string, number>;
}

interface Row {
  case: string;
  sender: string;
  figure: string;
  value: number;
  unit: string;
  /** bench/paths.ts's goal or synack's virtual-time figure, for the reader. */
  reference?: string;
  detail?: Record<string, unknown>;
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** What the kernel's TCP_INFO samples say about one transfer: the "why" of its figure. */
function kernelWhy(r: BulkResult): Record<string, unknown> {
  const cw = r.samples.map((s) => s.snd_cwnd!);
  const states = [0, 0, 0, 0, 0];
  for (const s of r.samples) states[s.ca_state!] = (states[s.ca_state!] ?? 0) + 1;
  const f = r.final;
  const ns = r.netstat;
  const pick = (keys: string[]): Record<string, number> => Object.fromEntries(keys.filter((k) => ns[k] !== undefined).map((k) => [k, ns[k]!]));
  return {
    cwndMin: Math.min(...cw),
    cwndMedian: median(cw),
    cwndMax: Math.max(...cw),
    ssthreshFinal: f.snd_ssthresh! > 1e9 ? 'infinite' : f.snd_ssthresh,
    samplesByCaState: { open: states[0], disorder: states[1], cwr: states[2], recovery: states[3], loss: states[4] },
    srttMsFinal: round(f.rtt! / 1000),
    totalRetrans: f.total_retrans,
    reordering: f.reordering,
    reordSeen: f.reord_seen,
    dsackDups: f.dsack_dups,
    sndbufMax: Math.max(...r.samples.map((s) => s.sndbuf!)),
    inflightMedianBytes: median(r.samples.map((s) => s.unacked! * s.snd_mss!)),
    inflightMaxBytes: Math.max(...r.samples.map((s) => s.unacked! * s.snd_mss!)),
    rcvbufMax: Math.max(...r.samples.map((s) => s.rcvbuf!)),
    netstat: pick(['TCPLossProbes', 'TCPLossProbeRecovery', 'TCPSackRecovery', 'TCPFastRetrans', 'TCPLostRetransmit', 'TCPTimeouts', 'TCPSpuriousRTOs', 'TCPSACKReorder', 'TCPTSReorder', 'TCPDSACKRecv', 'TCPDSACKOldSent', 'TCPDSACKOfoSent', 'TCPLossUndo', 'TCPDSACKUndo', 'TCPHystartTrainDetect', 'TCPHystartDelayDetect', 'TCPHystartDelayCwnd', 'TCPOFOQueue']),
  };
}

/** The same for synack as the sender: its /connections samples, its counters, and the kernel receiver's. */
function synackWhy(r: BulkResult): Record<string, unknown> {
  const x = r as BulkResult & { synack?: Record<string, number>; synackSamples?: Array<Record<string, number>> };
  const v = x.synackSamples ?? [];
  const of = (k: string): number[] => v.map((s) => s[k]!).filter((n) => Number.isFinite(n));
  return {
    ...(v.length > 0
      ? {
          cwndMin: Math.min(...of('cwndSegments')),
          cwndMedian: median(of('cwndSegments')),
          cwndMax: Math.max(...of('cwndSegments')),
          ssthreshFinal: v.at(-1)!.ssthreshSegments! > 1e9 ? 'infinite' : v.at(-1)!.ssthreshSegments,
          srttMsFinal: v.at(-1)!.srtt,
          inflightMedianBytes: median(of('bytesInFlight')),
          inflightMaxBytes: Math.max(...of('bytesInFlight')),
        }
      : {}),
    synack: x.synack,
    kernelReceiver: { netstat: r.netstat, rcvbufMax: Math.max(...r.samples.map((s) => s.rcvbuf!)) },
  };
}

interface PathCase {
  name: string;
  /** The impairment flags of `synack serve`. */
  impairment: string[];
  seconds: number;
  /** Bytes to ask synack for (more than it can send in `seconds`). */
  downloadBytes: number;
  /** bench/paths.ts's figure or goal for this case, for the table. */
  reference: string;
  /** Also run the kernel (bbr) with tcp_wmem[2] raised to 32 MiB, as bench/paths.ts's tuned host. */
  tunedWmem?: boolean;
}

const TUNED = 'linux bbr, wmem[2] 32M';
const SENDERS = ['linux cubic', 'linux bbr', TUNED, 'synack cubic'];

/** One impaired path (one namespace, one `synack serve`), every sender on it in turn. */
async function bulkCase(c: PathCase, runs: number, spaces: Netns[]): Promise<Map<string, BulkResult[]>> {
  const ns = await Netns.create('kp');
  spaces.push(ns);
  const serve = ns.spawn(process.execPath, [MAIN, 'serve', ...LINK, ...c.impairment, '--discard', '9', '--http', '80', '--admin', ADMIN], { cpus: SYNACK_CPU });
  serve.stdin!.end();
  const banner = await new Lines(serve).waitFor(/^synack serving on /, 20_000);
  console.log(`  ${banner}`);
  const stats = async (): Promise<Record<string, number>> => JSON.parse(await ns.exec('curl', ['-sS', '--max-time', '20', `http://${ADMIN}/stats`], 25_000)) as Record<string, number>;
  const out = new Map<string, BulkResult[]>();
  const wmem = (await ns.exec('sysctl', ['-n', 'net.ipv4.tcp_wmem'])).trim().split(/\s+/);
  const senders: Array<[string, string[]]> = [
    ['linux cubic', ['send', SYNACK_IP, '9', String(c.seconds), 'cubic']],
    ['linux bbr', ['send', SYNACK_IP, '9', String(c.seconds), 'bbr']],
    ['synack cubic', ['recv', SYNACK_IP, '80', String(c.seconds), '-', String(c.downloadBytes)]],
  ];
  if (c.tunedWmem) senders.splice(2, 0, [TUNED, ['send', SYNACK_IP, '9', String(c.seconds), 'bbr']]);
  for (let run = 0; run < runs; run++) {
    for (const [name, args] of senders) {
      // The tuned host: tcp_wmem[2] raised in this namespace only (bench/paths.ts's TUNED has wmem[2] = 32 MiB).
      await ns.exec('sysctl', ['-q', '-w', `net.ipv4.tcp_wmem=${wmem[0]} ${wmem[1]} ${name === TUNED ? 32 << 20 : wmem[2]}`]);
      const cpu0 = cpuSeconds(serve.pid!);
      const st0 = name.startsWith('synack') ? await stats() : {};
      // synack sending: its own view of the connection (/connections, as `synack ss -ti`) twice a second meanwhile.
      const view: Array<Record<string, number>> = [];
      let running = true;
      const watch = name.startsWith('synack') ? synackView(ns, view, () => running) : Promise.resolve();
      const r = JSON.parse(await ns.exec('taskset', ['-c', PEER_CPU, 'python3', '-c', PY_BULK, ...args], (c.seconds + 90) * 1000).finally(() => (running = false))) as BulkResult & {
        synack?: Record<string, number>;
        synackCpuSeconds?: number;
        synackSamples?: Array<Record<string, number>>;
      };
      await watch;
      if (view.length > 0) r.synackSamples = view;
      r.synackCpuSeconds = round(cpuSeconds(serve.pid!) - cpu0, 2);
      if (name.startsWith('synack')) {
        const st1 = await stats();
        r.synack = Object.fromEntries(['RetransSegs', 'TCPLossProbes', 'TCPSackRecovery', 'TCPFastRetrans', 'TCPTimeouts', 'TCPSpuriousRTOs', 'TCPDSACKRecv', 'TCPLossUndo', 'TCPDSACKUndo'].filter((k) => st1[k] !== undefined).map((k) => [k, st1[k]! - (st0[k] ?? 0)]));
      }
      out.set(name, [...(out.get(name) ?? []), r]);
      await new Promise((res) => setTimeout(res, 1000)); // let the aborted connection's last packets drain
      console.log(`  ${c.name}, ${name} sending: ${r.mbps.toFixed(1)} Mbit/s (2nd half ${r.steadyMbps?.toFixed(1) ?? '-'}), synack CPU ${r.synackCpuSeconds} s in ${r.seconds.toFixed(1)} s`);
    }
  }
  await ns.delete();
  return out;
}

/** Poll synack's /connections every 500 ms while `alive()`, keeping the HTTP connection's cwnd, flight, srtt and recovery counters. */
async function synackView(ns: Netns, out: Array<Record<string, number>>, alive: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (alive()) {
    await new Promise((res) => setTimeout(res, 500));
    try {
      const rows = JSON.parse(await ns.exec('curl', ['-sS', '--max-time', '2', `http://${ADMIN}/connections`], 4000)) as Array<{ local: string; state: string; info?: Record<string, number> }>;
      const i = rows.find((x) => x.local.endsWith(':80') && x.state === 'ESTABLISHED')?.info;
      if (i) out.push({ t: (Date.now() - t0) / 1000, cwndSegments: i.cwndSegments!, ssthreshSegments: i.ssthreshSegments!, bytesInFlight: i.bytesInFlight!, srtt: i.srtt!, totalRetrans: i.totalRetrans!, lost: i.lost!, sacked: i.sacked! });
    } catch {
      /* a busy serve may miss a poll */
    }
  }
}

interface TailRun {
  /** ms from the last original (dropped) transmission to the first and to the last retransmission of the dropped segments. */
  firstRtxMs: number;
  lastRtxMs: number;
  kernel?: Record<string, unknown>;
}

/** Lost tails on a 10 ms RTT, 100 Mbit/s path: `dir` in = the kernel sends, out = synack sends. */
async function tailCase(dir: 'in' | 'out', lost: number, runs: number, spaces: Netns[]): Promise<TailRun[]> {
  const warm = 50 * MSS;
  const burst = 20 * MSS;
  const from = warm + (20 - lost) * MSS;
  const ns = await Netns.create('kt');
  spaces.push(ns);
  const labArgs = [LAB, '--run', ...LINK, '--delay', '5', '--rate', '100M', '--port', '5001', '--drop', `${dir}:${from}:${warm + burst}`, '--sample-ms', '1000'];
  if (dir === 'out') labArgs.push('--mode', 'source', '--warm', String(warm), '--idle', '300', '--burst', String(burst));
  const lab = ns.spawn(process.execPath, labArgs, { cpus: SYNACK_CPU });
  lab.stdin!.end();
  const lines = new Lines(lab);
  await lines.waitFor(/"type":"ready"/, 20_000);
  const results: TailRun[] = [];
  for (let run = 0; run < runs; run++) {
    const py = dir === 'in' ? ['python3', '-c', PY_TAIL_SEND, SYNACK_IP, '5001', String(warm), '0.3', String(burst), 'cubic'] : ['python3', '-c', PY_TAIL_RECV, SYNACK_IP, '5001'];
    const mark = lines.out.length; // this run's lines only (a kernel port may come again)
    const kernel = JSON.parse(await ns.exec('taskset', ['-c', PEER_CPU, ...py], 40_000)) as { port: number } & Record<string, unknown>;
    type Seg = { t: number; dir: string; port: number; off: number; dropped: boolean; rtx: boolean };
    let segs: Seg[] = [];
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      segs = lines.out
        .slice(mark)
        .filter((l) => l.startsWith('{"type":"seg"'))
        .map((l) => JSON.parse(l) as Seg)
        .filter((x) => x.port === kernel.port && x.dir === dir && x.off >= from);
      if (segs.filter((x) => x.rtx).length >= lost) break; // every lost segment has come again
    }
    // Each dropped segment's first transmission after its drop (by offset): the retransmission that repairs it.
    const dropped = segs.filter((x) => x.dropped);
    const lastOriginal = Math.max(...dropped.map((x) => x.t));
    const repairs = dropped.map((d) => segs.find((x) => x.rtx && x.off === d.off && x.t >= d.t)?.t);
    if (dropped.length !== lost || repairs.some((t) => t === undefined)) throw new Error(`tail ${dir}/${lost}: ${dropped.length} segments dropped, ${repairs.filter((t) => t !== undefined).length} repaired`);
    const rtx = repairs as number[];
    results.push({ firstRtxMs: round(Math.min(...rtx) - lastOriginal), lastRtxMs: round(Math.max(...rtx) - lastOriginal), ...(dir === 'in' ? { kernel } : {}) });
  }
  await ns.delete();
  return results;
}

function arg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`--${name}: expected a positive integer`);
  return v;
}

const USAGE = `usage: node dist/bench/kernel-paths.js [--quick] [--runs N] [--tail-runs N] [--case TEXT] [--out DIR]   (root)
Linux's TCP and synack's on the same impaired TUN path; results in bench/results/kernel-paths.json.`;

export async function runKernelPaths(argv: string[]): Promise<void> {
  const flags = { quick: { type: 'boolean' }, runs: { type: 'string' }, 'tail-runs': { type: 'string' }, case: { type: 'string' }, out: { type: 'string' } } as const;
  if (!benchArgsOk('bench/kernel-paths', argv, flags, USAGE)) return;
  const why = tunUnavailable() ?? missingTools(['python3', 'curl', 'taskset']);
  if (why !== undefined) {
    console.log(`bench/kernel-paths: skipped: ${why} (needs root, /dev/net/tun, iproute2, python3, curl, taskset)`);
    return;
  }
  const quick = argv.includes('--quick');
  const runs = arg(argv, 'runs', 1);
  const tailRuns = arg(argv, 'tail-runs', quick ? 3 : 5);
  const outIdx = argv.indexOf('--out');
  const outDir = resolve(process.cwd(), outIdx >= 0 && argv[outIdx + 1] ? argv[outIdx + 1]! : 'bench/results');
  const started = Date.now();
  const s = quick ? 0.5 : 1;
  const cases: PathCase[] = [
    { name: '100 ms RTT, 1 Gbit/s', impairment: ['--delay', '50', '--rate', '1G', '--queue-limit', '12500000'], seconds: 10 * s, downloadBytes: 1e9, reference: 'paths.ts: 255 Mbit/s (tcp_wmem[2] 4 MiB), goal ≥ 800', tunedWmem: true },
    { name: '10 ms RTT, 100 Mbit/s, lossless', impairment: ['--delay', '5', '--rate', '100M'], seconds: 5 * s, downloadBytes: 2e8, reference: '' },
    { name: '10 ms RTT, 100 Mbit/s, 1 % loss', impairment: ['--delay', '5', '--rate', '100M', '--loss', '0.01'], seconds: 5 * s, downloadBytes: 2e8, reference: 'paths.ts: ~19 % of lossless, goal ≥ 80 %' },
    { name: '10 ms RTT, 100 Mbit/s, 1 % reordered by 3 ms', impairment: ['--delay', '5', '--rate', '100M', '--reorder', '0.01', '--reorder-delay', '3'], seconds: 5 * s, downloadBytes: 2e8, reference: 'goal: 0 spurious after adaptation' },
  ];
  // --case TEXT: only the bulk cases whose name contains TEXT ("loss", "reordered", "tail": only the lost tails).
  const caseIdx = argv.indexOf('--case');
  const only = caseIdx >= 0 ? argv[caseIdx + 1] ?? '' : undefined;
  const bulkCases = only === undefined ? cases : cases.filter((c) => c.name.includes(only));
  const tails = only === undefined || only === 'tail';
  const spaces: Netns[] = [];
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  const sysctl = readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().replace(/\s+/g, ' ');
  const rmem = readFileSync('/proc/sys/net/ipv4/tcp_rmem', 'utf8').trim().replace(/\s+/g, ' ');
  try {
    const bulk = new Map<string, Map<string, BulkResult[]>>();
    for (const c of bulkCases) {
      console.log(`${c.name}:`);
      const r = await bulkCase(c, runs, spaces);
      bulk.set(c.name, r);
      raw[c.name] = Object.fromEntries([...r].map(([k, v]) => [k, v.map((x) => ({ ...x, samples: x.samples.length > 0 ? `${x.samples.length} samples` : [] }))]));
    }
    const med = (c: string, sender: string, f: (r: BulkResult) => number | null): number => median(bulk.get(c)!.get(sender)!.map((r) => f(r) ?? NaN));
    for (const c of bulkCases) {
      for (const sender of SENDERS) {
        const rs = bulk.get(c.name)!.get(sender);
        if (rs === undefined) continue;
        const last = rs.at(-1)!;
        const detail: Record<string, unknown> = sender.startsWith('linux') ? kernelWhy(last) : synackWhy(last);
        detail.synackCpuSecondsPerRun = (last as unknown as { synackCpuSeconds: number }).synackCpuSeconds;
        detail.seconds = round(last.seconds, 2);
        rows.push({ case: c.name, sender, figure: 'goodput', value: round(med(c.name, sender, (r) => r.mbps)), unit: 'Mbit/s', reference: c.reference, detail });
        rows.push({ case: c.name, sender, figure: 'goodput, 2nd half', value: round(med(c.name, sender, (r) => r.steadyMbps)), unit: 'Mbit/s' });
        if (c.name.includes('1 % loss') && bulk.has(cases[1]!.name)) {
          const clean = cases[1]!.name;
          rows.push({ case: c.name, sender, figure: 'lossy vs lossless', value: round((100 * med(c.name, sender, (r) => r.mbps)) / med(clean, sender, (r) => r.mbps)), unit: '%', reference: 'goal ≥ 80' });
        }
        if (c.name.includes('reordered')) {
          // Spurious retransmissions: D-SACKs the sender received (the kernel's tcpi_dsack_dups; for synack, the D-SACKs the kernel receiver sent).
          const linux = sender.startsWith('linux');
          const spurious = rs.map((r) => (linux ? r.final.dsack_dups! : (r.netstat.TCPDSACKOldSent ?? 0) + (r.netstat.TCPDSACKOfoSent ?? 0)));
          const retrans = rs.map((r) => (linux ? r.final.total_retrans! : ((r as unknown as { synack: Record<string, number> }).synack.RetransSegs ?? 0)));
          rows.push({ case: c.name, sender, figure: 'spurious rtx (median)', value: median(spurious), unit: `segs (runs: ${spurious.join(', ')} of ${retrans.join(', ')} rtx)`, reference: 'goal: 0 spurious after adaptation' });
        }
      }
    }

    // Lost tails, the kernel sending and synack sending on the same path; synack's virtual-time figure beside them.
    for (const lost of tails ? [1, 3] : []) {
      const virtual = runPath({ rateBps: 100e6, rttMs: 10, bytes: 20 * MSS, dropData: (i) => i > 20 - lost && i <= 20 });
      const virtualMs = round(virtual.lastFirstSendToDoneMs - 5);
      for (const dir of ['in', 'out'] as const) {
        const rs = await tailCase(dir, lost, tailRuns, spaces);
        const last = rs.map((r) => r.lastRtxMs);
        const first = rs.map((r) => r.firstRtxMs);
        const sender = dir === 'in' ? 'linux cubic' : 'synack cubic';
        console.log(`lost tail of ${lost}, ${sender} sending: last retransmission ${last.join(' ')} ms after the last original; first ${first.join(' ')} ms`);
        rows.push({
          case: `lost tail of ${lost} (of 20), 10 ms RTT`,
          sender,
          figure: 'recovery (median)',
          value: median(last),
          unit: `ms (runs ${last.join(', ')})`,
          reference: `paths.ts (synack, virtual time): ${virtualMs} ms`,
          detail: { runs: rs },
        });
      }
    }
  } finally {
    for (const ns of spaces.reverse()) await ns.delete();
  }
  printTable(rows);
  mkdirSync(outDir, { recursive: true });
  const file = resolve(outDir, 'kernel-paths.json');
  const doc = {
    benchmark: 'kernel-paths',
    quick,
    node: process.version,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    date: new Date().toISOString(),
    elapsedMs: Date.now() - started,
    sysctl: { tcp_wmem: sysctl, tcp_rmem: rmem, hostCongestionControl: readFileSync('/proc/sys/net/ipv4/tcp_congestion_control', 'utf8').trim() },
    impairment: 'synack serve --delay/--rate/--loss/--reorder: both directions (data and ACKs)',
    pinning: { synack: `taskset -c ${SYNACK_CPU}`, kernelPeer: `taskset -c ${PEER_CPU}` },
    loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
    rows,
    raw,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

function printTable(rows: Row[]): void {
  const w = (x: string, n: number): string => (x.length >= n ? x + ' ' : x + ' '.repeat(n - x.length));
  console.log(`${w('case', 46)}${w('sender', 24)}${w('figure', 28)}${w('value', 40)}reference`);
  for (const r of rows) console.log(`${w(r.case, 46)}${w(r.sender, 24)}${w(r.figure, 28)}${w(`${r.value} ${r.unit}`, 40)}${r.reference ?? ''}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runKernelPaths(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
