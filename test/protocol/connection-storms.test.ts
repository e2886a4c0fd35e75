// Connection pressure through real sockets: a storm of clients past --max-connections, each of which must either
// get a session or hear FATAL 53300 (never a silent close), and idle sockets that never send a startup packet,
// which must not lock real clients out.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Client } from 'pg';
import { startServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) assert.equal(await s.stop(), 0, s.stderr());
});

async function started(maxConnections: number): Promise<TestServer> {
  const server = await startServer({ args: ['--max-connections', String(maxConnections)] });
  servers.push(server);
  return server;
}

/** 'connected' with the client still open, or the SQLSTATE (or message, when there is none) that refused it. */
async function tryConnect(server: TestServer, clients: Client[]): Promise<string> {
  const client = new Client({ host: server.host, port: server.port, user: 'test', database: 'sluice' });
  client.on('error', () => {}); // a refused client may also report the close after its error
  try {
    await client.connect();
    clients.push(client);
    return 'connected';
  } catch (e) {
    return (e as { code?: string }).code ?? `no SQLSTATE: ${(e as Error).message}`;
  }
}

/** A raw TCP socket that says nothing; records what the server sends it and whether the server closed it. */
interface IdleSocket {
  readonly socket: Socket;
  received: Buffer;
  closed: boolean;
}

function idleSocket(server: TestServer): Promise<IdleSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, server.host);
    const idle: IdleSocket = { socket, received: Buffer.alloc(0), closed: false };
    socket.on('data', (chunk: Buffer) => (idle.received = Buffer.concat([idle.received, chunk])));
    socket.on('close', () => (idle.closed = true));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(idle);
    });
  });
}

/** The SQLSTATE of the one ErrorResponse the server sent, or null when it sent none. */
function sqlstateSent(received: Buffer): string | null {
  if (received.length === 0 || received[0] !== 'E'.charCodeAt(0)) return null;
  const fields = received.subarray(5, 1 + received.readInt32BE(1)).toString('utf8').split('\0');
  return fields.find((f) => f.startsWith('C'))?.slice(1) ?? null;
}

describe('connection pressure', () => {
  test('300 clients against --max-connections 50: each gets a session or FATAL 53300 before the close', async () => {
    const server = await started(50);
    const clients: Client[] = [];
    const outcomes = await Promise.all(Array.from({ length: 300 }, () => tryConnect(server, clients)));
    const counts = new Map<string, number>();
    for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
    const connected = counts.get('connected') ?? 0;
    const refused = counts.get('53300') ?? 0;
    assert.equal(connected + refused, 300, `outcomes: ${JSON.stringify([...counts])}`);
    assert.ok(connected >= 1 && connected <= 50, `connected: ${connected}`);
    await Promise.all(clients.map((c) => c.end()));
  });

  test('idle sockets that never send a startup packet do not lock clients out', async () => {
    const max = 4;
    const server = await started(max);
    const idle: IdleSocket[] = [];
    // More idle sockets than sessions and spare sockets together, as many as node's own socket limit once allowed.
    for (let i = 0; i < 50; i++) idle.push(await idleSocket(server));

    // Every slot, one after another: the oldest idle sockets are pushed out once they have had their grace.
    const clients: Client[] = [];
    const refusals: string[] = [];
    await waitFor(async () => {
      const outcome = await tryConnect(server, clients);
      if (outcome !== 'connected') refusals.push(outcome);
      return clients.length === max;
    }, () => `${max} sessions beside idle sockets; refusals: ${refusals.join(', ')}`, 15_000);
    assert.ok(refusals.every((r) => r === '53300'), refusals.join(', '));
    const row = await clients[0].query('SELECT 1 AS one');
    assert.equal(row.rows[0].one, 1);

    // No idle socket was closed without a word: past the startup budget 53300, pushed out 08P01.
    await waitFor(() => idle.some((s) => s.closed), 'an idle socket closed by the server');
    for (const s of idle.filter((x) => x.closed)) {
      assert.ok(['53300', '08P01'].includes(sqlstateSent(s.received) ?? 'none'), s.received.toString('utf8'));
    }
    assert.ok(idle.some((s) => sqlstateSent(s.received) === '08P01'), 'an idle socket pushed out');
    for (const s of idle) s.socket.destroy();
    await Promise.all(clients.map((c) => c.end()));
  });
});
