// Certificates for TLS tests, made with the `openssl` CLI in a fresh temp dir: a CA, a server certificate for
// localhost and 127.0.0.1 (subjectAltName), one for another host, a client certificate for the user `test`, and a
// second CA with its own client certificate (one the server must not trust). Throws when openssl is missing: a TLS
// test that cannot make its certificates fails, it does not skip.

import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDataDir } from './server';

export interface TestCertificates {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Signed by the same CA, but for other.example only: verify-full against localhost must fail. */
  readonly otherHostCert: string;
  readonly otherHostKey: string;
  /** CN=test, signed by the CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** CN=test, signed by a CA the server does not know. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

function openssl(dir: string, args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('the openssl command is needed to make test certificates and is missing');
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2',
    '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign,cRLSign']);
}

/** A leaf certificate `name`.pem / `name`.key with common name `cn`, signed by `ca`, with extensions `ext`. */
function makeLeaf(dir: string, ca: string, name: string, cn: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\n${ext}\n`);
  openssl(dir, ['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
  // libpq refuses a client key that others may read.
  chmodSync(join(dir, `${name}.key`), 0o600);
}

export function makeTestCertificates(): TestCertificates {
  const dir = freshDataDir();
  makeCa(dir, 'ca');
  makeCa(dir, 'stranger-ca');
  makeLeaf(dir, 'ca', 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  makeLeaf(dir, 'ca', 'other-host', 'other.example', 'subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth');
  makeLeaf(dir, 'ca', 'client', 'test', 'extendedKeyUsage=clientAuth');
  makeLeaf(dir, 'stranger-ca', 'stranger', 'test', 'extendedKeyUsage=clientAuth');
  const at = (file: string): string => join(dir, file);
  return {
    dir,
    caCert: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    otherHostCert: at('other-host.pem'),
    otherHostKey: at('other-host.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
  };
}
