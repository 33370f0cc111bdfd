/**
 * .ci/run's promise about the kernel suite: under SYNACK_REQUIRE_KERNEL=1 a
 * missing tool stops CI loudly before any test runs; without it, CI goes on
 * and says what will skip. Run against a PATH of our own that lacks iperf3
 * and apt-get, with a stand-in `npm` (so the real suite never starts here).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '../fixtures/netns.js';
import { ROOT, sh } from './package-fixture.js';

let bin: string;
const TOOLS = ['bash', 'dirname', 'id', 'sort', 'tr', 'ip', 'ss', 'curl', 'python3', 'tcpdump', 'timeout', 'taskset', 'git'];

before(async () => {
  bin = await mkdtemp(join(tmpdir(), 'synack-ci-path-'));
  for (const t of TOOLS) {
    const path = which(t);
    if (path !== undefined) await symlink(path, join(bin, t));
  }
  await writeFile(join(bin, 'npm'), '#!/bin/sh\necho "stand-in npm $*"\n');
  await chmod(join(bin, 'npm'), 0o755);
});
after(() => rm(bin, { recursive: true, force: true }));

const ci = (require: string) => sh(join(bin, 'bash'), [join(ROOT, '.ci', 'run')], { cwd: ROOT, timeoutMs: 30_000, env: { PATH: bin, HOME: process.env.HOME ?? '/root', SYNACK_REQUIRE_KERNEL: require } });

test('.ci/run under SYNACK_REQUIRE_KERNEL=1 with iperf3 missing (and no apt-get): fails before npm, naming the tool', async () => {
  const r = await ci('1');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /^ci: FAILED: .*SYNACK_REQUIRE_KERNEL=1.* missing: .*\biperf3\b/m);
  assert.doesNotMatch(r.stdout, /stand-in npm/, 'no test ran');
});

test('.ci/run with SYNACK_REQUIRE_KERNEL=0 and iperf3 missing: says what will skip, then installs and tests', async () => {
  const r = await ci('0');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ci: missing .*\biperf3\b.*: the tests that need them will skip$/m);
  assert.match(r.stdout, /stand-in npm ci --no-audit --no-fund\nstand-in npm test\n$/);
});
