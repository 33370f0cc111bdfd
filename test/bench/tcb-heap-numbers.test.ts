/**
 * An idle established TCB holds almost no heap numbers. V8 gives each double-valued field of an object a
 * 16 B heap number of its own, for the object's life: six timer deadlines kept as number fields (NaN when
 * off) once made every idle TCB 96 B larger, past issue 11's 1,024 B per TCB, and no test saw it.
 * bench/tcb-anatomy.js counts the heap snapshot's objects per TCB by kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ANATOMY = fileURLToPath(new URL('../../bench/tcb-anatomy.js', import.meta.url));

test('an idle established TCB holds at most 3 heap numbers (the RTO estimator\'s two and the clock reading)', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', ANATOMY, '--connections', '1000'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const row = /^\s*(-?\d+)\s+(-?[\d.]+)\s+number$/m.exec(r.stdout);
  // No row at all means no heap number per TCB.
  const count = row ? Number(row[2]) : 0;
  assert.ok(count <= 3, `heap numbers per idle TCB: ${count}\n${r.stdout}`);
  const total = /^\s*(\d+)\s+total$/m.exec(r.stdout);
  assert.ok(total, r.stdout);
});
