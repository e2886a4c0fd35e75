// The marker (storage/marker.ts) never names more than LevelDB holds: a DROP leaves it before it is durable, and a
// marker of a directory's state is accepted by the next open; one naming more is refused.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MARKER_FILE, Store, StorageError } from '../../storage';
import type { RelationDef } from '../../engine/catalog';
import { streamDef, tempDir } from './helpers/batches';

function markerText(dir: string): string {
  return fs.readFileSync(path.join(dir, MARKER_FILE), 'utf8');
}

test('a dropped relation leaves the marker before the drop resolves', async (t) => {
  const { dir, cleanup } = tempDir('marker-drop');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  await store.putDef(streamDef('kept'));
  await store.putDef(streamDef('dropped'));
  await store.close();
  assert.match(markerText(dir), /"name":"dropped"/, 'close writes the marker');

  store = await Store.open<RelationDef>(dir);
  await store.deleteDef('dropped');
  assert.doesNotMatch(markerText(dir), /"name":"dropped"/);
  assert.match(markerText(dir), /"name":"kept"/);
  await store.close();
  store = await Store.open<RelationDef>(dir);
  assert.deepEqual(store.listDefs().map((d) => d.def.name), ['kept']);
  await store.close();
});

test('a marker naming an entry LevelDB does not hold is refused, and the marker is left as found', async (t) => {
  const { dir, cleanup } = tempDir('marker-ahead');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const id = await store.putDef(streamDef('s'));
  await store.appendToLog(id, Uint8Array.of(1, 2, 3));
  await store.close();
  const ahead = markerText(dir).replace(/"lastSeq":"1"/, '"lastSeq":"7"');
  assert.notEqual(ahead, markerText(dir));
  fs.writeFileSync(path.join(dir, MARKER_FILE), ahead);
  await assert.rejects(Store.open<RelationDef>(dir), (e: unknown) => e instanceof StorageError && e.reason === 'corrupt' &&
    /went backwards: .*"s" \(relation \d+\): its log ends at entry 1, sluice.marker recorded 7/.test(e.message));
  assert.equal(markerText(dir), ahead);
  fs.rmSync(path.join(dir, MARKER_FILE));
  store = await Store.open<RelationDef>(dir);
  assert.equal(store.lastSeq(id), 1n, 'without the marker it starts on what LevelDB holds');
  await store.close();
});
