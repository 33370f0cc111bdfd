/**
 * How a program on a RealClock lives and dies, as with node:net: the process
 * stays alive exactly while a referenced Socket or a listening Server exists
 * (or a timer of the application's own), never for protocol state the stack
 * keeps afterwards (TIME_WAIT, an orphan's FIN). Each case is a child process
 * that must exit by itself (no kill) within a generous bound; the time it took
 * is printed, never asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScript, type ScriptExit } from './child-script.js';
import { virtualNet } from '../helpers/virtual-net.js';

const INDEX = new URL('../../src/index.js', import.meta.url).href;

/** Two stacks on a MemoryLink with a RealClock, as a user's program would set them up. */
const PRELUDE = `
import { createStack, MemoryLink, RealClock } from ${JSON.stringify(INDEX)};
const clock = new RealClock();
const [la, lb] = MemoryLink.pair(clock, {});
const a = createStack({ clock, name: 'A', seed: 1 });
const b = createStack({ clock, name: 'B', seed: 2 });
a.attach(la, { address: '10.0.0.1' });
b.attach(lb, { address: '10.0.0.2' });
const timeWait = () => [...a.connections(), ...b.connections()].filter((r) => r.state === 'TIME_WAIT').length;
`;

/** Run `body` after the prelude, in a child that must exit by itself. */
function runWithStacks(body: string): Promise<ScriptExit> {
  return runScript(PRELUDE + body);
}

function lines(r: ScriptExit): string[] {
  return r.stdout.trim().split('\n');
}

const SERVE_100 = `
const server = b.net.createServer((s) => s.pipe(s));
await new Promise((r) => server.listen(7, r));
let done = 0;
for (let i = 0; i < 100; i++) {
  await new Promise((resolve, reject) => {
    const c = a.net.connect(7, '10.0.0.2');
    let got = '';
    c.on('data', (d) => (got += d));
    c.on('error', reject);
    c.on('close', () => { if (got === 'ping ' + i) done++; resolve(); });
    c.end('ping ' + i);
  });
}
await new Promise((r) => server.close(r));
console.log('served', done);
console.log('time-wait', timeWait());
console.error('returned-at', Date.now(), 'script-ms', performance.now().toFixed(0));
`;

test('lifetime: a program that serves 100 connections and closes everything exits by itself, with TIME_WAIT entries left in its stacks', async () => {
  const r = await runWithStacks(SERVE_100);
  const exitedAt = Date.now();
  assert.equal(r.code, 0, r.stderr);
  const [, returnedAt, , scriptMs] = r.stderr.trim().split(' ');
  const out = lines(r);
  assert.equal(out[0], 'served 100');
  const tw = Number(out[1]!.split(' ')[1]);
  assert.ok(tw >= 100, `each connection's active closer is in TIME_WAIT when the program returns (${out[1]})`);
  console.log(`# 100 connections served, ${tw} TIME_WAIT entries left; the process ran ${scriptMs} ms and exited ${exitedAt - Number(returnedAt)} ms after the script returned (${r.ms.toFixed(0)} ms with spawn)`);
});

test('lifetime: a stack kept alive on purpose (an application timer) still shows the TIME_WAIT entries afterwards', async () => {
  const r = await runWithStacks(`${SERVE_100}
setTimeout(() => console.log('later', timeWait(), a.connections().concat(b.connections()).filter((r) => r.state === 'TIME_WAIT' && r.timerExpiresIn > 0).length), 300);
`);
  assert.equal(r.code, 0);
  const later = lines(r)[2]!.split(' ');
  assert.equal(later[0], 'later', 'the application timer kept the process alive and ran');
  assert.ok(Number(later[1]) >= 100, 'TIME_WAIT (60 s) is still there 300 ms later');
  assert.equal(later[1], later[2], 'every entry still has its 2MSL timer running');
});

test('lifetime: a listening server keeps the process alive (an unref’d timer runs while it listens); server.unref() lets it exit', async () => {
  // The only ref'd thing is the listening server: the unref'd timer fires only because the server holds the process.
  const held = await runWithStacks(`
const server = b.net.createServer().listen(7);
setTimeout(() => { console.log('still alive'); server.close(); }, 200).unref();
`);
  assert.equal(held.code, 0, held.stderr);
  assert.deepEqual(lines(held), ['still alive']);
  const unrefd = await runWithStacks(`
const server = b.net.createServer().listen(7);
server.unref();
setTimeout(() => console.log('still alive'), 5000).unref();
`);
  assert.equal(unrefd.code, 0, unrefd.stderr);
  assert.equal(unrefd.stdout, '', 'an unref’d server does not hold the process');
  console.log(`# unref'd server: exited after ${unrefd.ms.toFixed(0)} ms`);
});

test('lifetime: unref() before listen() is remembered; ref() after unref() holds again', async () => {
  const r = await runWithStacks(`
const server = b.net.createServer();
server.unref();
server.listen(7);
server.ref();
setTimeout(() => { console.log('held'); server.close(); }, 200).unref();
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r), ['held']);
});

test('lifetime: an open client socket keeps the process alive until destroyed; unref()’d sockets and server let it exit, and their idle timeouts never fire', async () => {
  const held = await runWithStacks(`
b.net.createServer((s) => s.resume()).listen(7).unref();
const c = a.net.connect(7, '10.0.0.2', () => {
  setTimeout(() => { console.log('connected and alive'); c.destroy(); }, 200).unref();
});
`);
  assert.equal(held.code, 0, held.stderr);
  assert.deepEqual(lines(held), ['connected and alive']);

  const unrefd = await runWithStacks(`
const server = b.net.createServer((s) => { s.setTimeout(2000, () => console.log('server timeout')); s.unref(); });
server.listen(7).unref();
const c = a.net.connect(7, '10.0.0.2', () => console.log('connected'));
c.setTimeout(2000, () => console.log('client timeout'));
c.unref(); // before 'connect' the handle exists: unref at once
`);
  assert.equal(unrefd.code, 0, unrefd.stderr);
  assert.ok(!unrefd.stdout.includes('timeout'), `no idle timeout fires on unref'd sockets: ${unrefd.stdout}`);
});

test('lifetime: the idle timeout of a referenced socket fires (the socket, not the timer, holds the process)', async () => {
  const r = await runWithStacks(`
b.net.createServer((s) => s.resume()).listen(7).unref();
const c = a.net.connect(7, '10.0.0.2');
c.setTimeout(150, () => { console.log('timeout'); c.destroy(); });
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r), ['timeout']);
});

test('lifetime: new Socket().unref() before connect() applies at connect: the process lives through the connection attempt', async () => {
  const r = await runWithStacks(`
b.net.createServer((s) => s.unref()).listen(7).unref();
const c = new a.net.Socket();
c.unref();
c.connect(7, '10.0.0.2', () => console.log('connected'));
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r), ['connected']);
});

test('lifetime: an orphaned connection still retransmitting its FIN (peer gone silent) does not hold the process', async () => {
  const r = await runWithStacks(`
const server = b.net.createServer();
server.listen(7);
const c = a.net.connect(7, '10.0.0.2', () => {
  la.close(); // the wire goes dead: A's FIN will be retransmitted for minutes
  c.destroy();
  server.close();
  b.close();
  console.log('state', a.connections().map((r) => r.state).join(','));
});
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r), ['state FIN_WAIT_1']);
});

test('lifetime: stack.close() closes its listening servers and open sockets, so they hold the process no longer', async () => {
  const r = await runWithStacks(`
const server = b.net.createServer((s) => s.resume());
server.on('close', () => console.log('server close'));
server.listen(7, () => {
  const c = a.net.connect(7, '10.0.0.2', () => {
    c.on('close', () => console.log('client close'));
    a.close();
    b.close();
  });
});
`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r).sort(), ['client close', 'server close']);
});

test('lifetime: a destroyed node:net socket lets go of its TCB — its TIME_WAIT row keeps neither the stack socket nor the net.Socket', async () => {
  const n = virtualNet();
  n.b.net.createServer((s) => s.on('data', () => {}).on('end', () => s.end())).listen(80);
  const sockets: unknown[] = [];
  for (let i = 0; i < 5; i++) {
    const c = n.a.net.connect(80, '10.0.0.2');
    c.on('connect', () => c.end('x'));
    c.on('data', () => {});
    sockets.push(c);
  }
  await n.until(() => n.a.connections().filter((r) => r.state === 'TIME_WAIT').length === 5, { maxMs: 10_000, what: '5 TIME_WAIT rows on A' });
  await n.flush();
  const held = (n.a as unknown as { timeWaitSockets: Map<number, unknown> }).timeWaitSockets;
  assert.equal(held.size, 0, 'no TIME_WAIT row holds a socket: the net.Socket removed its listeners when destroyed');
});
