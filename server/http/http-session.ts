// The SessionState of one HTTP request: a session like a wire connection's (same settings, same transactions,
// same statements), living for one request. Notices are kept to be returned with the results.

import { randomInt } from 'node:crypto';
import type { SessionState } from '../backend';
import { initialSettings } from '../session/settings';
import { registerSession } from '../session/session-settings';

export interface Notice {
  readonly message: string;
  readonly detail?: string;
}

/** Who makes a request: `trusted` when no password was asked (trust mode), as a wire login under trust. */
export interface HttpUser {
  readonly name: string;
  readonly trusted: boolean;
}

export class HttpSession implements SessionState {
  transactionStatus: 'I' | 'T' | 'E' = 'I';
  readonly database = 'sluice';
  readonly settings: Map<string, string>;
  readonly notices: Notice[] = [];
  // Wire sessions draw theirs from the same range; no one can cancel an HTTP session by its id.
  readonly processId = randomInt(1, 2 ** 31 - 1);

  readonly user: string;
  readonly trusted: boolean;

  constructor(who: HttpUser, serverVersion: string) {
    this.user = who.name;
    this.trusted = who.trusted;
    this.settings = initialSettings(new Map([['application_name', 'http']]), { user: who.name, serverVersion });
    registerSession(this);
  }

  notice(message: string, detail?: string): void {
    this.notices.push(detail === undefined ? { message } : { message, detail });
  }

  parameterStatus(): void {
    // Settings changes have no one to be announced to: the session ends with the request.
  }
}
