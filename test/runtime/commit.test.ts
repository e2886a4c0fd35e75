// Runtime.commitWrites: the rows of several streams and tables (a transaction block's) go to disk in one LevelDB
// write, and a primary key that collides anywhere in the commit keeps every relation's rows out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Store } from '../../storage';
import type { RelationDef } from '../../engine/catalog';
import { Runtime } from '../../engine/runtime/runtime';
import { batchFromRows } from '../../engine/columns';
import { T, type Field } from '../../engine/types';
import type { StreamDef, TableDef } from '../../engine/catalog';
import { silentLogger } from '../../server/log';

const base = { options: {}, definition: 'CREATE ...', createdAt: new Date().toISOString() };
const eventColumns: Field[] = [{ name: 'id', type: T.int8, nullable: false }];
const accountColumns: Field[] = [{ name: 'id', type: T.int8, nullable: false }, { name: 'name', type: T.text, nullable: true }];
const events: StreamDef = { kind: 'stream', name: 'events', columns: eventColumns, watermark: null, ...base };
const accounts: TableDef = { kind: 'table', name: 'accounts', columns: accountColumns, primaryKey: ['id'], ...base };

test('a commit over a stream and a table is one write; a duplicate key anywhere in it writes nothing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-commit-'));
  const store = await Store.open<RelationDef>(dir);
  const rt = await Runtime.open(store, silentLogger);
  try {
    await rt.create(events);
    await rt.create(accounts);
    const eventsId = store.getDef('events')!.id;
    const accountsId = store.getDef('accounts')!.id;

    const writes = store.writeCount;
    await rt.writes.commitWrites([
      { relation: 'events', batch: batchFromRows(eventColumns, [[1n], [2n]]) },
      { relation: 'accounts', batch: batchFromRows(accountColumns, [[1n, 'one']]) },
      { relation: 'accounts', batch: batchFromRows(accountColumns, [[2n, 'two']]) },
    ]);
    assert.equal(store.writeCount, writes + 1, 'one LevelDB write');
    assert.deepEqual(rt.writes.tableState('accounts').snapshot(), [[1n, 'one'], [2n, 'two']]);
    const streamEnd = store.lastSeq(eventsId);
    const tableEnd = store.lastSeq(accountsId);

    // Key 3 twice across two writes of the same commit: refused before anything is written, the stream's rows too.
    await assert.rejects(rt.writes.commitWrites([
      { relation: 'events', batch: batchFromRows(eventColumns, [[3n]]) },
      { relation: 'accounts', batch: batchFromRows(accountColumns, [[3n, 'three']]) },
      { relation: 'accounts', batch: batchFromRows(accountColumns, [[3n, 'again']]) },
    ]), (e: { code?: string }) => e.code === '23505');
    assert.equal(store.lastSeq(eventsId), streamEnd, 'the stream got nothing of the refused commit');
    assert.equal(store.lastSeq(accountsId), tableEnd);
    assert.deepEqual(rt.writes.tableState('accounts').snapshot(), [[1n, 'one'], [2n, 'two']]);
    assert.equal(store.writeCount, writes + 1, 'no write at all');
  } finally {
    await rt.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

