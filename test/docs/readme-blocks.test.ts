/** The docs test's reader of README blocks and markers: what runs, what must be said, what is an error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands, parseMarker, readmeBlocks, shellScript, stripComment } from './readme-blocks.js';

const md = (...parts: string[]): string => parts.join('\n');

test('a block with no marker runs with the defaults: exit 0, in the installed project', () => {
  const { blocks, errors } = readmeBlocks(md('# t', '', '```sh', 'npx synack doctor', '```'));
  assert.deepEqual(errors, []);
  assert.equal(blocks.length, 1);
  assert.deepEqual([blocks[0]!.lang, blocks[0]!.line, blocks[0]!.marked, blocks[0]!.code], ['sh', 3, false, 'npx synack doctor']);
  assert.deepEqual(blocks[0]!.expect, parseMarker(''));
  assert.equal(blocks[0]!.expect.exit, 0);
  assert.equal(blocks[0]!.expect.skip, undefined);
});

test('a marker above a block (blank lines between allowed) sets its expectations', () => {
  const { blocks, errors } = readmeBlocks(
    md('<!-- docs-test: stdout "a; b" "c \\"d\\""; stderr "e"; exit 2; timeout 30; clone -->', '', '```bash', 'x', '```', '<!-- docs-test: netns "demo"; skip-line "sleep 1" "why" -->', '```sh', 'ip netns add demo', 'sleep 1  # wait', '```'),
  );
  assert.deepEqual(errors, []);
  const [a, b] = blocks;
  assert.deepEqual([a!.expect.stdout, a!.expect.stderr, a!.expect.exit, a!.expect.timeoutS, a!.expect.clone, a!.lang, a!.marked], [['a; b', 'c "d"'], ['e'], 2, 30, true, 'sh', true]);
  assert.deepEqual([b!.expect.netns, b!.expect.root, b!.expect.skipLines], ['demo', true, [{ command: 'sleep 1', why: 'why' }]]);
});

test('a suite marker (the npm test block) is parsed, takes no argument, and is off by default', () => {
  const { blocks, errors } = readmeBlocks(md('<!-- docs-test: suite -->', '```sh', 'npm test', '```', '```sh', 'x', '```'));
  assert.deepEqual(errors, []);
  assert.deepEqual(blocks.map((b) => b.expect.suite), [true, false]);
  assert.notDeepEqual(readmeBlocks(md('<!-- docs-test: suite "x" -->', '```sh', 'npm test', '```')).errors, []);
});

test('ts and js fences are ts blocks; plain and json fences are text and do not run', () => {
  const { blocks, errors } = readmeBlocks(md('```ts', 'let a = 1;', '```', '```js', '1', '```', '```', 'ladder', '```', '```json', '{}', '```'));
  assert.deepEqual(errors, []);
  assert.deepEqual(blocks.map((b) => b.lang), ['ts', 'ts', 'text', 'text']);
});

test('what fails the docs test: an unknown fence language, a stray or bad marker, a skip without reason, a skip-line that matches nothing', () => {
  const cases: Array<[string, RegExp]> = [
    [md('```python', 'print(1)', '```'), /code block in "python", which the docs test cannot run/],
    [md('<!-- docs-test: exit 1 -->', 'text in between', '```sh', 'x', '```'), /marker not followed by a code block/],
    [md('```sh', 'x', '```', '<!-- docs-test: exit 1 -->'), /marker with no code block after it/],
    [md('<!-- docs-test: frob -->', '```sh', 'x', '```'), /unknown directive "frob"/],
    [md('<!-- docs-test: skip -->', '```sh', 'x', '```'), /skip takes one non-empty argument/],
    [md('<!-- docs-test: skip-line "y" "why" -->', '```sh', 'x', '```'), /skip-line "y" matches no command/],
    [md('<!-- docs-test: exit one -->', '```sh', 'x', '```'), /exit expects a small integer/],
    [md('<!-- docs-test: stdout "open -->', '```sh', 'x', '```'), /unterminated "string"/],
    [md('<!-- docs-test: output -->', '```sh', 'x', '```'), /"output" belongs on a plain block/],
    [md('<!-- docs-test: exit 0 -->', '```', 'x', '```'), /a plain block's marker can only say "output"/],
    [md('<!-- docs-test: netns "demo" -->', '```ts', 'x', '```'), /netns and skip-line are for sh blocks/],
    [md('<!-- docs-test: js -->', '```sh', 'x', '```'), /js is for ts blocks/],
    [md('<!-- docs-test exit 0 -->', '```sh', 'x', '```'), /"docs-test" outside a marker/],
    [md('```sh', 'x'), /code fence never closed/],
  ];
  for (const [text, re] of cases) {
    const { errors } = readmeBlocks(text);
    assert.ok(errors.some((e) => re.test(e)), `${re} in ${JSON.stringify(errors)} for ${JSON.stringify(text)}`);
  }
});

test('shell commands: continuations joined, comments and blank lines dropped; # inside quotes or words kept', () => {
  assert.deepEqual(commands('a \\\n   --b c   # note\n\n# only a comment\nd "x # y" e#f'), ['a --b c', 'd "x # y" e#f']);
  assert.equal(stripComment("curl -s 'http://h/#frag' # the page"), "curl -s 'http://h/#frag' ");
});

/** Run one README block's script with bash, stdout to a file (as the docs test does); returns the exit status and stdout. */
function bash(markdown: string, netns?: string): { code: number | null; stdout: string; script: string } {
  const { blocks, errors } = readmeBlocks(markdown);
  assert.deepEqual(errors, []);
  const script = shellScript(blocks[0]!, netns);
  const dir = mkdtempSync(join(tmpdir(), 'synack-sh-'));
  try {
    const out = join(dir, 'out');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', `exec >${out}\n${script}`], { timeout: 20_000 });
    return { code: r.status, stdout: readFileSync(out, 'utf8'), script };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a shell block fails at its first failing command, `a && b` in the middle included', () => {
  assert.deepEqual(bash(md('```sh', 'echo one', 'false && echo never   # set -e alone would go on', 'echo two', '```')).stdout, 'one\n');
  assert.equal(bash(md('```sh', 'echo one', 'false && echo never', 'echo two', '```')).code, 1);
  assert.equal(bash(md('```sh', 'echo a | grep -q b', 'echo after', '```')).code, 1, 'pipefail');
  const ok = bash(md('```sh', 'echo a \\', '  b   # joined', 'echo c', '```'));
  assert.deepEqual([ok.code, ok.stdout], [0, 'a b\nc\n']);
});

test('a background command: the next line waits until it has printed; skip-lines do not run; the namespace name is replaced', () => {
  const r = bash(
    md('<!-- docs-test: netns "demo"; skip-line "echo skipped" "why" -->', '```sh', '(sleep 0.3; echo from-background) &', 'echo next', 'echo skipped', 'echo ip netns exec demo x', '```'),
    'synack-docs-1234',
  );
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'from-background\nnext\nip netns exec synack-docs-1234 x\n');
});
