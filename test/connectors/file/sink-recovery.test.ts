// A file sink crashing between a file's rename into place and the record of its position, on a real store: the
// restarted sink, rolling differently, sees the complete file, moves past it and writes each change once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { encodeChangeBatch } from '../../../engine/codecs/change-batch';
import { batchFromRows } from '../../../engine/columns';
import { startFileSink } from '../../../engine/files/sink';
import { T, type Field } from '../../../engine/types';
import { waitFor } from '../../helpers/wait';
import { plainStream, sinkDef, tempStore, testLog } from '../../kafka/fixtures';
import { completeFiles, jsonRows, temporaryFiles } from './sink-files';

const COLUMNS: Field[] = [{ name: 'id', type: T.int4, nullable: false }];
const rowsOf = (...ids: number[]): Uint8Array => encodeChangeBatch({ data: batchFromRows(COLUMNS, ids.map((id) => [id])), diffs: null });

test('a file in place but not recorded is not written again after a restart', async () => {
  const t = await tempStore('file-sink');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-sink-recovery-'));
  try {
    const fromId = await t.store.putDef(plainStream('ids', COLUMNS));
    const settings = { root: dir };
    const options = { connector: 'file', path: dir, format: 'json' };
    const def = sinkDef('ids_out', 'ids', { ...options, roll_bytes: '1' });
    const sinkId = await t.store.putDef(def);
    await t.store.appendToLog(fromId, rowsOf(1, 2));
    await t.store.appendToLog(fromId, rowsOf(3));
    const first = startFileSink({
      store: t.store, sinkId, def, fromRelationId: fromId, fromSchema: COLUMNS, log: testLog(), settings,
      afterFile: (last) => {
        if (last >= 2n) throw new Error('simulated crash after the file of entry 2 is in place');
      },
    });
    await waitFor(() => first.status().state === 'failed', 'the simulated crash');
    await first.stop();
    assert.equal(t.store.queryOffsets(sinkId)[fromId], 1n, 'entry 2 is in a file but not recorded');
    assert.equal(completeFiles(dir, 'jsonl').length, 2);

    await t.store.appendToLog(fromId, rowsOf(4));
    // Restarted with a larger roll_bytes: writing entry 2 again would make a file 2..3, with id 3 in two files.
    const restarted = sinkDef('ids_out', 'ids', { ...options, roll_bytes: '100000', roll_seconds: '1' });
    const second = startFileSink({
      store: t.store, sinkId, def: restarted, fromRelationId: fromId, fromSchema: COLUMNS, log: testLog(), settings,
    });
    try {
      await waitFor(() => t.store.queryOffsets(sinkId)[fromId] === 3n, 'entry 3 recorded');
      assert.equal(second.status().state, 'running');
    } finally {
      await second.stop();
    }
    const files = completeFiles(dir, 'jsonl');
    assert.deepEqual(files.map((f) => basename(f)), [
      'ids_out-00000000000000000001-00000000000000000001.jsonl',
      'ids_out-00000000000000000002-00000000000000000002.jsonl',
      'ids_out-00000000000000000003-00000000000000000003.jsonl',
    ]);
    assert.deepEqual(files.flatMap(jsonRows), [1, 2, 3, 4].map((id) => ({ id, _diff: 1 })));
    assert.deepEqual(temporaryFiles(dir), []);
  } finally {
    await t.close();
  }
});
