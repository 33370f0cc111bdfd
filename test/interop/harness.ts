/**
 * Harness of the kernel interop suite: each case gets a network namespace of
 * its own, runs the compiled `synack` CLI inside it on a TUN device, and
 * uses the kernel's TCP in the same namespace as the peer (curl, Python
 * sockets, `ss`). Traffic stays inside the namespace; everything is torn
 * down by PID and by namespace name, even on failure; every wait is bounded.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { Netns } from '../fixtures/netns.js';
import type { ConnectionJson } from '../../src/apps/admin.js';

/** The compiled CLI, found next to this file in the build output (dist/test/interop → dist/src/cli). */
export const MAIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
export const KERNEL_IP = '10.77.0.1';
export const SYNACK_IP = '10.77.0.2';
/** The link flags every case uses: synack at .2, the kernel at .1 on device t0. */
export const LINK = ['--tun', 't0', '--ip', `${SYNACK_IP}/24`, '--host-ip', KERNEL_IP];
export const ADMIN_PORT = 8080;

/**
 * Programs a case may drive inside its namespace, besides `ip` (which every
 * case needs). `curl` also reaches serve's admin endpoint (connections(),
 * stats(), waitForStates), `ss` reads the kernel's sockets, `timeout` bounds
 * python().
 */
export type Tool = 'curl' | 'ss' | 'python3' | 'tcpdump' | 'iperf3' | 'timeout';
/** A fresh namespace, deleted (children killed by PID first) when the test ends. */
export async function namespace(t: TestContext): Promise<Netns> {
  const ns = await Netns.create('interop');
  t.after(() => ns.delete());
  return ns;
}

/** Lines of a child's stdout and stderr, with bounded waits for a line that matches. */
export class Lines {
  readonly out: string[] = [];
  /** All of stdout as it came (up to 10 MB). */
  stdout = '';
  stderr = '';
  private partial = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      if (this.stdout.length < 10_000_000) this.stdout += chunk;
      this.partial += chunk;
      const parts = this.partial.split('\n');
      this.partial = parts.pop()!;
      this.out.push(...parts);
      this.wake();
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (this.stderr.length < 50_000) this.stderr += chunk;
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.wake();
        resolve({ code, signal });
      }),
    );
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The first stdout line matching `re`, waiting at most `timeoutMs`. */
  async waitFor(re: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.out.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`process exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${re}; stdout: ${this.out.join(' | ')}; stderr: ${this.stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${re} within ${timeoutMs} ms; stdout: ${this.out.join(' | ')}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Wait at most `timeoutMs` for the process to exit. */
  async exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; stdout: ${this.out.join(' | ')}; stderr: ${this.stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A running `synack serve` in a namespace of its own. */
export interface Served {
  ns: Netns;
  lines: Lines;
  /** GET the admin endpoint from inside the namespace. */
  connections(): Promise<ConnectionJson[]>;
  stats(): Promise<Record<string, number>>;
  /** SIGTERM, then the exit status (bounded). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `synack serve` with LINK, the admin endpoint and `args` in a new namespace; resolves once it printed its ready line. */
export async function startServe(t: TestContext, args: string[]): Promise<Served> {
  const ns = await namespace(t);
  return serveIn(ns, args);
}

export async function serveIn(ns: Netns, args: string[]): Promise<Served> {
  const child = ns.spawn(process.execPath, [MAIN, 'serve', ...LINK, '--admin', `127.0.0.1:${ADMIN_PORT}`, ...args]);
  child.stdin!.end();
  const lines = new Lines(child);
  await lines.waitFor(/^synack serving on /, 15_000);
  const admin = async (path: string): Promise<unknown> => JSON.parse(await ns.exec('curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${ADMIN_PORT}${path}`], 8000));
  return {
    ns,
    lines,
    connections: () => admin('/connections') as Promise<ConnectionJson[]>,
    stats: () => admin('/stats') as Promise<Record<string, number>>,
    async stop(timeoutMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return lines.exit(timeoutMs);
    },
  };
}

/**
 * Wait until a TCP socket listens on `port` in `ns` (polling the kernel's `ss -ltn`, every 50 ms, at most
 * `timeoutMs`): a server process is ready when its socket is, not after a fixed sleep (a loaded machine
 * starts python slower than any sleep a test would pick).
 */
export async function waitListening(ns: Netns, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await ns.exec('ss', ['-Hltn', 'sport', '=', `:${port}`], 5000);
    if (out.trim() !== '') return;
    if (Date.now() >= deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One row of the kernel's `ss -tan`, with ss's state names turned into synack's (ESTAB → ESTABLISHED, FIN-WAIT-2 → FIN_WAIT_2…). */
export interface KernelRow {
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  remote: string;
}

const SS_STATES: Record<string, string> = { ESTAB: 'ESTABLISHED', 'SYN-RECV': 'SYN_RCVD' };

export async function kernelSockets(ns: Netns): Promise<KernelRow[]> {
  const out = await ns.exec('ss', ['-tanH'], 5000);
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [state, recvQ, sendQ, local, remote] = l.trim().split(/\s+/) as [string, string, string, string, string];
      return { state: SS_STATES[state] ?? state.replace(/-/g, '_'), recvQ: Number(recvQ), sendQ: Number(sendQ), local, remote };
    });
}

/** Both ends of one connection: the kernel's `ss` row and synack's /connections row (undefined where there is none). */
export interface BothEnds {
  kernel: string | undefined;
  synack: string | undefined;
  kernelRow: KernelRow | undefined;
  synackRow: ConnectionJson | undefined;
}

/** The kernel's and synack's view of the connection from kernel address `kernelEnd` to synack address `synackEnd`. */
export async function bothEnds(served: Served, kernelEnd: string, synackEnd: string): Promise<BothEnds> {
  const [k, s] = await Promise.all([kernelSockets(served.ns), served.connections()]);
  const kernelRow = k.find((r) => r.local === kernelEnd && r.remote === synackEnd);
  const synackRow = s.find((r) => r.local === synackEnd && r.remote === kernelEnd);
  return { kernel: kernelRow?.state, synack: synackRow?.state, kernelRow, synackRow };
}

/**
 * Poll `bothEnds` until the kernel is in `kernel` and synack in `synack`
 * (undefined: no such socket), for at most `timeoutMs`; returns the last view.
 */
export async function waitForStates(served: Served, kernelEnd: string, synackEnd: string, want: { kernel: string | undefined; synack: string | undefined }, timeoutMs = 5000): Promise<BothEnds> {
  const deadline = Date.now() + timeoutMs;
  let last: BothEnds;
  do {
    last = await bothEnds(served, kernelEnd, synackEnd);
    if (last.kernel === want.kernel && last.synack === want.synack) return last;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < deadline);
  throw new Error(`after ${timeoutMs} ms: kernel ${last.kernel ?? '(none)'} / synack ${last.synack ?? '(none)'}, expected kernel ${want.kernel ?? '(none)'} / synack ${want.synack ?? '(none)'}`);
}

/** Run a short Python program in the namespace, bounded by `timeout` (and the exec timeout behind it). */
export function python(ns: Netns, code: string, timeoutMs = 20_000): Promise<string> {
  return ns.exec('timeout', [String(Math.ceil(timeoutMs / 1000)), 'python3', '-c', code], timeoutMs + 3000);
}

/** A child's exit, bounded. */
export async function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    return code;
  } finally {
    clearTimeout(timer);
  }
}

/** One test of the suite: kernel.test.ts runs each as a subtest with a namespace of its own, gated on `needs`. */
export interface InteropCase {
  name: string;
  /** The tools it runs: without one of them the case skips (fails under SYNACK_REQUIRE_KERNEL=1); the others still run. */
  needs: readonly Tool[];
  run(t: TestContext): Promise<void>;
}

/** A scratch directory (the namespace shares the filesystem), removed when the test ends. */
export async function scratchDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'synack-interop-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
