// TLS on the wire port. A PostgreSQL client asks for it in plaintext (SSLRequest), so the socket is upgraded in
// place: it is handed to a tls.Server that never listens, which wraps it in a TLSSocket, runs the handshake (bounded
// by handshakeTimeout) and, when a CA is configured, checks the client certificate with OpenSSL. A client that
// presents no certificate is still let in (its password is checked as usual); one that presents a certificate the
// CA did not sign is refused.

import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';

export interface WireTlsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** CAs that client certificates are verified against; none: no client certificate is asked for. */
  readonly ca: Buffer | null;
  /** Plaintext sessions are refused (FATAL 28000). */
  readonly required: boolean;
  readonly handshakeTimeoutMs: number;
}

export type Upgrade =
  | { readonly kind: 'secure'; readonly socket: TLSSocket }
  /** The handshake finished, but the client's certificate does not verify: why, in OpenSSL's words. */
  | { readonly kind: 'bad-client-certificate'; readonly socket: TLSSocket; readonly reason: string }
  /** The handshake failed, timed out or the client went away. */
  | { readonly kind: 'failed' };

export class WireTls {
  private readonly server: Server;
  /** Handshakes under way, by the client's address and port (unique among open connections). */
  private readonly pending = new Map<string, (u: Upgrade) => void>();

  constructor(private readonly options: WireTlsOptions) {
    this.server = createServer({
      cert: options.cert,
      key: options.key,
      ca: options.ca ?? undefined,
      requestCert: options.ca !== null,
      // Checked below instead, so that a client without a certificate is not refused.
      rejectUnauthorized: false,
      handshakeTimeout: options.handshakeTimeoutMs,
    });
    this.server.on('secureConnection', (socket: TLSSocket) => this.settle(socket, this.verdict(socket)));
    this.server.on('tlsClientError', (_error: Error, socket: TLSSocket) => {
      socket.destroy();
      this.settle(socket, { kind: 'failed' });
    });
  }

  get required(): boolean {
    return this.options.required;
  }

  /** Runs the server side of the handshake on `raw`, whose reader must have stopped listening for data. */
  upgrade(raw: Socket): Promise<Upgrade> {
    const key = endpoint(raw);
    return new Promise<Upgrade>((resolve) => {
      const done = (u: Upgrade): void => {
        raw.off('close', gone);
        this.pending.delete(key);
        resolve(u);
      };
      const gone = (): void => done({ kind: 'failed' });
      raw.once('close', gone);
      this.pending.set(key, done);
      this.server.emit('connection', raw);
    });
  }

  private verdict(socket: TLSSocket): Upgrade {
    const presented = Object.keys(socket.getPeerCertificate()).length > 0;
    if (this.options.ca === null || !presented || socket.authorized) return { kind: 'secure', socket };
    return { kind: 'bad-client-certificate', socket, reason: String(socket.authorizationError) };
  }

  private settle(socket: TLSSocket, u: Upgrade): void {
    this.pending.get(endpoint(socket))?.(u);
  }
}

function endpoint(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}
