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

export class HttpSession implements SessionState {
  transactionStatus: 'I' | 'T' | 'E' = 'I';
  readonly database = 'sluice';
  readonly settings: Map<string, string>;
  readonly notices: Notice[] = [];
  // Wire sessions draw theirs from the same range; no one can cancel an HTTP session by its id.
  readonly processId = randomInt(1, 2 ** 31 - 1);

  constructor(readonly user: string, serverVersion: string) {
    this.settings = initialSettings(new Map([['application_name', 'http']]), { user, serverVersion });
    registerSession(this);
  }

  notice(message: string, detail?: string): void {
    this.notices.push(detail === undefined ? { message } : { message, detail });
  }

  parameterStatus(): void {
    // Settings changes have no one to be announced to: the session ends with the request.
  }
}
