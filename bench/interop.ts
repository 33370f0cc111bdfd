/**
 * Interop throughput (root only): curl against `synack serve --http` on a TUN
 * device, beside curl against the kernel's own TCP over a veth pair, with the
 * same sizes, in the same run, as ratios.
 *
 *   node dist/bench/interop.js [--mb N] [--runs N] [--out DIR]
 *
 * Topology (namespaces made for the run, deleted at the end, children killed by PID):
 *
 *   synack-bsyn-*:  curl ──kernel TCP──► t0 (TUN, MTU 1500) ──► synack serve --http 80   (10.78.0.1 → 10.78.0.2)
 *   synack-bk1-* / synack-bk2-*:  curl ──kernel TCP── veth (MTU 1500) ──kernel TCP──► Python HTTP server   (10.79.0.2 → 10.79.0.1)
 *
 * Both servers speak the same API: GET /bytes/N (N bytes; synack streams its
 * AES-CTR pseudo-random body, Python a random 1 MiB block over and over) and
 * POST /sha256 (the body is hashed: SHA-256 costs both sides the same
 * OpenSSL code). Servers are pinned to vCPU 0 (synack: its main thread and
 * its TUN reader thread share it), curl to vCPU 1 (`taskset`), so each side
 * has one core whatever else the machine does. Rounds interleave synack and
 * kernel transfers; figures are medians after one warm-up round. Note what
 * the ratio compares: synack is one userspace process that crosses the
 * TUN device once per packet (1500-byte packets, no offloads), while the veth
 * path keeps everything in the kernel and moves 64 KB GSO super-packets.
 * Results go to bench/results/interop.json (relative to the working directory).
 */
import { mkdirSync, writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pseudoRandomBytes } from '../src/apps/pseudo-random.js';
import { Netns, tunUnavailable } from '../test/fixtures/netns.js';
import { Lines } from '../test/interop/harness.js';

const MAIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const SERVER_CPU = '0';
const CLIENT_CPU = '1';

/** The kernel-side baseline server: the same two endpoints as synack's HTTP service. */
const PY_SERVER = String.raw`
import hashlib, http.server, os, signal, sys
signal.alarm(900)
BLOCK = os.urandom(1 << 20)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def do_GET(self):
        n = int(self.path.rsplit("/", 1)[1])
        self.send_response(200)
        self.send_header("content-length", str(n))
        self.end_headers()
        view = memoryview(BLOCK)
        while n > 0:
            k = min(n, len(BLOCK))
            self.wfile.write(view[:k])
            n -= k
    def do_POST(self):
        n = int(self.headers["content-length"])
        h = hashlib.sha256()
        while n > 0:
            d = self.rfile.read(min(n, 1 << 20))
            if not d:
                break
            h.update(d)
            n -= len(d)
        body = (h.hexdigest() + "\n").encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
srv = http.server.ThreadingHTTPServer((sys.argv[1], 80), H)
print("ready", flush=True)
srv.serve_forever()
`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!(v > 0 && Number.isFinite(v))) throw new RangeError(`--${name}: expected a positive number`);
  return v;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

interface Transfer {
  gbps: number;
  seconds: number;
}

/** One curl transfer, pinned; the figure is curl's own (bytes / total time, connection setup included). */
async function curl(ns: Netns, url: string, upload: string | undefined, bytes: number): Promise<Transfer> {
  const args = ['-c', CLIENT_CPU, 'curl', '-sS', '--fail', '--max-time', '300', '-H', 'Expect:', '-o', '/dev/null', '-w', '%{time_total} %{size_download} %{size_upload}'];
  if (upload !== undefined) args.push('-H', 'content-type: application/octet-stream', '--data-binary', `@${upload}`);
  args.push(url);
  const [time, down, up] = (await ns.exec('taskset', args, 320_000)).trim().split(' ').map(Number) as [number, number, number];
  const moved = upload !== undefined ? up : down;
  if (moved !== bytes) throw new Error(`${url}: moved ${moved} bytes, expected ${bytes}`);
  return { gbps: (bytes * 8) / time / 1e9, seconds: time };
}

async function main(): Promise<void> {
  const why = tunUnavailable();
  if (why !== undefined) {
    console.error(`bench/interop: ${why} (root, /dev/net/tun and iproute2 needed)`);
    process.exitCode = 1;
    return;
  }
  const mb = arg('mb', 50);
  const runs = arg('runs', 5);
  const outIdx = process.argv.indexOf('--out');
  const outDir = resolve(process.cwd(), outIdx >= 0 && process.argv[outIdx + 1] ? process.argv[outIdx + 1]! : 'bench/results');
  const bytes = Math.round(mb * 1e6);
  const started = Date.now();

  const scratch = mkdtempSync(join(tmpdir(), 'synack-bench-'));
  const uploadFile = join(scratch, 'upload.bin');
  writeFileSync(uploadFile, pseudoRandomBytes(bytes, 1));
  const spaces: Netns[] = [];
  try {
    // synack: serve on a TUN device in its own namespace; curl from the kernel side of that device.
    const syn = await Netns.create('bsyn');
    spaces.push(syn);
    const serve = syn.spawn(process.execPath, [MAIN, 'serve', '--tun', 't0', '--ip', '10.78.0.2/24', '--host-ip', '10.78.0.1', '--http', '80'], { cpus: SERVER_CPU });
    serve.stdin!.end();
    await new Lines(serve).waitFor(/^synack serving on /, 15_000);

    // Kernel to kernel: a veth pair between two namespaces, the Python server on one end.
    const k1 = await Netns.create('bk1');
    spaces.push(k1);
    const k2 = await Netns.create('bk2');
    spaces.push(k2);
    await k1.exec('ip', ['link', 'add', 'vb1', 'type', 'veth', 'peer', 'name', 'vb2', 'netns', k2.name]);
    await k1.exec('ip', ['addr', 'add', '10.79.0.1/24', 'dev', 'vb1']);
    await k2.exec('ip', ['addr', 'add', '10.79.0.2/24', 'dev', 'vb2']);
    await k1.exec('ip', ['link', 'set', 'vb1', 'up', 'mtu', '1500']);
    await k2.exec('ip', ['link', 'set', 'vb2', 'up', 'mtu', '1500']);
    const py = k1.spawn('python3', ['-u', '-c', PY_SERVER, '10.79.0.1'], { cpus: SERVER_CPU });
    py.stdin!.end();
    await new Lines(py).waitFor(/^ready$/, 10_000);

    const cases = {
      synackDown: () => curl(syn, `http://10.78.0.2/bytes/${bytes}`, undefined, bytes),
      kernelDown: () => curl(k2, `http://10.79.0.1/bytes/${bytes}`, undefined, bytes),
      synackUp: () => curl(syn, 'http://10.78.0.2/sha256', uploadFile, bytes),
      kernelUp: () => curl(k2, 'http://10.79.0.1/sha256', uploadFile, bytes),
    };
    const results: Record<keyof typeof cases, Transfer[]> = { synackDown: [], kernelDown: [], synackUp: [], kernelUp: [] };
    const synackCpu: { down: number[]; up: number[] } = { down: [], up: [] };
    for (let round = 0; round <= runs; round++) {
      for (const key of Object.keys(cases) as Array<keyof typeof cases>) {
        const cpu0 = key.startsWith('synack') ? cpuSeconds(serve.pid!) : 0;
        const r = await cases[key]();
        if (round === 0) continue; // warm-up (synack also hashes the /bytes body once here)
        results[key].push(r);
        if (key === 'synackDown') synackCpu.down.push(cpuSeconds(serve.pid!) - cpu0);
        if (key === 'synackUp') synackCpu.up.push(cpuSeconds(serve.pid!) - cpu0);
      }
      if (round > 0) console.log(`round ${round}: ${(Object.keys(results) as Array<keyof typeof results>).map((k) => `${k} ${results[k].at(-1)!.gbps.toFixed(3)}`).join('  ')} Gbit/s`);
    }
    serve.kill('SIGTERM');

    const med = (k: keyof typeof results): number => median(results[k].map((r) => r.gbps));
    const summary = {
      download: { synackGbps: med('synackDown'), kernelGbps: med('kernelDown'), ratio: med('synackDown') / med('kernelDown'), synackCpuSecondsPerRun: median(synackCpu.down) },
      upload: { synackGbps: med('synackUp'), kernelGbps: med('kernelUp'), ratio: med('synackUp') / med('kernelUp'), synackCpuSecondsPerRun: median(synackCpu.up) },
    };
    for (const dir of ['download', 'upload'] as const) {
      const s = summary[dir];
      console.log(
        `${dir.padEnd(8)} ${mb} MB: synack ${s.synackGbps.toFixed(3)} Gbit/s (${((s.synackGbps * 1e3) / 8).toFixed(1)} MB/s, ${s.synackCpuSecondsPerRun.toFixed(2)} CPU s), ` +
          `kernel-to-kernel ${s.kernelGbps.toFixed(2)} Gbit/s → ratio ${s.ratio.toFixed(4)} (1/${(1 / s.ratio).toFixed(0)})`,
      );
    }
    mkdirSync(outDir, { recursive: true });
    const file = resolve(outDir, 'interop.json');
    const doc = {
      benchmark: 'interop',
      node: process.version,
      date: new Date().toISOString(),
      elapsedMs: Date.now() - started,
      bytesPerTransfer: bytes,
      runs,
      pinning: { server: `taskset -c ${SERVER_CPU}`, client: `taskset -c ${CLIENT_CPU}` },
      mtu: 1500,
      summary,
      runsGbps: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((r) => Number(r.gbps.toFixed(4)))])),
    };
    writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
    console.log(`wrote ${file}`);
  } finally {
    for (const ns of spaces.reverse()) await ns.delete();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
