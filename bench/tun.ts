/**
 * Micro-benchmark of TunLink (root only): packets per second read and written
 * through a Linux TUN device, inside a network namespace made for the run.
 *
 *   node dist/bench/tun.js [--rounds N] [--ms MS] [--quick] [--only CPUS:READER:SIZE]
 *   (TUN_BENCH_DEBUG=1 prints every round's raw messages)
 *
 * Topology, all inside namespace synack-bench-<random>:
 *
 *   writer process: TunLink "bgen0" ──write──► kernel (ip_forward=1)
 *        packets 10.201.2.2 → 10.201.1.2       │ routes 10.201.1.0/24 via brd0
 *   reader process: TunLink "brd0"  ◄──read─── kernel
 *
 * The writer blasts UDP packets for MS ms; its rate is the write figure
 * (write(2) into a TUN fd runs the kernel's receive and forward path inline,
 * so this includes forwarding). The kernel forwards each packet into brd0 and
 * the reader counts what its onPacket handler gets, first to last packet (the
 * read figure), plus the CPU time of its main thread and of its reader thread
 * per packet (/proc/self/task/TID/schedstat). When the writer outruns the
 * reader the device queue drops the excess; when nearly everything arrives
 * the read figure is marked sender-limited. "ceiling" is 1e6 / the busier
 * reader thread's µs per packet. "backlog drain": the reader's main thread is
 * blocked while the writer blasts (the ring, then a 100k-packet device queue
 * fill up), then the rate at which everything is delivered with the writer idle.
 * For comparison the same run measures a reader using Node's async fs.read
 * (libuv pool, 4 reads in flight), the fallback MEASUREMENTS.md puts at
 * ~200k pkt/s on an idle machine.
 *
 * Each configuration runs on both vCPUs and pinned to one (taskset -c 0: the
 * writer and the reader then share it); figures are medians of the rounds
 * after one warm-up. Results go to bench/results/tun.json.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, read as fsRead, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { TunLink } from '../src/link/tun/index.js';
import { addAddress, openTun, setUp } from '../src/link/tun/device.js';
import { buildUdp4 } from '../test/fixtures/ip-packets.js';
import { JsonLines, Netns, tunUnavailable } from '../test/fixtures/netns.js';

const READER_ADDR = '10.201.1.1/24';
const WRITER_ADDR = '10.201.2.1/24';
const SRC = '10.201.2.2';
const DST = '10.201.1.2';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function say(msg: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

/** CPU time (ns) of this process's main thread and of its TUN reader thread (named "tunrd …"), from /proc/self/task/TID/schedstat. */
function threadCpu(): { main: number; reader: number; total: number } {
  let main = 0;
  let reader = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      if (Number(tid) === process.pid) main = ns;
      else if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').startsWith('tunrd')) reader = ns;
    } catch {
      /* thread gone */
    }
  }
  const u = process.cpuUsage();
  return { main, reader, total: (u.user + u.system) * 1000 };
}

function commands(onCmd: (cmd: Record<string, unknown>) => void): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => onCmd(JSON.parse(line) as Record<string, unknown>));
  rl.on('close', () => process.exit(0)); // the orchestrator went away
}

// ───────────────────────────── reader process ─────────────────────────────

async function reader(): Promise<void> {
  const mode = arg('mode') ?? 'link';
  let count = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  let cpu0 = threadCpu();
  const onPacket = (p: Uint8Array): void => {
    if (count === 0) {
      first = performance.now();
      cpu0 = threadCpu();
    }
    count++;
    bytes += p.length;
    last = performance.now();
  };
  let close: () => void;
  let debugStats: () => unknown = () => undefined;
  if (mode === 'link') {
    const link = TunLink.open({ name: 'brd0' });
    debugStats = () => link.stats();
    await link.addAddress(READER_ADDR);
    await link.ready;
    link.onPacket(onPacket);
    close = () => link.close();
  } else {
    // Baseline: libuv thread-pool reads on a blocking fd, 4 in flight.
    const { fd } = openTun('brd0', { blocking: true });
    setUp('brd0');
    await addAddress('brd0', READER_ADDR);
    const issue = (buf: Uint8Array): void => {
      fsRead(fd, buf, 0, buf.length, null, (err, n) => {
        if (err) return;
        onPacket(buf.subarray(0, n));
        issue(buf);
      });
    };
    for (let i = 0; i < 4; i++) issue(new Uint8Array(65536));
    close = () => process.exit(0); // pool threads sit in read(2); exiting is the way out
  }
  commands((cmd) => {
    if (cmd.cmd === 'report') {
      const cpu = threadCpu();
      const per = (ns: number): number => (count > 0 ? ns / 1000 / count : 0);
      say({ type: 'report', count, bytes, spanMs: last - first, cpuUs: { main: per(cpu.main - cpu0.main), reader: per(cpu.reader - cpu0.reader), total: per(cpu.total - cpu0.total) }, debug: debugStats() });
      count = 0;
      bytes = 0;
    } else if (cmd.cmd === 'hold') {
      // Block the main thread (as a busy application would): the reader thread fills the ring, then the kernel queue holds the rest.
      count = 0;
      bytes = 0;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(cmd.ms));
      say({ type: 'held' });
    } else if (cmd.cmd === 'quit') {
      close();
      say({ type: 'bye' });
      process.exit(0);
    }
  });
  say({ type: 'ready' });
}

// ───────────────────────────── writer process ─────────────────────────────

async function writer(): Promise<void> {
  const link = TunLink.open({ name: 'bgen0' });
  await link.addAddress(WRITER_ADDR);
  await link.ready;
  link.onPacket(() => {}); // IPv6 router solicitations and the like
  commands((cmd) => {
    if (cmd.cmd === 'blast') {
      const size = Number(cmd.size);
      const ms = Number(cmd.ms);
      // Distinct packets (a few hundred, reused round-robin); TunLink.send copies nothing, so reuse is safe here.
      const packets = Array.from({ length: 256 }, (_, i) => buildUdp4(SRC, DST, 40000 + i, 9, new Uint8Array(size - 28), i));
      const before = link.stats();
      const cpu0 = threadCpu();
      const t0 = performance.now();
      const end = t0 + ms;
      let sent = 0;
      let now = t0;
      while (now < end) {
        for (let i = 0; i < 256; i++) link.send(packets[i]!);
        sent += 256;
        now = performance.now();
      }
      const after = link.stats();
      const written = after.txPackets - before.txPackets;
      const mainUs = (threadCpu().main - cpu0.main) / 1000 / Math.max(1, written);
      say({ type: 'sent', count: sent, ms: now - t0, written, dropped: after.txDropped - before.txDropped, errno: after.txLastErrno, mainUs });
    } else if (cmd.cmd === 'quit') {
      link.close();
      say({ type: 'bye' });
      process.exit(0);
    }
  });
  say({ type: 'ready' });
}

// ───────────────────────────── orchestrator ─────────────────────────────

interface Row {
  cpus: number;
  reader: string;
  /** IP packet size in bytes. */
  size: number;
  /** Writer: packets/s written with TunLink.send, and CPU µs per packet of its main thread (write(2) runs the kernel's forward path inline). */
  writePps: number;
  writeCpuUs: number;
  /** Reader: packets/s delivered to onPacket (first to last packet), share of written packets delivered. */
  readPps: number;
  delivered: number;
  senderLimited: boolean;
  /** Reader CPU µs per packet: main thread (ring → handler), reader thread (read(2) → ring), whole process. */
  readMainCpuUs: number;
  readThreadCpuUs: number;
  readTotalCpuUs: number;
  /** 1e6 / the busier reader thread's µs per packet: what the reader could sustain with a core per thread. */
  readCeilingPps: number;
  /** Burst drain (TunLink only): packets/s delivered while emptying a backlog (ring + kernel queue) with the writer idle. */
  drainPps?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Resolve once `child` has exited, killing it (by PID) if it takes longer than `ms`. */
function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function measure(ns: Netns, cpus: number, mode: string, size: number, rounds: number, ms: number): Promise<Row> {
  const self = fileURLToPath(import.meta.url);
  const pin = cpus === 1 ? { cpus: '0' } : {};
  const rp = ns.spawn(process.execPath, [self, '--role', 'reader', '--mode', mode], pin);
  const rd = new JsonLines(rp);
  await rd.expect('ready', 10_000);
  const wp = ns.spawn(process.execPath, [self, '--role', 'writer'], pin);
  const wr = new JsonLines(wp);
  await wr.expect('ready', 10_000);
  type Run = { write: number; writeCpu: number; read: number; delivered: number; main: number; thread: number; total: number };
  const runs: Run[] = [];
  try {
    for (let r = -1; r < rounds; r++) {
      wr.send({ cmd: 'blast', size, ms });
      const sent = await wr.expect<{ ms: number; written: number; mainUs: number }>('sent', ms + 10_000);
      await sleep(300); // let the reader drain what is queued
      rd.send({ cmd: 'report' });
      const got = await rd.expect<{ count: number; spanMs: number; cpuUs: { main: number; reader: number; total: number }; debug: unknown }>('report', 10_000);
      if (process.env.TUN_BENCH_DEBUG) console.log(JSON.stringify({ sent, got }));
      if (r < 0) continue; // warm-up
      runs.push({
        write: sent.written / (sent.ms / 1000),
        writeCpu: sent.mainUs,
        read: got.count > 1 ? (got.count - 1) / (got.spanMs / 1000) : 0,
        delivered: got.count / Math.max(1, sent.written),
        main: got.cpuUs.main,
        thread: got.cpuUs.reader,
        total: got.cpuUs.total,
      });
    }
  } finally {
    rd.send({ cmd: 'quit' });
    wr.send({ cmd: 'quit' });
    await Promise.allSettled([rd.expect('bye', 3000), wr.expect('bye', 3000)]);
    await Promise.all([exited(rp, 3000), exited(wp, 3000)]); // the next configuration reuses the device names
  }
  const med = (f: (r: Run) => number, digits = 0): number => Number(median(runs.map(f)).toFixed(digits));
  const drains: number[] = [];
  if (mode === 'link') {
    // Backlog drain: the reader's main thread is held while the writer blasts, then drains everything at once.
    const rp2 = ns.spawn(process.execPath, [self, '--role', 'reader', '--mode', mode], pin);
    const rd2 = new JsonLines(rp2);
    const wp2 = ns.spawn(process.execPath, [self, '--role', 'writer'], pin);
    const wr2 = new JsonLines(wp2);
    try {
      await rd2.expect('ready', 10_000);
      await wr2.expect('ready', 10_000);
      await ns.exec('ip', ['link', 'set', 'brd0', 'txqueuelen', '100000']);
      for (let r = 0; r < rounds; r++) {
        rd2.send({ cmd: 'hold', ms: ms + 200 });
        wr2.send({ cmd: 'blast', size, ms });
        await wr2.expect('sent', ms + 10_000);
        await rd2.expect('held', ms + 10_000);
        await sleep(500);
        rd2.send({ cmd: 'report' });
        const got = await rd2.expect<{ count: number; spanMs: number }>('report', 10_000);
        if (got.count > 1) drains.push((got.count - 1) / (got.spanMs / 1000));
      }
    } finally {
      rd2.send({ cmd: 'quit' });
      wr2.send({ cmd: 'quit' });
      await Promise.all([exited(rp2, 3000), exited(wp2, 3000)]);
    }
  }
  const main = med((r) => r.main, 3);
  const thread = med((r) => r.thread, 3);
  return {
    cpus,
    reader: mode,
    size,
    writePps: med((r) => r.write),
    writeCpuUs: med((r) => r.writeCpu, 3),
    readPps: med((r) => r.read),
    delivered: med((r) => r.delivered, 3),
    senderLimited: med((r) => r.delivered, 3) > 0.98,
    readMainCpuUs: main,
    readThreadCpuUs: thread,
    readTotalCpuUs: med((r) => r.total, 3),
    readCeilingPps: mode === 'link' ? Math.round(1e6 / Math.max(main, thread)) : Math.round(1e6 / med((r) => r.total, 3)),
    ...(drains.length > 0 ? { drainPps: Math.round(median(drains)) } : {}),
  };
}

async function orchestrate(): Promise<void> {
  const why = tunUnavailable();
  if (why !== undefined) {
    console.log(`bench/tun: skipped (${why}; needs root and /dev/net/tun)`);
    return;
  }
  const quick = process.argv.includes('--quick');
  const rounds = Number(arg('rounds') ?? (quick ? 2 : 5));
  const ms = Number(arg('ms') ?? (quick ? 300 : 1000));
  const only = arg('only'); // e.g. "2:link:64"
  const allConfigs: Array<[number, string, number]> = [
    [2, 'link', 64],
    [2, 'link', 1400],
    [2, 'fs-async', 64],
    [1, 'link', 64],
    [1, 'link', 1400],
    [1, 'fs-async', 64],
  ];
  const configs = only === undefined ? allConfigs : allConfigs.filter((c) => c.join(':') === only);
  const rows: Row[] = [];
  const ns = await Netns.create('bench');
  const stop = (): void => void ns.delete().then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    for (const [cpus, mode, size] of configs) {
      const row = await measure(ns, cpus, mode, size, rounds, ms);
      rows.push(row);
      console.log(
        `${row.cpus} vCPU ${row.reader.padEnd(8)} ${String(row.size).padStart(4)} B | write ${fmt(row.writePps)}/s (${row.writeCpuUs} µs/pkt) | ` +
          `read ${fmt(row.readPps)}/s, ${(row.delivered * 100).toFixed(1)}% delivered${row.senderLimited ? ' (sender-limited)' : ''} | ` +
          `reader CPU µs/pkt: main ${row.readMainCpuUs}, read thread ${row.readThreadCpuUs}, process ${row.readTotalCpuUs} | ceiling ≈ ${fmt(row.readCeilingPps)}/s` +
          (row.drainPps !== undefined ? ` | backlog drain ${fmt(row.drainPps)}/s` : ''),
      );
    }
  } finally {
    await ns.delete();
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'tun.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ bench: 'tun', date: new Date().toISOString(), node: process.version, rounds, msPerRound: ms, rows }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`;
}

const role = arg('role');
const main = role === 'reader' ? reader : role === 'writer' ? writer : orchestrate;
main().catch((err: unknown) => {
  if (role) say({ type: 'error', message: String((err as Error)?.stack ?? err) });
  else console.error(err);
  process.exitCode = 1;
});
