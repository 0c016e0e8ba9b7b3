import { status, type ServiceError } from '@grpc/grpc-js';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectOptions } from '../cli/client.js';
import { startGrpcServer, type GrpcServer } from './grpc-server.js';
import { IncidentHistory } from './incident-history.js';
import { composeStatusSource } from './status-source.js';
import { makeStatus, recordingLogger } from '../../test-support/api-fixtures.js';
import { TlsConfigError } from './tls-credentials.js';

/** Writes `<name>.key`/`<name>.crt`: a CA when `ca` is absent, else a leaf signed by it. */
function issue(dir: string, name: string, subject: string, ca?: string): void {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], { stdio: 'pipe' });
  if (ca === undefined) {
    execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-subj', `/CN=${subject}`, '-days', '2', '-out', crt], {
      stdio: 'pipe',
    });
    return;
  }
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${subject}`, '-out', csr], { stdio: 'pipe' });
  execFileSync(
    'openssl',
    ['x509', '-req', '-in', csr, '-CA', join(dir, `${ca}.crt`), '-CAkey', join(dir, `${ca}.key`), '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', crt],
    { stdio: 'pipe' },
  );
}

async function statusCode(options: ConnectOptions): Promise<status> {
  const api = connect({
    timeoutMs: 10_000,
    channelOptions: { 'grpc.use_local_subchannel_pool': 1, 'grpc.ssl_target_name_override': 'localhost' },
    ...options,
  });
  try {
    await api.getStatus();
    return status.OK;
  } catch (err) {
    return (err as ServiceError).code;
  } finally {
    api.close();
  }
}

describe('grpc-server TLS', function () {
  this.timeout(60_000);
  let dir: string;
  const source = composeStatusSource(new IncidentHistory(), { getStatus: () => makeStatus(), listHosts: () => [] });
  const servers: GrpcServer[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lastgasp-tls-'));
    issue(dir, 'ca', 'lastgasp test CA');
    issue(dir, 'server', 'collector', 'ca');
    issue(dir, 'client', 'operator', 'ca');
    issue(dir, 'ca2', 'lastgasp rotated CA');
    issue(dir, 'server2', 'collector rotated', 'ca2');
    // The files the server reads; the rotation test overwrites them.
    copyFileSync(join(dir, 'server.crt'), join(dir, 'live.crt'));
    copyFileSync(join(dir, 'server.key'), join(dir, 'live.key'));
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close(500)));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(tls: { clientCa?: boolean; reloadIntervalMs?: number }): Promise<GrpcServer> {
    const server = await startGrpcServer({
      listen: '127.0.0.1:0',
      source,
      logger: recordingLogger(),
      tls: {
        certFile: join(dir, 'live.crt'),
        keyFile: join(dir, 'live.key'),
        clientCaFile: tls.clientCa === true ? join(dir, 'ca.crt') : undefined,
        reloadIntervalMs: tls.reloadIntervalMs ?? 60_000,
      },
    });
    servers.push(server);
    server.setServing(true);
    return server;
  }

  it('TLS: a client trusting the CA → OK; a plaintext client → UNAVAILABLE', async () => {
    const server = await start({});
    expect(await statusCode({ server: server.address, caFile: join(dir, 'ca.crt') })).to.equal(status.OK);
    expect(await statusCode({ server: server.address })).to.equal(status.UNAVAILABLE);
  });

  it('mTLS: a client with a certificate → OK; without one → refused (UNAVAILABLE)', async () => {
    const server = await start({ clientCa: true });
    const ca = join(dir, 'ca.crt');
    expect(await statusCode({ server: server.address, caFile: ca, certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') })).to.equal(
      status.OK,
    );
    expect(await statusCode({ server: server.address, caFile: ca })).to.equal(status.UNAVAILABLE);
  });

  it('rotation: new cert files → new connections get the new certificate, without a restart', async () => {
    const server = await start({ reloadIntervalMs: 200 });
    const oldCa = { server: server.address, caFile: join(dir, 'ca.crt') };
    const newCa = { server: server.address, caFile: join(dir, 'ca2.crt') };
    expect(await statusCode(oldCa)).to.equal(status.OK);
    expect(await statusCode(newCa)).to.equal(status.UNAVAILABLE);

    // Key first, then cert: the in-between state (new key, old cert) does not match and is skipped.
    copyFileSync(join(dir, 'server2.key'), join(dir, 'live.key'));
    copyFileSync(join(dir, 'server2.crt'), join(dir, 'live.crt'));

    const last = await waitFor(
      'a client trusting only the new CA to connect',
      async () => {
        const code = await statusCode(newCa);
        return code === status.OK ? code : false;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(last, 'a client trusting only the new CA').to.equal(status.OK);
    expect(await statusCode(oldCa), 'a client trusting only the old CA').to.equal(status.UNAVAILABLE);
  });

  it('a key that does not match the certificate → TlsConfigError at start-up', async () => {
    let error: unknown;
    try {
      await startGrpcServer({
        listen: '127.0.0.1:0',
        source,
        logger: recordingLogger(),
        tls: { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'client.key') },
      });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(TlsConfigError);
  });

  it('a missing client CA file → TlsConfigError naming grpc.clientCa', async () => {
    let error: unknown;
    try {
      await startGrpcServer({
        listen: '127.0.0.1:0',
        source,
        logger: recordingLogger(),
        tls: { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), clientCaFile: join(dir, 'nope.crt') },
      });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/grpc\.clientCa: cannot read/);
  });
});
