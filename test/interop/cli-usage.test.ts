/**
 * The command lines of `synack serve`, `connect` and `fetch` (no root needed:
 * bad flags are rejected before any device is touched): the shared link
 * flags parser, and exit status 2 with a clear message from each command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { UsageError, parseCommandLine, parseLinkFlags } from '../../src/cli/link-flags.js';
import { MAIN } from './harness.js';

const flags = (argv: string[]) => parseLinkFlags(parseCommandLine(argv, {}).values);

test('link flags: what they parse to', () => {
  assert.deepEqual(flags(['--tun', 't0', '--ip', '10.9.0.2/24']), { tun: 't0', address: '10.9.0.2', prefix: 24, seed: 1 });
  assert.deepEqual(
    flags(['--tun', 't0', '--ip', '10.9.0.2/16', '--host-ip', '10.9.200.1', '--mtu', '9000', '--msl', '0.5', '--pcap', 'x.pcap', '--loss', '0.05', '--reorder', '0.1', '--reorder-delay', '3', '--duplicate', '0.01', '--delay', '2', '--jitter', '1', '--rate', '10M', '--queue-limit', '65536', '--corrupt', '0.001', '--seed', '42']),
    {
      tun: 't0',
      address: '10.9.0.2',
      prefix: 16,
      hostIp: '10.9.200.1',
      mtu: 9000,
      msl: 500,
      pcap: 'x.pcap',
      seed: 42,
      impairment: { loss: 0.05, duplicate: 0.01, reorder: 0.1, corrupt: 0.001, reorderDelayMs: 3, delayMs: 2, jitterMs: 1, queueLimitBytes: 65536, rateBps: 10e6 },
    },
  );
  assert.deepEqual(flags(['--tun', 't6', '--ip', 'fd00::2/64', '--host-ip', 'fd00::1']), { tun: 't6', address: 'fd00::2', prefix: 64, hostIp: 'fd00::1', seed: 1 });
  assert.equal(flags(['--tun', 't0', '--ip', '10.9.0.2']).prefix, 24, 'a bare address is a /24');
});

test('link flags: every bad value is a UsageError naming the flag', () => {
  const bad: Array<[string[], RegExp]> = [
    [['--ip', '10.9.0.2/24'], /--tun IFNAME is required/],
    [['--tun', 't0'], /--ip ADDR\/PREFIX is required/],
    [['--tun', 'way-too-long-name0', '--ip', '10.9.0.2/24'], /--tun: invalid interface name/],
    [['--tun', 't/0', '--ip', '10.9.0.2/24'], /--tun: invalid interface name/],
    [['--tun', 't0', '--ip', '10.9.0.256/24'], /--ip: expected ADDR\/PREFIX/],
    [['--tun', 't0', '--ip', '10.9.0.2/33'], /prefix length must be in 1\.\.31/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--host-ip', '10.9.1.1'], /is not in 10\.9\.0\.2\/24/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--host-ip', '10.9.0.2'], /must differ/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--host-ip', 'fd00::1'], /same family/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--mtu', '67'], /--mtu: expected an integer in 68\.\.65535/],
    [['--tun', 't0', '--ip', 'fd00::2/64', '--mtu', '1000'], /--mtu: expected an integer in 1280\.\.65535/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--msl', '0'], /--msl/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--loss', '1.5'], /--loss: expected a probability/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--loss', ''], /--loss/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--reorder', 'x'], /--reorder/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--delay', '-1'], /--delay/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--rate', '10X'], /--rate/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--seed', '1.5'], /--seed/],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--bogus'], /Unknown option '--bogus'/],
    [['--tun'], /argument missing/],
  ];
  for (const [argv, re] of bad) assert.throws(() => flags(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [MAIN, ...args], { timeout: 20_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code: unknown }).code) : 0, stdout, stderr })),
  );
}

test('serve, connect and fetch: a bad command line exits 2 with the reason and the usage; --help exits 0', async () => {
  const link = ['--tun', 't0', '--ip', '10.9.0.2/24'];
  const cases: Array<[string[], RegExp]> = [
    [['serve', '--ip', '10.9.0.2/24', '--echo', '7'], /synack serve: --tun IFNAME is required/],
    [['serve', ...link, '--echo', '0'], /synack serve: --echo: expected a port in 1\.\.65535/],
    [['serve', ...link, '--echo', '7', '--http', '7'], /both ask for port 7/],
    [['serve', ...link, '--discard-half-close'], /--discard-half-close needs --discard PORT/],
    [['serve', ...link, '--admin', 'localhost'], /--admin: expected HOST:PORT/],
    [['serve', ...link, 'extra'], /unexpected argument "extra"/],
    [['serve', ...link, '--loss', '2'], /--loss: expected a probability in 0\.\.1, got "2"/],
    [['connect', ...link], /synack connect: give exactly one HOST:PORT/],
    [['connect', ...link, '10.9.0.1'], /expected HOST:PORT, got "10\.9\.0\.1"/],
    [['connect', '--tun', 't0', '10.9.0.1:7'], /--ip ADDR\/PREFIX is required/],
    [['fetch', ...link], /synack fetch: give exactly one URL/],
    [['fetch', ...link, 'https://10.9.0.1/'], /only http:\/\/ URLs/],
    [['fetch', ...link, 'http://example.com/'], /must be an IP address/],
    [['fetch', ...link, 'http://10.9.0.1/', '--timeout', '0'], /--timeout/],
  ];
  const results = await Promise.all(cases.map(([argv]) => cli(argv)));
  results.forEach((r, i) => {
    const [argv, re] = cases[i]!;
    assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re, argv.join(' '));
    assert.match(r.stderr, /usage: synack /, 'the usage follows the reason');
  });
  for (const name of ['serve', 'connect', 'fetch']) {
    const help = await cli([name, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`^usage: synack ${name} --tun IFNAME --ip ADDR/PREFIX`));
    assert.match(help.stdout, /--loss P/);
  }
});
