// Server TLS (and mTLS when a client CA is given) from PEM files that are re-read while serving, so
// a rotated certificate (e.g. a Kubernetes Secret update) is used for new connections without a
// restart. grpc-js swaps the listener's secure context (setSecureContext) whenever the provider
// reports new material; established connections keep theirs.
import { experimental, type ServerCredentials } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { ApiLogger } from './logger.js';

export interface TlsFiles {
  /** PEM certificate chain of the server (config: grpc.tlsCert). */
  certFile: string;
  /** PEM private key of the server (config: grpc.tlsKey). */
  keyFile: string;
  /** PEM CA bundle; when set, clients must present a certificate it signed (config: grpc.clientCa). */
  clientCaFile?: string | undefined;
  /** How often the files are re-read, in ms. Default 10000. */
  reloadIntervalMs?: number;
}

/** Bad TLS configuration at start-up; `field` names the config key. */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
  readonly code = 'ERR_LASTGASP_TLS_CONFIG';
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

interface Material {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | null;
}

export interface ReloadingCredentials {
  credentials: ServerCredentials;
  /** Re-reads the files now; resolves true when new material was taken. */
  reload(): Promise<boolean>;
  close(): void;
}

function readSync(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsConfigError(field, `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Throws when the key does not match the certificate or a PEM does not parse. */
function validate(m: Material): void {
  createSecureContext({ cert: m.cert, key: m.key, ...(m.ca === null ? {} : { ca: m.ca }) });
}

function same(a: Material, b: Material): boolean {
  return a.cert.equals(b.cert) && a.key.equals(b.key) && (a.ca === null ? b.ca === null : b.ca !== null && a.ca.equals(b.ca));
}

export function createReloadingCredentials(files: TlsFiles, logger: ApiLogger): ReloadingCredentials {
  let current: Material = {
    cert: readSync(files.certFile, 'grpc.tlsCert'),
    key: readSync(files.keyFile, 'grpc.tlsKey'),
    ca: files.clientCaFile === undefined ? null : readSync(files.clientCaFile, 'grpc.clientCa'),
  };
  try {
    validate(current);
  } catch (err) {
    throw new TlsConfigError('grpc.tlsCert', `unusable certificate/key/CA: ${(err as Error).message}`, { cause: err });
  }

  const identityListeners = new Set<experimental.IdentityCertificateUpdateListener>();
  const caListeners = new Set<experimental.CaCertificateUpdateListener>();
  const provider: experimental.CertificateProvider = {
    addIdentityCertificateListener(listener) {
      identityListeners.add(listener);
      const { cert, key } = current;
      process.nextTick(() => listener({ certificate: cert, privateKey: key }));
    },
    removeIdentityCertificateListener(listener) {
      identityListeners.delete(listener);
    },
    addCaCertificateListener(listener) {
      caListeners.add(listener);
      const { ca } = current;
      if (ca !== null) process.nextTick(() => listener({ caCertificate: ca }));
    },
    removeCaCertificateListener(listener) {
      caListeners.delete(listener);
    },
  };

  let reading: Promise<boolean> | null = null;
  async function readAndApply(): Promise<boolean> {
    let next: Material;
    try {
      const [cert, key, ca] = await Promise.all([
        readFile(files.certFile),
        readFile(files.keyFile),
        files.clientCaFile === undefined ? Promise.resolve(null) : readFile(files.clientCaFile),
      ]);
      next = { cert, key, ca };
      if (same(next, current)) return false;
      validate(next);
    } catch (err) {
      // Mid-rotation states (a new cert beside the old key, a missing file) keep the old material.
      logger.warn({ err }, 'gRPC TLS files unusable; keeping the previous certificate');
      return false;
    }
    current = next;
    for (const listener of identityListeners) listener({ certificate: next.cert, privateKey: next.key });
    if (next.ca !== null) for (const listener of caListeners) listener({ caCertificate: next.ca });
    logger.info({ certFile: files.certFile }, 'gRPC TLS certificate reloaded');
    return true;
  }
  function reload(): Promise<boolean> {
    reading ??= readAndApply().finally(() => {
      reading = null;
    });
    return reading;
  }

  const timer = setInterval(() => void reload(), files.reloadIntervalMs ?? 10_000);
  timer.unref();
  const requireClientCert = files.clientCaFile !== undefined;
  // The same provider serves identity and CA; the argument order of this experimental API differs
  // between its declaration and its implementation, which passing one object for both sidesteps.
  const credentials = experimental.createCertificateProviderServerCredentials(
    provider,
    requireClientCert ? provider : null,
    requireClientCert,
  );
  return { credentials, reload, close: () => clearInterval(timer) };
}
