/**
 * Every command rejects unknown flags and bad values with ONE line on
 * stderr, "synack CMD: FLAG VALUE: why", nothing on stdout, and exit
 * status 2; --help prints the usage on stdout and exits 0. No root needed:
 * all of this happens before any device or socket is opened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, cliAll } from './run-cli.js';

const LINK = ['--tun', 't0', '--ip', '10.9.0.2/24'];

const CASES: Array<[string[], string | RegExp]> = [
  // demo
  [['demo', '--loss', '2'], 'synack demo: --loss 2: must be a probability between 0 and 1'],
  [['demo', '--loss', '-0.1'], 'synack demo: --loss -0.1: must be a probability between 0 and 1'],
  [['demo', '--loss', '0.9'], 'synack demo: --loss 0.9: must be at most 0.5 (beyond that the demo’s requests would mostly time out)'],
  [['demo', '--frob'], 'synack demo: --frob: unknown option'],
  [['demo', '--seed', 'x'], 'synack demo: --seed x: must be an integer between 0 and 2147483647'],
  [['demo', '--seed'], 'synack demo: --seed: needs a value'],
  [['demo', 'extra'], 'synack demo: "extra": unexpected argument'],
  // serve
  [['serve', '--ip', '10.9.0.2/24', '--echo', '7'], 'synack serve: --tun IFNAME is required'],
  [['serve', '--tun', 't0', '--ip', '10.0.0.1'], 'synack serve: --ip 10.0.0.1: needs a prefix length, e.g. 10.0.0.1/24'],
  [['serve', ...LINK, '--msl', '-5'], 'synack serve: --msl -5: must be a duration more than 0 s and at most 3600 s (a number of seconds, or with ms, s, min, h)'],
  [['serve', ...LINK, '--echo', '0'], 'synack serve: --echo 0: must be a port number between 1 and 65535'],
  [['serve', ...LINK, '--echo', '7', '--http', '7'], 'synack serve: --http 7: port 7 is already taken by --echo'],
  [['serve', ...LINK, '--discard-half-close'], 'synack serve: --discard-half-close: needs --discard PORT'],
  [['serve', ...LINK, '--admin', 'localhost'], 'synack serve: --admin localhost: must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080'],
  [['serve', ...LINK, '--admin', '127.0.0.1:99999'], 'synack serve: --admin 127.0.0.1:99999: the port must be between 1 and 65535'],
  [['serve', ...LINK, 'extra'], 'synack serve: "extra": unexpected argument (serve takes only options)'],
  [['serve', ...LINK, '--loss', '2'], 'synack serve: --loss 2: must be a probability between 0 and 1'],
  [['serve', ...LINK, '--trace=yes'], 'synack serve: --trace: takes no value'],
  [['serve', ...LINK, '-x'], 'synack serve: -x: unknown option'],
  // connect
  [['connect', ...LINK], 'synack connect: HOST:PORT: missing (where to connect)'],
  [['connect', ...LINK, '10.9.0.1'], 'synack connect: HOST:PORT 10.9.0.1: must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080'],
  [['connect', ...LINK, '10.9.0.1:7', '10.9.0.1:8'], 'synack connect: "10.9.0.1:8": unexpected argument (give exactly one HOST:PORT)'],
  [['connect', '--tun', 't0', '10.9.0.1:7'], 'synack connect: --ip ADDR/PREFIX is required'],
  [['connect', ...LINK, '--admin', 'x', '10.9.0.1:7'], 'synack connect: --admin x: must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080'],
  [['connect', ...LINK, '--rate', '5', '10.9.0.1:7'], 'synack connect: --rate 5: must be a rate of at least 1 kbit/s in bits per second (e.g. 500k, 10M, 1G)'],
  // fetch
  [['fetch', ...LINK], 'synack fetch: URL: missing (what to fetch)'],
  [['fetch', ...LINK, 'https://10.9.0.1/'], 'synack fetch: https://10.9.0.1/: only http:// URLs are supported, not https:'],
  [['fetch', ...LINK, 'http://example.com/'], 'synack fetch: http://example.com/: the host must be an IP address (synack has no resolver), not "example.com"'],
  [['fetch', ...LINK, 'http://10.9.0.1/', '--timeout', '0'], 'synack fetch: --timeout 0: must be a duration more than 0 s and at most 86400 s (a number of seconds, or with ms, s, min, h)'],
  [['fetch', ...LINK, 'http://10.9.0.1/', '-o'], 'synack fetch: -o: needs a value'],
  // ss
  [['ss'], 'synack ss: --admin HOST:PORT is required (the admin endpoint of serve, connect or fetch)'],
  [['ss', '--admin', '127.0.0.1'], 'synack ss: --admin 127.0.0.1: must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080'],
  [['ss', '--admin', '127.0.0.1:1', '-tanx'], 'synack ss: -x: unknown option'],
  [['ss', '--admin', '127.0.0.1:1', 'state', 'half-open'], 'synack ss: state half-open: unknown state (one of established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, unconnected, close-wait, last-ack, listening, listen, closing, all, connected, synchronized, bucket, big)'],
  [['ss', '--admin', '127.0.0.1:1', 'sport', '=', ':http-x-y-z'], 'synack ss: sport :http-x-y-z: must be a port, e.g. sport = :80'],
  [['ss', '--admin', '127.0.0.1:1', 'dport', '='], 'synack ss: the filter ends where a port after dport = was expected'],
  [['ss', '--admin', '127.0.0.1:1', 'frobnicate'], 'synack ss: frobnicate: unknown filter word (sport, dport, src, dst, and, or, not, parentheses)'],
  [['ss', '--admin', '127.0.0.1:1', '-4', '-6'], 'synack ss: -4 and -6: choose one'],
  // nstat, netstat
  [['nstat'], 'synack nstat: --admin HOST:PORT is required (the admin endpoint of serve, connect or fetch)'],
  [['nstat', '--admin', '127.0.0.1:1', 'Tcp$'], 'synack nstat: Tcp$: not a counter name pattern (letters, digits and *)'],
  [['netstat', '--admin', '127.0.0.1:1'], 'synack netstat: -s: required (synack netstat only prints statistics)'],
  [['netstat', '-s'], 'synack netstat: --admin HOST:PORT is required (the admin endpoint of serve, connect or fetch)'],
  // the command itself
  [['frobnicate'], /^synack: unknown command "frobnicate" \(one of scenario, demo, ss, serve, connect, fetch, nstat, netstat\b[^\n]*; synack --help says what each does\)\n$/],
];

test('bad input: one line naming the flag and why, exit 2, for every command', async () => {
  const results = await cliAll(CASES.map(([argv]) => argv));
  results.forEach((r, i) => {
    const [argv, line] = CASES[i]!;
    const what = argv.join(' ');
    assert.equal(r.code, 2, `${what} → exit ${r.code}: ${r.stderr}`);
    if (typeof line === 'string') assert.equal(r.stderr, line + '\n', what);
    else assert.match(r.stderr, line, what);
    assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  });
});

test('--help: the usage on stdout, exit 0, for every command', async () => {
  for (const name of ['demo', 'serve', 'connect', 'fetch', 'ss', 'nstat', 'netstat']) {
    const r = await cli([name, '--help']);
    assert.equal(r.code, 0, name);
    assert.match(r.stdout, new RegExp(`^usage: synack ${name}`), name);
    assert.equal(r.stderr, '');
  }
  const serve = await cli(['serve', '-h']);
  assert.match(serve.stdout, /--trace/);
  assert.match(serve.stdout, /--loss P/);
  for (const name of ['connect', 'fetch']) assert.match((await cli([name, '--help'])).stdout, /--trace[\s\S]*--admin HOST:PORT/, `${name} takes --trace and --admin`);
});
