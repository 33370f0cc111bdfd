/**
 * The first five minutes, the way users get there: the `synack` command
 * through every route that starts it (npx in the checkout, npx in a project
 * that installed the packed tarball, a global install, an `npm link`-style
 * folder install, a plain symlink), and `import … from 'synack'` with types,
 * inside the checkout and from another project. The tarball is packed once
 * for the whole file and installed outside the checkout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, installedProject, must, pack, sh, tsc, type Packed, type Ran } from './package-fixture.js';

let packed: Packed;
let scratch: string;
let project: string;

before(async () => {
  packed = await pack();
  scratch = await mkdtemp(join(tmpdir(), 'synack-install-'));
  project = await installedProject(scratch, packed.tarball);
});

after(async () => {
  await packed?.dispose();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

const USAGE = /^usage: synack <command> \[options\]\n\ncommands:\n {2}scenario /;

/** `--help` prints the usage and exits 0; no command prints it and exits 2; an unknown command exits 2 and says which. */
async function assertCli(run: (args: string[]) => Promise<Ran>, route: string): Promise<void> {
  const help = await run(['--help']);
  assert.equal(help.code, 0, `${route} --help exited ${help.code}: ${help.stderr}`);
  assert.match(help.stdout, USAGE, `${route} --help printed the usage`);
  const bare = await run([]);
  assert.equal(bare.code, 2, `${route} with no command exits 2`);
  assert.match(bare.stdout + bare.stderr, /usage: synack <command>/);
  const unknown = await run(['frobnicate']);
  assert.equal(unknown.code, 2, `${route} frobnicate exits 2, never 0 in silence`);
  assert.match(unknown.stderr, /^synack: unknown command "frobnicate"/);
}

test('the tarball holds the built package and its types, not the tests or the TypeScript sources', () => {
  for (const f of ['package.json', 'README.md', 'dist/src/cli/bin.js', 'dist/src/index.js', 'dist/src/index.d.ts']) assert.ok(packed.files.includes(f), f);
  assert.deepEqual(packed.files.filter((f) => f.startsWith('dist/test/') || f.startsWith('src/') || f.startsWith('dist/bench/')), []);
});

test('npx synack in a project that installed the packed tarball (outside the checkout)', { timeout: 60_000 }, async () => {
  assert.ok(!project.startsWith(ROOT), `${project} is outside ${ROOT}`);
  await assertCli((args) => sh('npx', ['synack', ...args], { cwd: project, timeoutMs: 30_000 }), 'npx synack');
  // node_modules/.bin/synack is a symlink: the route the old argv[1] check missed.
  await assertCli((args) => sh(join(project, 'node_modules', '.bin', 'synack'), args, { cwd: project, timeoutMs: 20_000 }), 'node_modules/.bin/synack');
});

test('npx synack inside the checkout', { timeout: 60_000 }, async () => {
  await assertCli((args) => sh('npx', ['synack', ...args], { cwd: ROOT, timeoutMs: 30_000 }), 'npx synack (checkout)');
});

test('a global install of the tarball into a temporary --prefix', { timeout: 120_000 }, async () => {
  const prefix = join(scratch, 'global');
  await must('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', packed.tarball], { cwd: scratch, timeoutMs: 90_000 });
  await assertCli((args) => sh(join(prefix, 'bin', 'synack'), args, { cwd: scratch, timeoutMs: 20_000 }), 'global synack');
});

test('an npm link-style install (npm install -g <checkout folder>: a symlink to the checkout) into a temporary --prefix', { timeout: 60_000 }, async () => {
  const prefix = join(scratch, 'linked');
  await must('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', ROOT], { cwd: scratch, timeoutMs: 45_000 });
  await assertCli((args) => sh(join(prefix, 'bin', 'synack'), args, { cwd: scratch, timeoutMs: 20_000 }), 'linked synack');
});

test('a plain symlink to the bin, from another folder', { timeout: 30_000 }, async () => {
  const link = join(scratch, 'my-synack');
  await symlink(join(ROOT, 'dist', 'src', 'cli', 'bin.js'), link);
  await assertCli((args) => sh(link, args, { cwd: scratch, timeoutMs: 20_000 }), 'symlinked synack');
});

/** A program that uses the public API; `node` runs it and prints "ok 10.0.0.1". */
const USER_PROGRAM = `import { createStack, MemoryLink, VirtualClock, type SettleResult } from 'synack';
const clock = new VirtualClock();
const [la] = MemoryLink.pair(clock, {});
const s = createStack({ clock, name: 'A' });
s.attach(la, { address: '10.0.0.1' });
const r: SettleResult = await clock.settle();
console.log(r.reason === 'idle' ? 'ok' : 'not idle', s.net.isIP('10.0.0.1') === 4 ? '10.0.0.1' : '?');
`;
/** The same with a type error that only real types catch. */
const TYPE_ERROR = `import { VirtualClock } from 'synack';\nconst n: string = new VirtualClock().now();\nconsole.log(n);\n`;

const typecheck = (file: string, cwd: string): Promise<Ran> => tsc([file], cwd, { noEmit: true });

test("import from 'synack' in another project: runs, and its types are the package's (exports with types)", { timeout: 120_000 }, async () => {
  await writeFile(join(project, 'use.mts'), USER_PROGRAM);
  await writeFile(join(project, 'bad.mts'), TYPE_ERROR);
  const ok = await typecheck('use.mts', project);
  assert.equal(ok.code, 0, `tsc on use.mts: ${ok.stdout}${ok.stderr}`);
  const bad = await typecheck('bad.mts', project);
  assert.equal(bad.code, 2, 'a type error is caught: the types are real, not any');
  assert.match(bad.stdout, /bad\.mts\(2,7\): error TS2322: Type 'number' is not assignable to type 'string'/);
  // Run it: types stripped by the compiler, as the docs test does with README snippets.
  assert.equal((await tsc(['use.mts'], project)).code, 0);
  assert.match(await readFile(join(project, 'use.mjs'), 'utf8'), /from 'synack'/);
  const run = await sh(process.execPath, ['use.mjs'], { cwd: project, timeoutMs: 20_000 });
  assert.deepEqual([run.code, run.stdout, run.stderr], [0, 'ok 10.0.0.1\n', '']);
  const deep = await sh(process.execPath, ['--input-type=module', '-e', "await import('synack/dist/src/index.js')"], { cwd: project, timeoutMs: 20_000 });
  assert.notEqual(deep.code, 0, 'only the entry point is exported');
  assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
});

test("import from 'synack' inside the checkout (package self-reference), with types", { timeout: 120_000 }, async () => {
  const run = await sh(process.execPath, ['--input-type=module', '-e', "const m = await import('synack'); console.log(typeof m.createStack, typeof m.VirtualClock.prototype.settle)"], { cwd: ROOT, timeoutMs: 20_000 });
  assert.deepEqual([run.code, run.stdout], [0, 'function function\n'], run.stderr);
  // Types: a file inside the package (in its build folder, removed after) resolves 'synack' to dist/src/index.d.ts.
  const dir = await mkdtemp(join(ROOT, 'dist', 'self-reference-'));
  try {
    await writeFile(join(dir, 'use.mts'), USER_PROGRAM);
    await writeFile(join(dir, 'bad.mts'), TYPE_ERROR);
    const ok = await typecheck('use.mts', dir);
    assert.equal(ok.code, 0, `tsc on use.mts: ${ok.stdout}${ok.stderr}`);
    const bad = await typecheck('bad.mts', dir);
    assert.match(bad.stdout, /error TS2322: Type 'number' is not assignable to type 'string'/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
