import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defer } from '../../src/net/next-tick-batch.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('deferred items run on the next tick, in order, items deferred meanwhile in the same round', async () => {
  const log: string[] = [];
  defer({ runDeferred: () => log.push('a') });
  defer({
    runDeferred: () => {
      log.push('b');
      defer({ runDeferred: () => log.push('c') });
    },
  });
  assert.deepEqual(log, [], 'not synchronously');
  await tick();
  assert.deepEqual(log, ['a', 'b', 'c']);
});

test('a throwing item is reported as an uncaught exception and the items after it still run', async () => {
  const log: string[] = [];
  const caught: unknown[] = [];
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', (e) => caught.push(e));
  try {
    defer({ runDeferred: () => log.push('a') });
    defer({
      runDeferred: () => {
        throw new Error('listener threw');
      },
    });
    defer({ runDeferred: () => log.push('c') });
    await tick();
    await tick();
  } finally {
    process.removeAllListeners('uncaughtException');
    for (const l of listeners) process.on('uncaughtException', l);
  }
  assert.deepEqual(log, ['a', 'c']);
  assert.equal(caught.length, 1);
  assert.match(String(caught[0]), /listener threw/);
  defer({ runDeferred: () => log.push('d') });
  await tick();
  assert.deepEqual(log, ['a', 'c', 'd'], 'the queue still works');
});
