// Reads the --tls-* files at start and checks that they make a usable TLS setup, so that a missing file, a key that
// does not match its certificate or a file that is not PEM stops the server with a clear message (exit 2) instead
// of failing the first client that asks for TLS.

import { readFileSync } from 'node:fs';
import { ConfigError, type TlsFiles } from './config';
import { WireTls } from './protocol/tls';
import { STARTUP_TIMEOUT_MS } from './protocol/server';

export interface LoadedTls {
  readonly wire: WireTls;
  /** The same certificate and key, for HTTPS. */
  readonly cert: Buffer;
  readonly key: Buffer;
}

export function loadTls(files: TlsFiles, required: boolean): LoadedTls {
  const cert = readPem('--tls-cert', files.certFile);
  const key = readPem('--tls-key', files.keyFile);
  const ca = files.caFile === null ? null : readPem('--tls-ca', files.caFile);
  try {
    // The handshake is part of startup, which may take this long in all.
    const wire = new WireTls({ cert, key, ca, required, handshakeTimeoutMs: STARTUP_TIMEOUT_MS });
    return { wire, cert, key };
  } catch (e) {
    throw new ConfigError(
      `cannot use the TLS files (--tls-cert ${files.certFile}, --tls-key ${files.keyFile}` +
        `${files.caFile === null ? '' : `, --tls-ca ${files.caFile}`}): ${(e as Error).message}`,
    );
  }
}

function readPem(option: string, file: string): Buffer {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    throw new ConfigError(`cannot read ${option} ${file}: ${(e as Error).message}`);
  }
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`${option} ${file} is not a PEM file`);
  return text;
}
