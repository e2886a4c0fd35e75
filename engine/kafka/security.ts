// The security options of a Kafka source or sink (security_protocol, sasl_*, ssl_*), checked at CREATE and turned
// into kafkajs's `ssl` and `sasl` settings when a client starts. Certificate files are read again at every start, so
// a renewed certificate is picked up by the next reconnect without recreating the stream.

import * as fs from 'node:fs';
import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { SqlError, SQLSTATE } from '../errors';

export type SecurityProtocol = 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSecurity {
  readonly protocol: SecurityProtocol;
  readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string } | null;
  /** PEM files, absent to trust the system's CAs and present no client certificate. */
  readonly ssl: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string; readonly keyPassword?: string } | null;
}

export const SECURITY_KEYS = [
  'security_protocol', 'sasl_mechanism', 'sasl_username', 'sasl_password',
  'ssl_ca_location', 'ssl_certificate_location', 'ssl_key_location', 'ssl_key_password',
] as const;

const PROTOCOLS: readonly SecurityProtocol[] = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'];
const MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

function invalid(message: string, hint?: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, message, { hint });
}

/** The security settings in a source's or sink's options; `what` names it in errors. */
export function kafkaSecurity(o: Readonly<Record<string, string>>, what: string): KafkaSecurity {
  const protocol = (o.security_protocol ?? 'plaintext').trim().toLowerCase() as SecurityProtocol;
  if (!PROTOCOLS.includes(protocol)) {
    throw invalid(`invalid value for option security_protocol: "${o.security_protocol}"`, `Use one of: ${PROTOCOLS.join(', ')}.`);
  }
  const usesSasl = protocol.startsWith('sasl_');
  const usesSsl = protocol === 'ssl' || protocol === 'sasl_ssl';
  for (const key of SECURITY_KEYS) {
    if (o[key] === undefined || key === 'security_protocol') continue;
    if (key.startsWith('sasl_') && !usesSasl) {
      throw invalid(`option ${key} of ${what} needs security_protocol sasl_plaintext or sasl_ssl, not ${protocol}`);
    }
    if (key.startsWith('ssl_') && !usesSsl) {
      throw invalid(`option ${key} of ${what} needs security_protocol ssl or sasl_ssl, not ${protocol}`);
    }
  }
  return { protocol, sasl: usesSasl ? saslOf(o, what) : null, ssl: usesSsl ? sslOf(o, what) : null };
}

function saslOf(o: Readonly<Record<string, string>>, what: string): NonNullable<KafkaSecurity['sasl']> {
  for (const key of ['sasl_mechanism', 'sasl_username', 'sasl_password']) {
    if (o[key] === undefined || o[key] === '') {
      throw invalid(`${what} uses SASL and needs the option ${key}`, `Add ${key} = '...' to its WITH (...) clause.`);
    }
  }
  const mechanism = o.sasl_mechanism.trim().toLowerCase() as SaslMechanism;
  if (!MECHANISMS.includes(mechanism)) {
    throw invalid(`unknown SASL mechanism "${o.sasl_mechanism}" in option sasl_mechanism`, 'Use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.');
  }
  return { mechanism, username: o.sasl_username, password: o.sasl_password };
}

function sslOf(o: Readonly<Record<string, string>>, what: string): NonNullable<KafkaSecurity['ssl']> {
  const ssl = {
    caFile: o.ssl_ca_location, certFile: o.ssl_certificate_location, keyFile: o.ssl_key_location, keyPassword: o.ssl_key_password,
  };
  if ((ssl.certFile === undefined) !== (ssl.keyFile === undefined)) {
    throw invalid(`${what} needs both ssl_certificate_location and ssl_key_location, or neither`);
  }
  if (ssl.keyPassword !== undefined && ssl.keyFile === undefined) throw invalid(`option ssl_key_password of ${what} needs ssl_key_location`);
  const files: [string, string | undefined][] = [
    ['ssl_ca_location', ssl.caFile], ['ssl_certificate_location', ssl.certFile], ['ssl_key_location', ssl.keyFile],
  ];
  for (const [key, file] of files) if (file !== undefined) readPem(key, file);
  return ssl;
}

function readPem(key: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw invalid(`cannot read the file "${file}" named in option ${key}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** kafkajs's `ssl` and `sasl` client settings for these options. */
export function kafkajsSecurity(s: KafkaSecurity): { ssl?: boolean | ConnectionOptions; sasl?: SASLOptions } {
  const out: { ssl?: boolean | ConnectionOptions; sasl?: SASLOptions } = {};
  if (s.ssl !== null) {
    const { caFile, certFile, keyFile, keyPassword } = s.ssl;
    const tls: ConnectionOptions = {};
    if (caFile !== undefined) tls.ca = [readPem('ssl_ca_location', caFile)];
    if (certFile !== undefined) tls.cert = readPem('ssl_certificate_location', certFile);
    if (keyFile !== undefined) tls.key = readPem('ssl_key_location', keyFile);
    if (keyPassword !== undefined) tls.passphrase = keyPassword;
    out.ssl = Object.keys(tls).length === 0 ? true : tls;
  }
  if (s.sasl !== null) {
    const { mechanism, username, password } = s.sasl;
    // kafkajs types each mechanism apart; the three share these fields.
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}
