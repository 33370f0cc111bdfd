/**
 * The docs test: every ```sh and ```ts block of README.md, run as a reader
 * would run it (the markers above the blocks are described in
 * readme-blocks.ts). A block with no marker runs too, expecting exit 0, so a
 * new block is covered without anyone remembering to add it here.
 *
 * Where blocks run:
 * - by default in a project outside the checkout that installed the packed
 *   tarball (`npm pack`, then `npm install <tarball>`): `npx synack` there is
 *   the installed bin, `import … from 'synack'` the installed package;
 * - `clone`: in a fresh copy of the checkout's tracked files (README's
 *   `npm install && npm start`, the benchmarks).
 * Blocks of one place run in README order, one at a time; the places run side
 * by side.
 *
 * sh blocks run with `bash -e -o pipefail`, and each one-line command
 * fails the block (`a && b` included, which `set -e` alone lets pass). A command ending in `&` starts in
 * the background, and the next command waits until it has printed something
 * (at most 30 s), as a reader waits for `synack serving on …` before typing
 * the next line. When the block ends, everything it started is killed (its
 * process group, and every PID in a namespace it made).
 *
 * ts blocks are type-checked and compiled to .mjs with the checkout's
 * TypeScript (strict), then run with node (marked `js`: the text as printed
 * runs, as an .mjs file).
 *
 * Root-only blocks (`netns "NAME"`) get a fresh random namespace name in
 * place of NAME; without root, /dev/net/tun or a tool they run, they skip
 * with one line — unless SYNACK_REQUIRE_KERNEL=1 (.ci/run sets it as root),
 * where that is a failure.
 */
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, freshClone, installedProject, pack, ROOT, sh, tsc } from './package-fixture.js';
import { commands, readmeBlocks, shellScript, type Block } from './readme-blocks.js';
import { kernelRequired, missingTools, tunUnavailable, run } from '../fixtures/netns.js';

const README = join(ROOT, 'README.md');
const { blocks, errors } = readmeBlocks(await readFile(README, 'utf8'));

// ---- the places blocks run in, made once, on first use ----

let scratch: string | undefined;
async function scratchDir(): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), 'synack-docs-'));
  return scratch;
}
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
};
const project = once(async () => {
  const packed = await pack();
  try {
    return await installedProject(await scratchDir(), packed.tarball);
  } finally {
    await packed.dispose();
  }
});
const clone = once(async () => freshClone(await scratchDir()));

after(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

/** Where a block runs: the installed project, or the fresh clone. */
const placeOf = (b: Block): 'clone' | 'project' => (b.expect.clone ? 'clone' : 'project');

/** One block at a time per place, in README order. */
const queues = new Map<string, Promise<unknown>>();
function inTurn<T>(place: string, job: () => Promise<T>): Promise<T> {
  const prev = queues.get(place) ?? Promise.resolve();
  const next = prev.then(job, job);
  queues.set(place, next.catch(() => {}));
  return next;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** What each block printed, for a following `output` block (undefined: it did not run). */
const results = new Map<Block, Promise<Result | undefined>>();

// ---- running one block ----

/** Run `bash` on `script` in `cwd` in a process group of its own; when it ends (or times out), kill what it left running. */
async function runShell(script: string, cwd: string, timeoutS: number, env: NodeJS.ProcessEnv): Promise<Result> {
  const dir = await mkdtemp(join(await scratchDir(), 'block-'));
  const [out, err] = await Promise.all([open(join(dir, 'stdout'), 'w+'), open(join(dir, 'stderr'), 'w+')]);
  try {
    const child = spawn('bash', ['--noprofile', '--norc', '-c', script], { cwd, env, detached: true, stdio: ['ignore', out.fd, err.fd] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutS * 1000);
    const code = await new Promise<number>((resolve) => child.once('exit', (c, sig) => resolve(c ?? (sig ? 128 : -1))));
    clearTimeout(timer);
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // background jobs the block started
      } catch {
        /* none left */
      }
    }
    const [stdout, stderr] = await Promise.all([readFile(join(dir, 'stdout'), 'utf8'), readFile(join(dir, 'stderr'), 'utf8')]);
    return { code, stdout, stderr: timedOut ? `${stderr}\n(docs-test: killed after ${timeoutS} s)` : stderr };
  } finally {
    await Promise.all([out.close(), err.close()]);
  }
}

/** Kill every process in namespace `name` (by PID) and delete it. Never throws. */
async function deleteNetns(name: string): Promise<void> {
  try {
    for (const pid of (await run('ip', ['netns', 'pids', name], 5000)).split(/\s+/).filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  } catch {
    /* no such namespace */
  }
  await run('ip', ['netns', 'delete', name], 5000).catch(() => {});
}

/** The programs a root block runs inside its namespace (`ip netns exec NAME prog …`), and `ip` itself. */
function netnsTools(b: Block): string[] {
  const tools = new Set(['ip']);
  for (const c of commands(b.code)) {
    const m = new RegExp(`\\bip\\s+netns\\s+exec\\s+${b.expect.netns}\\s+(\\S+)`).exec(c);
    if (m) tools.add(m[1]!);
  }
  return [...tools];
}

async function runBlock(t: TestContext, b: Block): Promise<Result | undefined> {
  const e = b.expect;
  let netns: string | undefined;
  if (e.root) {
    const why = tunUnavailable() ?? (e.netns !== undefined ? missingTools(netnsTools(b)) : undefined);
    if (why !== undefined) {
      if (kernelRequired()) assert.fail(`SYNACK_REQUIRE_KERNEL=1 but this root-only block cannot run: ${why}`);
      t.skip(`root-only block: ${why}`);
      return undefined;
    }
    if (e.netns !== undefined) netns = `synack-docs-${randomBytes(4).toString('hex')}`;
  }
  return inTurn(placeOf(b), async () => {
    const cwd = await (e.clone ? clone() : project());
    const env = childEnv(e.clone ? { npm_config_prefer_offline: 'true' } : {});
    if (b.lang === 'ts') {
      const base = `readme-${b.line}`;
      await writeFile(join(cwd, `${base}.mts`), b.code + '\n');
      const compiled = await tsc([`${base}.mts`], cwd);
      assert.equal(compiled.code, 0, `README.md:${b.line} does not type-check:\n${compiled.stdout}${compiled.stderr}`);
      if (e.js) await writeFile(join(cwd, `${base}.mjs`), b.code + '\n'); // as printed, not as compiled
      return sh(process.execPath, [`${base}.mjs`], { cwd, timeoutMs: e.timeoutS * 1000, env });
    }
    try {
      return await runShell(shellScript(b, netns), cwd, e.timeoutS, env);
    } finally {
      if (netns !== undefined) await deleteNetns(netns);
    }
  });
}

function title(b: Block): string {
  const first = b.lang === 'sh' ? commands(b.code)[0] : b.code.split('\n').find((l) => l.trim() !== '' && !l.startsWith('import'));
  return `README.md:${b.line} ${b.info}: ${(first ?? '').slice(0, 70)}`;
}

function check(b: Block, r: Result): void {
  const shown = `\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
  assert.equal(r.code, b.expect.exit, `README.md:${b.line} exited ${r.code}, expected ${b.expect.exit}${shown}`);
  for (const s of b.expect.stdout) assert.ok(r.stdout.includes(s), `README.md:${b.line}: stdout lacks ${JSON.stringify(s)}${shown}`);
  for (const s of b.expect.stderr) assert.ok(r.stderr.includes(s), `README.md:${b.line}: stderr lacks ${JSON.stringify(s)}${shown}`);
}

// ---- the tests ----

it('README.md: every code block is one the docs test can run, and every marker parses', () => {
  const problems = [...errors];
  for (const b of blocks) {
    if (b.lang === 'sh' && /\bip\s+netns\b/.test(b.code) && b.expect.netns === undefined && b.expect.skip === undefined) {
      problems.push(`line ${b.line}: uses "ip netns" but has no netns "NAME" marker (the test must own the namespace)`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(blocks.some((b) => b.lang === 'sh') && blocks.some((b) => b.lang === 'ts'), 'README has sh and ts blocks');
});

describe('README.md blocks, run as printed', { concurrency: true }, () => {
  let previous: Block | undefined;
  // A block waits for the ones before it in its place: its test may take their time too, and the place's setup.
  const queued = new Map<string, number>();
  for (const b of blocks) {
    if (b.lang === 'text') {
      if (b.expect.output) {
        const source = previous;
        it(`README.md:${b.line} is what README.md:${source?.line ?? '?'} prints`, { timeout: (600 + blocks.reduce((sum, x) => sum + x.expect.timeoutS, 0)) * 1000 }, async (t) => {
          assert.ok(source, 'an output block follows a block that runs');
          const r = await results.get(source);
          if (r === undefined) {
            t.skip(`README.md:${source.line} did not run`);
            return;
          }
          assert.equal(r.stdout, b.code + '\n');
        });
      }
      continue;
    }
    previous = b;
    if (b.expect.suite) {
      // `npm test` runs this file, so running the block would recurse: check what it stands for instead.
      it(title(b), async () => {
        assert.deepEqual(commands(b.code), ['npm test'], `README.md:${b.line}: a suite block is exactly "npm test"`);
        const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
        assert.match(pkg.scripts.test ?? '', /\bnode --test\b.*\bdist\/test\/?/, 'package.json: npm test runs the built tests');
        assert.match(await readFile(join(ROOT, '.ci', 'run'), 'utf8'), /^npm test$/m, '.ci/run runs npm test, the README\'s command');
      });
      continue;
    }
    if (b.expect.skip !== undefined) {
      it(title(b), { skip: `marked in README.md: ${b.expect.skip}` }, () => {});
      continue;
    }
    let settle!: (r: Result | undefined) => void;
    results.set(b, new Promise((resolve) => (settle = resolve)));
    const place = placeOf(b);
    queued.set(place, (queued.get(place) ?? 600) + b.expect.timeoutS);
    it(title(b), { timeout: queued.get(place)! * 1000 }, async (t) => {
      let r: Result | undefined;
      try {
        r = await runBlock(t, b);
      } finally {
        settle(r);
      }
      if (r !== undefined) check(b, r);
    });
  }
});
