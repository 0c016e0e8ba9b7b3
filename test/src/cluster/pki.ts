// Certificates and keys for one test cluster, made with the openssl CLI (node:crypto cannot issue
// X.509 certificates). ECDSA P-256 throughout: generating it takes milliseconds. Valid for 30 days.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  certPath: string;
  keyPath: string;
}

export interface ClientIdentity {
  /** Common name: the Kubernetes user name. */
  user: string;
  /** Organisations: the Kubernetes groups. */
  groups: string[];
}

export interface ClusterPki {
  ca: KeyPair;
  /** kube-apiserver serving certificate for 127.0.0.1, ::1, localhost and any extra serving IPs. */
  serving: KeyPair;
  /** One client certificate per name given to createPki. */
  clients: Record<string, KeyPair>;
  /** Service-account token signing key (private) and its public key. */
  serviceAccount: { privateKeyPath: string; publicKeyPath: string };
}

const VALID_DAYS = '30';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc'];

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    throw new Error(`openssl ${args[0] ?? ''} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Escapes a value for openssl's `-subj /K=V/...` syntax. */
function subjectPart(key: string, value: string): string {
  return `/${key}=${value.replace(/[\\/,+=]/g, (c) => `\\${c}`)}`;
}

async function createCa(dir: string): Promise<KeyPair> {
  const pair = { certPath: join(dir, 'ca.crt'), keyPath: join(dir, 'ca.key') };
  await openssl([
    'req', '-x509', ...EC_KEY, '-keyout', pair.keyPath, '-out', pair.certPath, '-days', VALID_DAYS,
    '-subj', '/CN=lastgasp-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pair;
}

async function issue(ca: KeyPair, dir: string, name: string, subject: string, extensions: string[]): Promise<KeyPair> {
  const pair = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
  await openssl([
    'req', '-x509', ...EC_KEY, '-keyout', pair.keyPath, '-out', pair.certPath, '-days', VALID_DAYS,
    '-CA', ca.certPath, '-CAkey', ca.keyPath, '-subj', subject,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  return pair;
}

async function createServiceAccountKeys(dir: string): Promise<ClusterPki['serviceAccount']> {
  const privateKeyPath = join(dir, 'service-account.key');
  const publicKeyPath = join(dir, 'service-account.pub');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', privateKeyPath]);
  await openssl(['pkey', '-in', privateKeyPath, '-pubout', '-out', publicKeyPath]);
  return { privateKeyPath, publicKeyPath };
}

/** Writes a CA, the apiserver's serving certificate (for loopback and `servingIps`), the named client certificates and service-account keys into `dir`. */
export async function createPki(dir: string, clients: Record<string, ClientIdentity>, servingIps: readonly string[] = []): Promise<ClusterPki> {
  const [ca, serviceAccount] = await Promise.all([createCa(dir), createServiceAccountKeys(dir)]);
  const sans = ['IP:127.0.0.1', 'IP:::1', 'DNS:localhost', ...servingIps.map((ip) => `IP:${ip}`)];
  const serving = issue(ca, dir, 'apiserver', '/CN=kube-apiserver', [
    `subjectAltName=${sans.join(',')}`,
    'extendedKeyUsage=serverAuth',
  ]);
  const issued = Object.entries(clients).map(async ([name, id]) => {
    const subject = [...id.groups.map((g) => subjectPart('O', g)), subjectPart('CN', id.user)].join('');
    return [name, await issue(ca, dir, `client-${name}`, subject, ['extendedKeyUsage=clientAuth'])] as const;
  });
  return { ca, serving: await serving, clients: Object.fromEntries(await Promise.all(issued)), serviceAccount };
}

/** A client certificate for `identity` signed by the cluster's CA (e.g. a kubelet's `system:node:<name>`). */
export function issueClientCertificate(ca: KeyPair, dir: string, name: string, identity: ClientIdentity): Promise<KeyPair> {
  const subject = [...identity.groups.map((g) => subjectPart('O', g)), subjectPart('CN', identity.user)].join('');
  return issue(ca, dir, `client-${name}`, subject, ['extendedKeyUsage=clientAuth']);
}

/** The PEM text of a file, base64-encoded as kubeconfig `*-data` fields want it. */
export async function pemBase64(path: string): Promise<string> {
  return (await readFile(path)).toString('base64');
}
