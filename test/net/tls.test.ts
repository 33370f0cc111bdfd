/**
 * node:tls and node:https over synack sockets: TLS is a stream protocol on
 * top of any Duplex, so `tls.connect({ socket })` and `new tls.TLSSocket()`
 * take a synack net.Socket unchanged. The certificate is self-signed, made
 * for the test by `openssl` (node:crypto can make keys but not certificates);
 * without openssl the test fails, naming what is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import tls from 'node:tls';
import { createHash } from 'node:crypto';
import { realNet } from '../helpers/real-net.js';

/** A self-signed certificate for CN=server.synack with a SAN of the same name. */
function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'synack-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=server.synack', '-addext', 'subjectAltName=DNS:server.synack',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'pipe' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A TLS server on B port 443 (new tls.TLSSocket over each accepted synack socket) and a
 * tls.connect({ socket }) client from A with `servername`, trusting the test certificate.
 */
async function withTls(
  servername: string,
  onServerSocket: (s: tls.TLSSocket) => void,
  body: (client: tls.TLSSocket) => Promise<void>,
): Promise<void> {
  const { key, cert } = selfSigned();
  const n = realNet({ link: { delayMs: 0.2 } });
  try {
    const secureContext = tls.createSecureContext({ key, cert });
    const server = n.b.net.createServer((raw) => onServerSocket(new tls.TLSSocket(raw, { isServer: true, secureContext })));
    server.listen(443);
    const client = tls.connect({ socket: n.a.net.connect(443, '10.0.0.2'), servername, ca: cert });
    await body(client);
    client.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  } finally {
    n.close();
  }
}

test('TLS over synack: tls.connect({ socket }) against new tls.TLSSocket(accepted, { isServer }) — handshake verifies the self-signed certificate, data round-trips', async () => {
  await withTls(
    'server.synack',
    (s) => s.on('data', (d: Buffer) => s.end(`secure echo: ${d.toString()}`)),
    async (client) => {
      let reply = '';
      let authorized: boolean | undefined;
      let protocol: string | null = null;
      client.on('secureConnect', () => {
        authorized = client.authorized;
        protocol = client.getProtocol();
        client.write('hello');
      });
      client.on('data', (d: Buffer) => (reply += d.toString()));
      await new Promise<void>((resolve, reject) => {
        client.on('end', resolve);
        client.on('error', reject);
      });
      assert.equal(authorized, true, 'the chain verified against the test CA');
      assert.match(String(protocol), /^TLSv1\.[23]$/);
      assert.equal(reply, 'secure echo: hello');
    },
  );
});

test('TLS over synack: a wrong server name is rejected by the client (ERR_TLS_CERT_ALTNAME_INVALID)', async () => {
  await withTls(
    'other.synack',
    (s) => s.on('error', () => {}),
    async (client) => {
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => client.on('error', resolve));
      assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    },
  );
});

test('node:https over synack: https.Server fed synack sockets, https.request with createConnection → tls.connect({ socket }); a 1 MB body arrives intact', async () => {
  const { key, cert } = selfSigned();
  const n = realNet({ link: { delayMs: 0.2 } });
  try {
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + 3) & 0xff;
    const hs = https.createServer({ key, cert }, (req, res) => {
      res.writeHead(200, { 'x-sha256': createHash('sha256').update(body).digest('hex'), 'x-path': String(req.url) });
      res.end(body);
    });
    // https.Server is a tls.Server: handed a plain socket on 'connection', it runs the TLS handshake over it.
    const server = n.b.net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => hs.emit('connection', socket));
    server.listen(443);
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = https.request({
        host: 'server.synack',
        path: '/big',
        createConnection: () => tls.connect({ socket: n.a.net.connect(443, '10.0.0.2'), servername: 'server.synack', ca: cert, ALPNProtocols: ['http/1.1'] }),
      } as https.RequestOptions, resolve);
      req.on('error', reject);
      req.end();
    });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const got = Buffer.concat(chunks);
    assert.equal(res.statusCode, 200);
    assert.equal(got.length, body.length);
    assert.equal(createHash('sha256').update(got).digest('hex'), res.headers['x-sha256']);
    assert.equal(res.headers['x-path'], '/big');
    // remoteAddress is undefined here: tls wraps a stream that is not a node:net Socket in a JSStreamSocket (see README).
    hs.close();
    await new Promise<void>((r) => server.close(() => r()));
  } finally {
    n.close();
  }
});
