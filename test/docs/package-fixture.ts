/**
 * The package as a user gets it: `npm pack` of the built checkout, installed
 * into a temporary project outside the checkout. Everything here is bounded
 * in time and removed when the test file ends.
 *
 * `npm_config_yes=false` is set for every npm/npx call: `npx synack` must
 * find the synack we installed, never fetch a package of that name.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../helpers/package-root.js';

export const ROOT = packageRoot(import.meta.url);

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment children run with: npx never installs, npm stays quiet and prefers its cache. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, npm_config_yes: 'false', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

/** Run `cmd args` in `cwd`, bounded by `timeoutMs`; resolves with the exit code (a timeout or signal is code -1). */
export function sh(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv; input?: string }): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeoutMs, killSignal: 'SIGKILL', env: opts.env ?? childEnv(), maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (code === -1 ? `\n(${err?.message})` : '') });
    });
    // A child that exits before reading its stdin makes this write fail with EPIPE; that is not the test's concern.
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}

/** Like `sh`, but rejects unless the command exits 0. */
export async function must(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<string> {
  const r = await sh(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface Packed {
  /** A scratch folder outside the checkout holding the tarball; removed by `dispose`. */
  dir: string;
  tarball: string;
  /** Paths inside the tarball, from `npm pack --json`. */
  files: string[];
  dispose(): Promise<void>;
}

/**
 * `npm pack` the checkout as built (the tests run from its build output, so
 * `prepare` is not run again: --ignore-scripts).
 */
export async function pack(): Promise<Packed> {
  const dir = await mkdtemp(join(tmpdir(), 'synack-pack-'));
  try {
    const out = await must('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, timeoutMs: 60_000 });
    const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
    return { dir, tarball: join(dir, info!.filename), files: info!.files.map((f) => f.path), dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** A new project (an ES module package) in `parent` that installed `tarball` with plain `npm install`. */
export async function installedProject(parent: string, tarball: string, name = 'project'): Promise<string> {
  const dir = join(parent, name);
  await must('mkdir', ['-p', dir], { cwd: parent, timeoutMs: 5000 });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `synack-user-${name}`, private: true, type: 'module' }, null, 2));
  await must('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir, timeoutMs: 180_000 });
  return dir;
}

/** The checkout's own TypeScript compiler (a devDependency), to strip and check types outside the checkout. */
export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** Where the checkout's @types live, for type-checking a file in another project. */
export const TYPE_ROOTS = join(ROOT, 'node_modules', '@types');
/** tsc flags for a lone ES module file (.mts → .mjs) outside any tsconfig: strict, Node's module resolution, the checkout's @types/node. */
export const TSC_FLAGS = ['--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--typeRoots', TYPE_ROOTS, '--types', 'node'];

/** Type-check `files` (relative to `cwd`) and, unless `noEmit`, write the .mjs next to each; exit 0 when they check. */
export function tsc(files: string[], cwd: string, opts: { noEmit?: boolean } = {}): Promise<Ran> {
  return sh(process.execPath, [TSC, ...(opts.noEmit ? ['--noEmit'] : []), ...TSC_FLAGS, ...files], { cwd, timeoutMs: 90_000 });
}

/**
 * A fresh copy of the checkout in `parent`: the files git tracks, as they are
 * in the work tree now (what a fresh clone of this commit would hold, plus
 * uncommitted edits), without node_modules or any build output.
 */
export async function freshClone(parent: string): Promise<string> {
  const dir = join(parent, 'clone');
  const list = await must('git', ['-C', ROOT, 'ls-files', '-z', '--cached'], { cwd: ROOT, timeoutMs: 20_000 });
  for (const rel of list.split('\0').filter((f) => f !== '')) {
    try {
      await cp(join(ROOT, rel), join(dir, rel), { preserveTimestamps: true, verbatimSymlinks: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted in the work tree: a clone of the edit would not have it
    }
  }
  return dir;
}
