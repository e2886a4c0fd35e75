// Servers a test may SIGKILL and restart on the same data directory: each started one is killed when the file's
// tests end, and its client ignores the connection error the kill causes.

import { after } from 'node:test';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';

/** A starter for this test file's servers; registers their cleanup with the file's `after`. */
export function killableServers(): (dataDir?: string) => Promise<{ server: TestServer; sql: Client }> {
  const servers: TestServer[] = [];
  after(() => {
    for (const s of servers) s.kill('SIGKILL');
  });
  return async (dataDir) => {
    const server = await startServer({ dataDir });
    servers.push(server);
    const sql = await connectPg(server);
    sql.on('error', () => {}); // a test kills the server under it
    return { server, sql };
  };
}
