/**
 * Process exit, node:net against synack: the same script runs in a child
 * process once with node:net on 127.0.0.1 and once with a synack stack on a
 * RealClock (connections to the stack's own address loop back inside it).
 * Both must exit by themselves (no kill) and print the same lines: what ran
 * before the exit, and what did not run because nothing held the process.
 * Lines come from one socket at a time, never from a race between two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScript, type ScriptExit } from './child-script.js';

const INDEX = new URL('../../src/index.js', import.meta.url).href;

const NODE_SETUP = `import * as net from 'node:net'; const HOST = '127.0.0.1';`;
const SYNACK_SETUP = `
import { createStack, MemoryLink, RealClock } from ${JSON.stringify(INDEX)};
const clock = new RealClock();
const [link] = MemoryLink.pair(clock, {});
const stack = createStack({ clock, name: 'S', seed: 3 });
stack.attach(link, { address: '10.0.0.1' });
const net = stack.net;
const HOST = '10.0.0.1';`;

function run(setup: string, body: string): Promise<ScriptExit> {
  return runScript(`${setup}\nprocess.on('exit', () => console.log('exit'));\n${body}`);
}

const SCRIPTS: Array<{ name: string; body: string; expect: string[] }> = [
  {
    name: 'serve 5 connections, close everything: the process exits (TIME_WAIT does not hold it)',
    body: `
const server = net.createServer((s) => s.pipe(s));
server.listen(0, HOST, async () => {
  const port = server.address().port;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => {
      const c = net.connect(port, HOST);
      c.on('data', (d) => console.log('echo', String(d)));
      c.on('close', resolve);
      c.end('hello ' + i);
    });
  }
  server.close(() => console.log('server closed'));
});`,
    expect: ['echo hello 0', 'echo hello 1', 'echo hello 2', 'echo hello 3', 'echo hello 4', 'server closed', 'exit'],
  },
  {
    name: 'an unref()’d listening server does not hold the process; an unref’d timer never runs',
    body: `
const server = net.createServer();
server.listen(0, HOST, () => console.log('listening'));
server.unref();
setTimeout(() => console.log('timer'), 3000).unref();`,
    expect: ['listening', 'exit'],
  },
  {
    name: 'a referenced open connection holds the process until destroyed by its idle timeout',
    body: `
const server = net.createServer((s) => s.resume());
server.listen(0, HOST, () => {
  server.unref();
  const c = net.connect(server.address().port, HOST, () => console.log('connect'));
  c.setTimeout(200, () => { console.log('timeout'); c.destroy(); });
  c.on('close', () => console.log('client closed'));
});`,
    expect: ['connect', 'timeout', 'client closed', 'exit'],
  },
  {
    name: 'unref()’d sockets on both ends and an unref’d server: the process exits with the connection open; no idle timeout fires',
    body: `
const server = net.createServer((s) => { s.setTimeout(2000, () => console.log('server timeout')); s.unref(); });
server.listen(0, HOST, () => {
  server.unref();
  const c = net.connect(server.address().port, HOST, () => console.log('connect'));
  c.setTimeout(2000, () => console.log('client timeout'));
  c.unref();
});`,
    expect: ['connect', 'exit'],
  },
  {
    name: 'ref() after unref() holds the process again',
    body: `
const server = net.createServer();
server.listen(0, HOST);
server.unref();
server.ref();
setTimeout(() => { console.log('held'); server.close(); }, 200).unref();`,
    expect: ['held', 'exit'],
  },
];

for (const s of SCRIPTS) {
  test(`exit parity: ${s.name}`, async () => {
    const [node, synack] = await Promise.all([run(NODE_SETUP, s.body), run(SYNACK_SETUP, s.body)]);
    assert.equal(node.code, 0, node.stderr);
    assert.deepEqual(node.stdout.trim().split('\n'), s.expect, 'node:net');
    assert.equal(synack.code, 0, synack.stderr);
    assert.deepEqual(synack.stdout.trim().split('\n'), s.expect, 'synack');
  });
}
