import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createPki } from './pki.js';
import type { ClusterPki } from './pki.js';

describe('createPki (openssl)', function () {
  this.timeout(30_000);
  let dir = '';
  let pki: ClusterPki;
  const cert = async (path: string): Promise<X509Certificate> => new X509Certificate(await readFile(path));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-pki-test-'));
    pki = await createPki(dir, {
      admin: { user: 'admin', groups: ['system:masters'] },
      odd: { user: 'system:serviceaccount:ns/x', groups: ['a,b', 'c+d'] },
    });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('the CA is a CA and signed everything else', async () => {
    const ca = await cert(pki.ca.certPath);
    expect(ca.ca).to.equal(true);
    for (const path of [pki.serving.certPath, pki.clients['admin']?.certPath ?? '', pki.clients['odd']?.certPath ?? '']) {
      const leaf = await cert(path);
      expect(leaf.ca, path).to.equal(false);
      expect(leaf.verify(ca.publicKey), path).to.equal(true);
    }
  });

  it('the serving certificate names 127.0.0.1, ::1 and localhost', async () => {
    const serving = await cert(pki.serving.certPath);
    expect(serving.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(serving.checkIP('::1')).to.not.equal(undefined);
    expect(serving.checkHost('localhost')).to.equal('localhost');
    expect(serving.checkHost('example.com')).to.equal(undefined);
  });

  it('servingIps 10.77.0.1 and fd77::1 are added to the serving certificate', async () => {
    const extraDir = await mkdtemp(join(tmpdir(), 'lastgasp-pki-test-'));
    try {
      const extra = await createPki(extraDir, {}, ['10.77.0.1', 'fd77::1']);
      const serving = await cert(extra.serving.certPath);
      expect(serving.checkIP('10.77.0.1')).to.equal('10.77.0.1');
      expect(serving.checkIP('fd77::1')).to.not.equal(undefined);
      expect(serving.checkIP('127.0.0.1')).to.equal('127.0.0.1');
      expect(serving.checkIP('10.77.0.2')).to.equal(undefined);
    } finally {
      await rm(extraDir, { recursive: true, force: true });
    }
  });

  const subjects: { client: string; want: string[] }[] = [
    { client: 'admin', want: ['O=system:masters', 'CN=admin'] },
    // Node's X509Certificate#subject escapes `,` and `+` in values (the DER holds `a,b` and `c+d`).
    { client: 'odd', want: ['O=a\\,b', 'O=c\\+d', 'CN=system:serviceaccount:ns/x'] },
  ];
  for (const { client, want } of subjects) {
    it(`client ${client}: groups become O, the user CN (special characters kept)`, async () => {
      const pair = pki.clients[client];
      if (!pair) throw new Error(`no client ${client}`);
      const subject = (await cert(pair.certPath)).subject.split('\n');
      expect(subject).to.deep.equal(want);
    });
  }

  it('the service-account public key matches its private key', async () => {
    const privateKey = createPrivateKey(await readFile(pki.serviceAccount.privateKeyPath));
    const publicKey = createPublicKey(await readFile(pki.serviceAccount.publicKeyPath));
    expect(createPublicKey(privateKey).export({ format: 'pem', type: 'spki' })).to.equal(
      publicKey.export({ format: 'pem', type: 'spki' }),
    );
  });
});
