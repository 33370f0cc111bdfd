import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../src/util/real-clock.js';

function settle(clock: RealClock, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs;
    const poll = (): void => {
      if (clock.pending() === 0) resolve();
      else if (performance.now() > deadline) reject(new Error('timed out'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

test('now() is monotonic milliseconds', async () => {
  const c = new RealClock();
  const a = c.now();
  await new Promise((r) => setTimeout(r, 20));
  const b = c.now();
  assert.ok(b - a >= 15 && b - a < 1000, `elapsed ${b - a}`);
});

test('callbacks fire in time order, never early', async () => {
  const c = new RealClock();
  const t0 = c.now();
  const log: Array<[string, number, number]> = [];
  const at = (name: string, ms: number): void => {
    const due = t0 + ms;
    c.schedule(due, () => log.push([name, c.now(), due]));
  };
  at('c', 30);
  at('a', 5);
  at('b', 15.5);
  at('d', 31);
  await settle(c);
  assert.deepEqual(log.map((x) => x[0]), ['a', 'b', 'c', 'd']);
  for (const [name, ran, due] of log) assert.ok(ran >= due, `${name} ran at ${ran}, due ${due}`);
});

test('same-time callbacks run FIFO', async () => {
  const c = new RealClock();
  const at = c.now() + 10;
  const log: number[] = [];
  for (let i = 0; i < 20; i++) c.schedule(at, () => log.push(i));
  await settle(c);
  assert.deepEqual(log, [...Array(20).keys()]);
});

test('a past or present time runs on a later macrotask, not synchronously', async () => {
  const c = new RealClock();
  let ran = false;
  c.schedule(c.now() - 100, () => (ran = true));
  c.schedule(c.now(), () => {});
  assert.equal(ran, false);
  await Promise.resolve();
  assert.equal(ran, false);
  await settle(c);
  assert.equal(ran, true);
});

test('cancel prevents a callback', async () => {
  const c = new RealClock();
  const log: string[] = [];
  const h = c.schedule(c.now() + 5, () => log.push('cancelled'));
  c.schedule(c.now() + 10, () => log.push('kept'));
  c.cancel(h);
  c.cancel(h);
  assert.equal(c.pending(), 1);
  await settle(c);
  assert.deepEqual(log, ['kept']);
});

test('a callback scheduling an immediate callback does not starve timers', async () => {
  const c = new RealClock();
  let spins = 0;
  let stop = false;
  const spin = (): void => {
    spins++;
    if (!stop) c.schedule(c.now(), spin);
  };
  c.schedule(c.now(), spin);
  await new Promise<void>((r) => setTimeout(r, 20));
  stop = true;
  await settle(c);
  assert.ok(spins > 1);
});

test('a throwing callback does not stop later callbacks', async () => {
  const c = new RealClock();
  const log: string[] = [];
  const errors: unknown[] = [];
  const onErr = (e: unknown): void => void errors.push(e);
  const saved = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onErr);
  try {
    c.schedule(c.now() + 1, () => {
      throw new Error('boom');
    });
    c.schedule(c.now() + 10, () => log.push('after'));
    await settle(c);
  } finally {
    process.removeListener('uncaughtException', onErr);
    for (const l of saved) process.on('uncaughtException', l);
  }
  assert.deepEqual(log, ['after']);
  assert.equal(errors.length, 1);
});

test('unref option: a pending far-future timer does not keep the process alive', async () => {
  const { spawnSync } = await import('node:child_process');
  const url = new URL('../../src/util/real-clock.js', import.meta.url).href;
  const script = `import { RealClock } from ${JSON.stringify(url)};
    const c = new RealClock({ unref: true });
    c.schedule(c.now() + 60_000, () => { console.log('fired'); });`;
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.ok(performance.now() - start < 10_000);
});

/** Run a module script with a RealClock `c`; resolve with its exit status and output (killed after 10 s). */
async function runChild(body: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { spawnSync } = await import('node:child_process');
  const url = new URL('../../src/util/real-clock.js', import.meta.url).href;
  const script = `import { RealClock } from ${JSON.stringify(url)};\nconst c = new RealClock();\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('ref: false: a protocol timer alone does not keep the process alive; a default (ref) timer does', async () => {
  const weak = await runChild(`c.schedule(c.now() + 60_000, () => console.log('fired'), { ref: false });`);
  assert.equal(weak.status, 0, weak.stderr);
  assert.equal(weak.stdout, '');
  const strong = await runChild(`c.schedule(c.now() + 50, () => console.log('fired'));`);
  assert.equal(strong.stdout, 'fired\n');
});

test('ref: false timers still fire while something else keeps the process alive, in time order with ref timers', async () => {
  const r = await runChild(`
    c.schedule(c.now() + 20, () => console.log('weak'), { ref: false });
    c.schedule(c.now() + 60, () => console.log('strong'));
    c.schedule(c.now() + 5000, () => console.log('weak, too late'), { ref: false });`);
  assert.equal(r.stdout, 'weak\nstrong\n');
});

test('cancelling the last ref timer releases the process even with weak timers pending', async () => {
  const r = await runChild(`
    c.schedule(c.now() + 60_000, () => console.log('weak'), { ref: false });
    const h = c.schedule(c.now() + 60_000, () => console.log('strong'));
    setTimeout(() => c.cancel(h), 20);`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test('hold(): the process lives until every holder has released, with no timer pending at all; release is idempotent', async () => {
  const r = await runChild(`
    const r1 = c.hold();
    const r2 = c.hold();
    console.log('holders', c.holders());
    setTimeout(() => { r1(); r1(); console.log('holders', c.holders()); }, 20).unref();
    setTimeout(() => { console.log('still held'); r2(); console.log('holders', c.holders()); }, 100).unref();`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'holders 2\nholders 1\nstill held\nholders 0\n');
});
