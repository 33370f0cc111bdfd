import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args.js';
import { DEFAULT_STATES, parseSsFilter } from '../../src/cli/ss-filter.js';

const ROWS = [
  { state: 'LISTEN', local: '*:80', remote: '*:*' },
  { state: 'ESTABLISHED', local: '10.0.0.2:80', remote: '10.0.0.1:40000' },
  { state: 'TIME_WAIT', local: '10.0.0.2:80', remote: '10.0.0.1:40001' },
  { state: 'CLOSE_WAIT', local: '10.0.0.2:8080', remote: '10.0.1.7:50000' },
  { state: 'SYN_RCVD', local: '10.0.0.2:80', remote: '10.0.0.9:40002' },
  { state: 'ESTABLISHED', local: '[fd00::2]:443', remote: '[fd00::1]:40003' },
];

function pick(args: string[], base = DEFAULT_STATES): string[] {
  const f = parseSsFilter(args, base, (name) => ({ http: 80, 'http-alt': 8080 })[name]);
  return ROWS.filter((r) => f.states.has(r.state as never) && f.match(r)).map((r) => `${r.state} ${r.local} ${r.remote}`);
}

test('ss filter: the default shows connections, not LISTEN, TIME-WAIT or SYN-RECV (as ss)', () => {
  assert.deepEqual(pick([]), ['ESTABLISHED 10.0.0.2:80 10.0.0.1:40000', 'CLOSE_WAIT 10.0.0.2:8080 10.0.1.7:50000', 'ESTABLISHED [fd00::2]:443 [fd00::1]:40003']);
});

test('ss filter: state names, groups, repeats and exclude', () => {
  assert.deepEqual(pick(['state', 'time-wait']), ['TIME_WAIT 10.0.0.2:80 10.0.0.1:40001']);
  assert.deepEqual(pick(['state', 'close-wait', 'state', 'syn-recv']), ['CLOSE_WAIT 10.0.0.2:8080 10.0.1.7:50000', 'SYN_RCVD 10.0.0.2:80 10.0.0.9:40002']);
  assert.deepEqual(pick(['state', 'bucket']), ['TIME_WAIT 10.0.0.2:80 10.0.0.1:40001', 'SYN_RCVD 10.0.0.2:80 10.0.0.9:40002']);
  assert.equal(pick(['state', 'all']).length, 6);
  assert.equal(pick(['state', 'connected']).length, 5, 'all but LISTEN (and CLOSED)');
  assert.deepEqual(pick(['exclude', 'established']), ['CLOSE_WAIT 10.0.0.2:8080 10.0.1.7:50000']);
  assert.deepEqual(pick(['state', 'TIME_WAIT']), ['TIME_WAIT 10.0.0.2:80 10.0.0.1:40001'], 'RFC names too');
  assert.deepEqual(pick(['state', 'listening']), ['LISTEN *:80 *:*']);
});

test('ss filter: sport/dport with every operator, service names, and/or/not/parentheses, one word or many', () => {
  const all = ['state', 'all'];
  assert.equal(pick([...all, 'sport', '=', ':80']).length, 4);
  assert.equal(pick([...all, 'sport = :http']).length, 4, 'a quoted expression, and a service name');
  assert.equal(pick([...all, 'sport', ':80']).length, 4, '"=" may be left out');
  assert.deepEqual(pick([...all, 'dport', 'eq', ':40001']), ['TIME_WAIT 10.0.0.2:80 10.0.0.1:40001']);
  assert.equal(pick([...all, 'dport', '>', ':40001']).length, 3);
  assert.equal(pick([...all, 'dport', 'ge', ':40001']).length, 4);
  assert.equal(pick([...all, 'sport', '!=', ':80']).length, 2);
  assert.deepEqual(pick([...all, '( sport = :8080 or dport = :40000 )']), ['ESTABLISHED 10.0.0.2:80 10.0.0.1:40000', 'CLOSE_WAIT 10.0.0.2:8080 10.0.1.7:50000']);
  assert.deepEqual(pick([...all, 'sport', '=', ':80', 'and', 'not', 'dport', '=', ':40000', '!', 'dport', '=', ':40002']), ['LISTEN *:80 *:*', 'TIME_WAIT 10.0.0.2:80 10.0.0.1:40001'], "a listener's peer port is 0, as in ss");
  assert.equal(pick([...all, 'sport', '=', ':80', '&&', 'dport', '=', ':40000']).length, 1);
});

test('ss filter: src and dst with prefixes, ports, IPv6', () => {
  const all = ['state', 'all'];
  assert.equal(pick([...all, 'dst', '10.0.0.0/24']).length, 3);
  assert.deepEqual(pick([...all, 'dst', '10.0.1.7']), ['CLOSE_WAIT 10.0.0.2:8080 10.0.1.7:50000']);
  assert.deepEqual(pick([...all, 'dst', '10.0.0.1:40001']), ['TIME_WAIT 10.0.0.2:80 10.0.0.1:40001']);
  assert.deepEqual(pick([...all, 'src', '[fd00::2]:443']), ['ESTABLISHED [fd00::2]:443 [fd00::1]:40003']);
  assert.deepEqual(pick([...all, 'dst', 'fd00::/64']), ['ESTABLISHED [fd00::2]:443 [fd00::1]:40003']);
  assert.equal(pick([...all, 'src', '!=', '10.0.0.2']).length, 2);
});

test('ss filter: mistakes are UsageErrors that say what is wrong', () => {
  const bad: Array<[string[], string]> = [
    [['state'], 'state: needs a state name'],
    [['sport', '=', 'x:y'], 'sport x:y: must be a port, e.g. sport = :80'],
    [['(', 'sport', '=', ':80'], 'the filter ends where ")" was expected'],
    [['src', '10.0.0.300'], 'src 10.0.0.300: 10.0.0.300 is not an IP address'],
    [['dst', '10.0.0.1/40'], 'dst 10.0.0.1/40: the prefix is longer than the address'],
    [['src', '<', '10.0.0.1'], 'src <: only = and != compare addresses'],
    [['sport', '=', ':80', ')'], '): unexpected word in the filter'],
  ];
  for (const [args, message] of bad) assert.throws(() => pick(args), (e: unknown) => e instanceof UsageError && e.message === message, args.join(' '));
});
