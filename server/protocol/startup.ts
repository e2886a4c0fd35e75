// The startup phase: SSL and GSSAPI encryption requests (SSL answered 'S' and the socket upgraded when TLS is
// configured, 'N' otherwise; GSSAPI always 'N'), CancelRequest, and the
// StartupMessage with its protocol version and parameters. Everything here happens before authentication, so
// every packet is capped at MAX_STARTUP_PACKET bytes (PostgreSQL's MAX_STARTUP_PACKET_LENGTH).

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Channel } from './channel';
import { protocolViolation } from './errors';
import type { WireTls } from './tls';

export const MAX_STARTUP_PACKET = 10_000;

const CANCEL_REQUEST_CODE = 80877102;
const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
export const PROTOCOL_MINOR_SUPPORTED = 0;

export type StartupOutcome =
  | {
      readonly kind: 'session';
      readonly protocolMinor: number;
      /** Every name=value pair of the StartupMessage except the `_pq_.` protocol options. */
      readonly params: ReadonlyMap<string, string>;
      /** `_pq_.` options: none is supported, so each is reported back in NegotiateProtocolVersion. */
      readonly protocolOptions: readonly string[];
    }
  | { readonly kind: 'cancel'; readonly processId: number; readonly secret: number }
  | { readonly kind: 'hangup' };

/** `tls`: the server's TLS setup, null when it has none. */
export async function negotiateStartup(channel: Channel, tls: WireTls | null): Promise<StartupOutcome> {
  let sslDone = false;
  let gssDone = false;
  for (;;) {
    const body = await channel.readStartupPacket(8, MAX_STARTUP_PACKET);
    if (body === null) return { kind: 'hangup' };
    const code = body.readInt32BE(0);
    if ((code === SSL_REQUEST_CODE && !sslDone) || (code === GSSENC_REQUEST_CODE && !gssDone)) {
      const ssl = code === SSL_REQUEST_CODE;
      if (body.length !== 4) throw protocolViolation('invalid length of startup packet');
      // Bytes already waiting would have been read as if encrypted had we said yes (CVE-2021-23214): refuse them.
      if (channel.buffered > 0) {
        throw protocolViolation(`received unencrypted data after ${ssl ? 'SSL request' : 'GSSAPI encryption request'}`);
      }
      if (ssl) sslDone = true;
      else gssDone = true;
      const accept = ssl && tls !== null;
      channel.write(Buffer.from(accept ? 'S' : 'N'));
      channel.flush();
      if (accept && !(await secure(channel, tls))) return { kind: 'hangup' };
      continue;
    }
    if (code === CANCEL_REQUEST_CODE) {
      if (body.length !== 12) throw protocolViolation('invalid length of startup packet');
      return { kind: 'cancel', processId: body.readInt32BE(4), secret: body.readInt32BE(8) };
    }
    const major = code >>> 16;
    const minor = code & 0xffff;
    if (major !== 3) {
      throw new SqlError(
        SQLSTATE.feature_not_supported,
        `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.${PROTOCOL_MINOR_SUPPORTED}`,
        { severity: 'FATAL' },
      );
    }
    return { kind: 'session', protocolMinor: minor, ...readParameters(body.subarray(4)) };
  }
}

/** Runs the TLS handshake; false when it failed or the client left. A certificate that does not verify is FATAL. */
async function secure(channel: Channel, tls: WireTls): Promise<boolean> {
  const upgrade = await channel.startTls(tls);
  if (upgrade.kind === 'failed') return false;
  if (upgrade.kind === 'bad-client-certificate') {
    throw new SqlError(SQLSTATE.invalid_authorization_specification,
      `could not verify the client certificate: ${upgrade.reason}`, { severity: 'FATAL' });
  }
  return true;
}

/** name\0value\0 ... \0: the last byte must be the terminating empty name. */
function readParameters(b: Buffer): { params: ReadonlyMap<string, string>; protocolOptions: string[] } {
  const params = new Map<string, string>();
  const protocolOptions: string[] = [];
  let at = 0;
  const next = (): string => {
    const end = b.indexOf(0, at);
    if (end < 0) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
    const s = b.toString('utf8', at, end);
    at = end + 1;
    return s;
  };
  for (;;) {
    const name = next();
    if (name === '') break;
    const value = next();
    if (name.startsWith('_pq_.')) protocolOptions.push(name);
    else params.set(name, value);
  }
  if (at !== b.length) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
  return { params, protocolOptions };
}
