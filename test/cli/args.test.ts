import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, addressPrefix, bitRate, duration, formatRate, hostPort, parseCommandArgs, port, probability } from '../../src/cli/args.js';

const OPTS = { all: { type: 'boolean', short: 'a' }, numeric: { type: 'boolean', short: 'n' }, output: { type: 'string', short: 'o' }, msl: { type: 'string' } } as const;
const fails = (fn: () => unknown, message: string): void => assert.throws(fn, (e: unknown) => e instanceof UsageError && e.message === message, message);

test('parseCommandArgs: long, --x=v, short, grouped booleans, -oFILE, --, positionals', () => {
  assert.deepEqual(parseCommandArgs(['-an', '-o', 'f', 'state', 'x'], OPTS), { values: { all: true, numeric: true, output: 'f' }, positionals: ['state', 'x'] });
  assert.deepEqual(parseCommandArgs(['-nofile'], OPTS).values, { numeric: true, output: 'file' });
  assert.deepEqual(parseCommandArgs(['--msl=-5', '--', '--all'], OPTS), { values: { msl: '-5' }, positionals: ['--all'] });
  assert.deepEqual(parseCommandArgs(['--msl', '-5'], OPTS).values, { msl: '-5' }, 'a negative number is the value, for its checker to judge');
  assert.deepEqual(parseCommandArgs(['--msl', '-.5'], OPTS).values, { msl: '-.5' });
});

test('parseCommandArgs: unknown, missing, twice, value on a boolean, too many positionals', () => {
  fails(() => parseCommandArgs(['--frob'], OPTS), '--frob: unknown option');
  fails(() => parseCommandArgs(['-x'], OPTS), '-x: unknown option');
  fails(() => parseCommandArgs(['--msl'], OPTS), '--msl: needs a value');
  fails(() => parseCommandArgs(['--msl', '--all'], OPTS), '--msl: needs a value');
  fails(() => parseCommandArgs(['-o'], OPTS), '-o: needs a value');
  fails(() => parseCommandArgs(['--msl', '1', '--msl', '2'], OPTS), '--msl: given twice');
  fails(() => parseCommandArgs(['--all=1'], OPTS), '--all: takes no value');
  fails(() => parseCommandArgs(['a', 'b'], OPTS, { maxPositionals: 1 }), '"b": unexpected argument');
  fails(() => parseCommandArgs(['--constructor'], OPTS), '--constructor: unknown option');
});

test('value checkers: what they accept and the reason they give', () => {
  assert.equal(probability('--loss', '0.25'), 0.25);
  fails(() => probability('--loss', '2'), '--loss 2: must be a probability between 0 and 1');
  fails(() => probability('--loss', '0x1'), '--loss 0x1: must be a probability between 0 and 1');
  assert.equal(port('--p', '65535'), 65535);
  fails(() => port('--p', '80a'), '--p 80a: must be a port number between 1 and 65535');
  assert.equal(duration('--msl', '1.5min', { unit: 's', minMs: 0, maxMs: 3_600_000 }), 90_000);
  assert.equal(duration('--delay', '2', { unit: 'ms', minMs: 0, maxMs: 60_000 }), 2);
  fails(() => duration('--delay', '2 fortnights', { unit: 'ms', minMs: 0, maxMs: 60_000 }), '--delay 2 fortnights: must be a duration between 0 ms and 60000 ms (a number of milliseconds, or with ms, s, min, h)');
  assert.deepEqual(addressPrefix('--ip', 'fd00::2/64').prefix, 64);
  assert.deepEqual(hostPort('--admin', '[::1]:9'), { host: '::1', port: 9 });
  assert.deepEqual(hostPort('--admin', 'localhost:8080'), { host: 'localhost', port: 8080 });
  fails(() => hostPort('--admin', '[nope]:9'), '--admin [nope]:9: [nope] is not an IPv6 address');
  fails(() => hostPort('--admin', 'x:'), '--admin x:: the port must be between 1 and 65535');
  assert.equal(bitRate('--rate', '2.5M'), 2.5e6);
  assert.equal(formatRate(2.5e6), '2.5 Mbit/s');
});
