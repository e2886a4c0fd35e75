// What every connection of one server shares.

import type { Backend } from '../backend';
import type { Logger } from '../log';
import type { AuthConfig } from '../auth/users';
import type { SessionRegistry } from './registry';
import type { StartupBudget } from './startup-budget';
import type { WireTls } from './tls';

export interface ServerContext {
  readonly backend: Backend;
  readonly auth: AuthConfig;
  readonly log: Logger;
  /** Reported as server_version, e.g. "15.0 (Sluice 0.1.0)". */
  readonly serverVersion: string;
  readonly registry: SessionRegistry;
  /** Sockets whose first packet is not handled yet, counted apart from sessions. */
  readonly startupBudget: StartupBudget;
  /** The largest message body accepted after authentication. */
  readonly maxMessageBytes: number;
  /** Time allowed from connect to the end of authentication. */
  readonly startupTimeoutMs: number;
  /** TLS for clients that ask for it (SSLRequest); null: the server has no certificate and answers 'N'. */
  readonly tls: WireTls | null;
  /** Settings a session of a user starts with, below its startup parameters (server and role defaults). */
  readonly sessionDefaults: (user: string) => ReadonlyMap<string, string>;
}
