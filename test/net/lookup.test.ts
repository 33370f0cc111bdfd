/**
 * Name resolution on connect(), as node:net does it: IP literals skip the
 * lookup; names go through `options.lookup` (dns.lookup's signature) with
 * `family` and `hints`; 'lookup' is emitted with (err, address, family,
 * host); with autoSelectFamily every address is tried in turn. The default
 * lookup resolves "localhost" to the stack's own addresses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dns, { type LookupAddress } from 'node:dns';
import { virtualNet } from '../helpers/virtual-net.js';
import type { NetError } from '../../src/net/index.js';

test('localhost resolves to the stack’s own address: a server on 0.0.0.0 is reached through the stack’s loopback', async () => {
  const n = virtualNet();
  n.a.net.createServer((s) => s.end('hi from myself')).listen(80);
  const c = n.a.net.connect(80); // host defaults to localhost, as Node
  const lookups: unknown[][] = [];
  c.on('lookup', (...args: unknown[]) => lookups.push(args));
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString()));
  await n.until(() => got === 'hi from myself', { what: 'reply' });
  assert.deepEqual(lookups, [[null, '10.0.0.1', 4, 'localhost']]);
  assert.equal(c.remoteAddress, '10.0.0.1');
});

test('localhost with family 6 on an IPv4-only stack fails as getaddrinfo does (ENOTFOUND), after a \'lookup\' event with the error', async () => {
  const n = virtualNet();
  const c = n.a.net.connect({ port: 80, host: 'localhost', family: 6 });
  let lookupErr: NetError | undefined;
  let err: NetError | undefined;
  c.on('lookup', (e: NetError) => (lookupErr = e));
  c.on('error', (e: NetError) => (err = e));
  await n.until(() => c.destroyed);
  await n.flush();
  assert.equal(lookupErr?.code, 'ENOTFOUND');
  assert.equal(err, lookupErr);
  assert.equal(err?.syscall, 'getaddrinfo');
  assert.equal(err?.hostname, 'localhost');
});

test('options.lookup is called with Node’s dns options and its answer is used; family \'IPv4\' becomes 4', async () => {
  const n = virtualNet();
  n.b.net.createServer((s) => s.end()).listen(80);
  const calls: unknown[] = [];
  const lookup = (host: string, opts: dns.LookupOptions, cb: (e: Error | null, a: string, f: number) => void): void => {
    calls.push([host, { ...opts }]);
    cb(null, '10.0.0.2', 4); // synchronously, which Node allows
  };
  const c = n.a.net.connect({ port: 80, host: 'server.example', family: 'IPv4' as unknown as number, lookup });
  const events: unknown[][] = [];
  c.on('lookup', (...a: unknown[]) => events.push(a));
  let connected = false;
  c.on('connect', () => (connected = true));
  await n.until(() => connected);
  assert.deepEqual(calls, [['server.example', { family: 4, hints: 0 }]]);
  assert.deepEqual(events, [], 'a synchronous lookup emits \'lookup\' inside connect(), before listeners exist (as Node)');
});

test('autoSelectFamily: lookup gets { all: true } (and ADDRCONFIG hints); refused addresses are tried in turn, families alternating', async () => {
  const n = virtualNet();
  n.b.net.createServer((s) => s.end('ok')).listen(80);
  const seen: dns.LookupOptions[] = [];
  const lookup = (_host: string, opts: dns.LookupOptions, cb: (e: Error | null, a: LookupAddress[]) => void): void => {
    seen.push({ ...opts });
    // 10.0.0.3 and 10.0.0.4 are on the link but nobody answers there: the attempts time out.
    process.nextTick(cb, null, [
      { address: '10.0.0.3', family: 4 },
      { address: '10.0.0.4', family: 4 },
      { address: '10.0.0.2', family: 4 },
    ]);
  };
  const c = n.a.net.connect({ port: 80, host: 'multi.example', lookup, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 100 });
  const attempts: string[] = [];
  c.on('connectionAttempt', (ip: string) => attempts.push(`try ${ip}`));
  c.on('connectionAttemptTimeout', (ip: string) => attempts.push(`timeout ${ip}`));
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString()));
  await n.until(() => got === 'ok', { what: 'reply from the third address' });
  assert.equal(seen[0]!.all, true);
  assert.equal(seen[0]!.hints, dns.ADDRCONFIG);
  assert.deepEqual(attempts, ['try 10.0.0.3', 'timeout 10.0.0.3', 'try 10.0.0.4', 'timeout 10.0.0.4', 'try 10.0.0.2']);
  assert.deepEqual(c.autoSelectFamilyAttemptedAddresses, ['10.0.0.3:80', '10.0.0.4:80', '10.0.0.2:80']);
});

test('autoSelectFamily: when every address fails, the error is an AggregateError carrying each attempt’s error and the first code', async () => {
  const n = virtualNet();
  const lookup = (_h: string, _o: unknown, cb: (e: Error | null, a: LookupAddress[]) => void): void =>
    process.nextTick(cb, null, [
      { address: '10.0.0.2', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ]);
  const c = n.a.net.connect({ port: 9, host: 'nobody.example', lookup, autoSelectFamily: true });
  let err: (AggregateError & { code?: string }) | undefined;
  c.on('error', (e: AggregateError) => (err = e));
  await n.until(() => c.destroyed && err !== undefined);
  assert.ok(err instanceof AggregateError);
  assert.equal(err.code, 'ECONNREFUSED');
  assert.deepEqual(err.errors.map((e: NetError) => `${e.code} ${e.address}:${e.port}`), ['ECONNREFUSED 10.0.0.2:9', 'ECONNREFUSED 10.0.0.1:9']);
});

test('a lookup answer that is not an IP fails with ERR_INVALID_IP_ADDRESS; a bad family with ERR_INVALID_ADDRESS_FAMILY', async () => {
  const n = virtualNet();
  const bad = n.a.net.connect({ port: 80, host: 'x.example', autoSelectFamily: false, lookup: (_h, _o, cb) => cb(null, 'not-an-ip', 4) });
  const fam = n.a.net.connect({ port: 80, host: 'y.example', autoSelectFamily: false, lookup: (_h, _o, cb) => cb(null, '10.0.0.2', 5) });
  const errs: Record<string, NetError> = {};
  bad.on('error', (e: NetError) => (errs.bad = e));
  fam.on('error', (e: NetError) => (errs.fam = e));
  await n.until(() => bad.destroyed && fam.destroyed);
  await n.flush();
  assert.equal(errs.bad?.code, 'ERR_INVALID_IP_ADDRESS');
  assert.ok(errs.bad instanceof TypeError);
  assert.equal(errs.fam?.code, 'ERR_INVALID_ADDRESS_FAMILY');
  assert.ok(errs.fam instanceof RangeError);
});

test('a non-function lookup throws ERR_INVALID_ARG_TYPE synchronously (as Node)', () => {
  const n = virtualNet();
  assert.throws(() => n.a.net.connect({ port: 80, host: 'x.example', lookup: 42 as never }), { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' });
});

test('listen() on "localhost" binds the stack’s own address', async () => {
  const n = virtualNet();
  const server = n.b.net.createServer();
  let listening = false;
  server.listen(80, 'localhost', () => (listening = true));
  await n.until(() => listening);
  assert.deepEqual(server.address(), { address: '10.0.0.2', family: 'IPv4', port: 80 });
  server.close();
});

test('close() while listen() is still resolving its host: the server never starts listening (Node’s _listeningId)', async () => {
  const n = virtualNet();
  const server = n.b.net.createServer();
  const events: string[] = [];
  server.on('listening', () => events.push('listening'));
  server.on('close', () => events.push('close'));
  server.listen(80, 'localhost');
  server.close((err) => events.push(`close-cb:${(err as NetError | undefined)?.code}`));
  await n.sleep(10);
  assert.equal(server.listening, false);
  assert.deepEqual(events, ['close', 'close-cb:ERR_SERVER_NOT_RUNNING'], 'as node:net orders them');
  assert.deepEqual(n.b.connections(), [], 'no LISTEN row');
});
