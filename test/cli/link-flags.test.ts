/**
 * The link flags `serve`, `connect` and `fetch` share (no root needed: bad
 * flags are rejected before any device is touched): what they parse to, and
 * one clear reason, naming the flag, for every bad value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseCommandLine, parseLinkFlags } from '../../src/cli/link-flags.js';
import { describeImpairment } from '../../src/cli/tun-stack.js';

const flags = (argv: string[]) => parseLinkFlags(parseCommandLine(argv, {}).values);

test('link flags: what they parse to', () => {
  assert.deepEqual(flags(['--tun', 't0', '--ip', '10.9.0.2/24']), { tun: 't0', address: '10.9.0.2', prefix: 24, seed: 1, offload: true });
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
      offload: true,
      impairment: { loss: 0.05, duplicate: 0.01, reorder: 0.1, corrupt: 0.001, reorderDelayMs: 3, delayMs: 2, jitterMs: 1, queueLimitBytes: 65536, rateBps: 10e6 },
    },
  );
  assert.deepEqual(flags(['--tun', 't6', '--ip', 'fd00::2/64', '--host-ip', 'fd00::1']), { tun: 't6', address: 'fd00::2', prefix: 64, hostIp: 'fd00::1', seed: 1, offload: true });
  assert.equal(flags(['--tun', 't0', '--ip', '10.9.0.2/24', '--no-offload']).offload, false, '--no-offload turns TUN offloads off');
  assert.equal(flags(['--tun', 't0', '--ip', '10.9.0.2/24', '--txqueuelen', '10000']).txQueueLen, 10000);
  assert.equal(flags(['--tun', 't0', '--ip', '10.9.0.2/24', '--msl', '500ms']).msl, 500, 'durations take a unit');
  assert.equal(flags(['--tun', 't0', '--ip=10.9.0.2/24', '--delay=1s']).impairment?.delayMs, 1000, '--flag=value works');
});

test('link flags: every bad value is one UsageError line naming the flag, the value and why', () => {
  const bad: Array<[string[], string]> = [
    [['--ip', '10.9.0.2/24'], '--tun IFNAME is required'],
    [['--tun', 't0'], '--ip ADDR/PREFIX is required'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--txqueuelen', '0'], '--txqueuelen 0: must be an integer between 1 and 1000000'],
    [['--tun', 'way-too-long-name0', '--ip', '10.9.0.2/24'], '--tun way-too-long-name0: must be an interface name of 1 to 15 characters of A-Z a-z 0-9 _ . -'],
    [['--tun', 't0', '--ip', '10.9.0.1'], '--ip 10.9.0.1: needs a prefix length, e.g. 10.9.0.1/24'],
    [['--tun', 't0', '--ip', 'fd00::2'], '--ip fd00::2: needs a prefix length, e.g. fd00::2/64'],
    [['--tun', 't0', '--ip', '10.9.0.256/24'], '--ip 10.9.0.256/24: must be ADDR/PREFIX, e.g. 10.9.0.2/24 (the address is not an IP address)'],
    [['--tun', 't0', '--ip', '10.9.0.2/33'], '--ip 10.9.0.2/33: the prefix length must be between 1 and 31'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--host-ip', '10.9.1.1'], '--host-ip 10.9.1.1: is not in 10.9.0.2/24, so the kernel would not route that prefix into the device'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--host-ip', '10.9.0.2'], '--host-ip 10.9.0.2: must differ from --ip (one end of the link each)'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--host-ip', 'fd00::1'], '--host-ip fd00::1: must be of the same family as --ip 10.9.0.2/24'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--host-ip', 'nope'], '--host-ip nope: must be an IPv4 or IPv6 address'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--mtu', '67'], '--mtu 67: must be an integer between 68 and 65535'],
    [['--tun', 't0', '--ip', 'fd00::2/64', '--mtu', '1000'], '--mtu 1000: must be an integer between 1280 and 65535 (IPv6 needs 1280 at least)'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--msl', '-5'], '--msl -5: must be a duration more than 0 s and at most 3600 s (a number of seconds, or with ms, s, min, h)'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--msl', '0'], '--msl 0: must be a duration more than 0 s and at most 3600 s (a number of seconds, or with ms, s, min, h)'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--loss', '1.5'], '--loss 1.5: must be a probability between 0 and 1'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--loss', ''], '--loss "": must be a probability between 0 and 1'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--reorder', 'x'], '--reorder x: must be a probability between 0 and 1'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--delay', '-1'], '--delay -1: must be a duration between 0 ms and 60000 ms (a number of milliseconds, or with ms, s, min, h)'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--rate', '10X'], '--rate 10X: must be a rate of at least 1 kbit/s in bits per second (e.g. 500k, 10M, 1G)'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--seed', '1.5'], '--seed 1.5: must be an integer between 0 and 4294967295'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--queue-limit', '100'], '--queue-limit 100: must be a number of bytes between 1500 and 1073741824'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--bogus'], '--bogus: unknown option'],
    [['--tun', 't0', '--ip', '10.9.0.2/24', '--loss', '--seed', '3'], '--loss: needs a value'],
    [['--tun'], '--tun: needs a value'],
    [['--tun', 't0', '--tun', 't1'], '--tun: given twice'],
  ];
  for (const [argv, message] of bad) {
    assert.throws(() => flags(argv), (e: unknown) => e instanceof UsageError && e.message === message && !e.message.includes('\n'), `${argv.join(' ')} → ${message}`);
  }
});

test('the impairment in units a person reads (the serve banner)', () => {
  assert.equal(
    describeImpairment({ loss: 0.05, delayMs: 20, jitterMs: 5, rateBps: 10e6, queueLimitBytes: 1 << 20, reorder: 0.01, duplicate: 0.001, corrupt: 0.0001, reorderDelayMs: 3 }),
    'loss 5 %, duplicate 0.1 %, reorder 1 %, reorder delay 3 ms, corrupt 0.01 %, delay 20 ms, jitter 5 ms, rate 10 Mbit/s, queue 1 MiB',
  );
  assert.equal(describeImpairment({ rateBps: 1.5e9 }), 'rate 1.5 Gbit/s');
  assert.equal(describeImpairment({ rateBps: 500e3, queueLimitBytes: 65000 }), 'rate 500 kbit/s, queue 65000 B');
});
