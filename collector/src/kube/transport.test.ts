import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { isConflict, isNotFound, isRetryable } from './api-errors.js';
import { KubeApiError, kubeTransport, makeSharedApiClient } from './transport.js';

const run = promisify(execFile);

interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  otherCaCert: string;
}

/** A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA. */
async function makePki(dir: string): Promise<Pki> {
  const f = (name: string) => join(dir, name);
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-keyout', f('ca.key'), '-out', f('ca.crt'), ...subj('test-ca')]);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-keyout', f('other.key'), '-out', f('other.crt'), ...subj('other-ca')]);
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), ...subj('127.0.0.1')]);
  await run('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\n' > ${f('ext')}`]);
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('ext'), '-out', f('server.crt')]);
  const read = (n: string) => readFile(f(n), 'utf8');
  return { caCert: await read('ca.crt'), serverCert: await read('server.crt'), serverKey: await read('server.key'), otherCaCert: await read('other.crt') };
}

function kubeConfigFor(url: string, caPem: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

describe('kube-transport', function () {
  this.timeout(30_000);
  let dir = '';
  let pki: Pki;
  let server: Server;
  let url = '';
  let handshakes = 0;
  const authHeaders: (string | undefined)[] = [];
  const seen: { method?: string; url?: string; contentType?: string; body: string }[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-transport-'));
    pki = await makePki(dir);
    server = createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
      authHeaders.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/raw/') === true) {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
          const status = Number(/\/raw\/(\d+)/.exec(req.url ?? '')?.[1] ?? '200');
          res.statusCode = status;
          res.end(JSON.stringify(status === 200 ? { echo: body === '' ? null : (JSON.parse(body) as unknown) } : { kind: 'Status', code: status }));
        });
        return;
      }
      // Written, then ended: a chunked response like kube-apiserver's, no Content-Length.
      res.write(JSON.stringify({ apiVersion: 'v1', kind: 'NodeList', metadata: {}, items: [] }));
      res.end();
    });
    server.on('secureConnection', () => handshakes++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    handshakes = 0;
    authHeaders.length = 0;
    seen.length = 0;
  });

  it('request: method, path, content type, JSON body and token sent; JSON answer parsed; one pool with the generated clients', async () => {
    const kc = kubeConfigFor(url, pki.caCert);
    const t = kubeTransport(kc);
    const answer = await t.request({ method: 'PATCH', path: '/raw/200/pods/p%2Fq/status', body: { status: { phase: 'Failed' } }, contentType: 'application/strategic-merge-patch+json' });
    expect(answer).to.deep.equal({ echo: { status: { phase: 'Failed' } } });
    expect(seen).to.deep.equal([{ method: 'PATCH', url: '/raw/200/pods/p%2Fq/status', contentType: 'application/strategic-merge-patch+json', body: '{"status":{"phase":"Failed"}}' }]);
    await makeSharedApiClient(kc, CoreV1Api).listNode();
    await t.request({ method: 'DELETE', path: '/raw/200/x' });
    expect(handshakes, 'one connection for both kinds of call').to.equal(1);
    expect(authHeaders).to.deep.equal(['Bearer test-token', 'Bearer test-token', 'Bearer test-token']);
    t.agent.destroy();
  });

  const statuses: [number, (err: unknown) => boolean, boolean][] = [
    [404, isNotFound, false],
    [409, isConflict, false],
    [503, () => true, true],
    [403, () => true, false],
  ];
  for (const [code, is, retryable] of statuses) {
    it(`request: HTTP ${code} → KubeApiError with code ${code}${retryable ? ', retryable' : ''}`, async () => {
      const kc = kubeConfigFor(url, pki.caCert);
      const t = kubeTransport(kc);
      const err = await t.request({ method: 'DELETE', path: `/raw/${code}/pods/p` }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(KubeApiError);
      expect((err as KubeApiError).code).to.equal(code);
      expect(is(err)).to.equal(true);
      expect(isRetryable(err)).to.equal(retryable);
      t.agent.destroy();
    });
  }

  const cases: { name: string; clients: (kc: KubeConfig) => CoreV1Api[]; handshakes: number }[] = [
    { name: 'three calls on one shared client', clients: (kc) => [makeSharedApiClient(kc, CoreV1Api)], handshakes: 1 },
    { name: 'three calls on two shared clients of one KubeConfig', clients: (kc) => [makeSharedApiClient(kc, CoreV1Api), makeSharedApiClient(kc, CoreV1Api)], handshakes: 1 },
    // The library's own client: one handshake per call, the cost this module removes.
    { name: 'three calls on a makeApiClient client', clients: (kc) => [kc.makeApiClient(CoreV1Api)], handshakes: 3 },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.handshakes} TLS handshake(s), token sent each time`, async () => {
      const kc = kubeConfigFor(url, pki.caCert);
      const clients = c.clients(kc);
      for (let i = 0; i < 3; i++) {
        const client = clients[i % clients.length] as CoreV1Api;
        const list = await client.listNode();
        expect(list.items).to.deep.equal([]);
      }
      expect(handshakes).to.equal(c.handshakes);
      expect(authHeaders).to.deep.equal(['Bearer test-token', 'Bearer test-token', 'Bearer test-token']);
      kubeTransport(kc).agent.destroy();
    });
  }

  it('200 calls at once on one shared client: all succeed, sockets reused afterwards', async () => {
    const kc = kubeConfigFor(url, pki.caCert);
    const client = makeSharedApiClient(kc, CoreV1Api);
    const burst = () => Promise.all(Array.from({ length: 200 }, () => client.listNode()));
    await burst();
    const opened = handshakes;
    expect(opened).to.be.within(1, 200);
    await burst();
    expect(handshakes).to.equal(opened);
    kubeTransport(kc).agent.destroy();
  });

  it('a server certificate the kubeconfig CA did not sign: the call fails', async () => {
    const kc = kubeConfigFor(url, pki.otherCaCert);
    const client = makeSharedApiClient(kc, CoreV1Api);
    let error: unknown = null;
    try {
      await client.listNode();
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/certificate/i);
    expect(authHeaders).to.deep.equal([]);
    kubeTransport(kc).agent.destroy();
  });

  it('two KubeConfigs: two pools', () => {
    const a = kubeConfigFor(url, pki.caCert);
    const b = kubeConfigFor(url, pki.caCert);
    expect(kubeTransport(a)).to.equal(kubeTransport(a));
    expect(kubeTransport(a)).to.not.equal(kubeTransport(b));
  });
});
