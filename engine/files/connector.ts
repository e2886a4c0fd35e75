// Files as a kind of connector: streams fed by the lines of files matching a glob (source.ts), sinks writing a
// relation's changes into rolled files of a directory (sink.ts). The registry in engine/connectors/ runs them.

import type { ConnectorKind } from '../connectors/connector';
import { fileSinkOptions, fileSourceOptions } from './options';
import type { FileConnectorSettings } from './root';
import { startFileSink } from './sink';
import { startFileSource } from './source';

export function fileConnector(settings: FileConnectorSettings): ConnectorKind {
  return {
    name: 'file',
    target: (def) => def.options.path ?? null,
    checkSource: (def) => void fileSourceOptions(def, settings),
    checkSink: (def) => void fileSinkOptions(def, settings),
    startSource(env, { relationId, def }) {
      if (def.kind !== 'stream') throw new Error(`file source of ${def.name} started for a ${def.kind}`);
      const source = startFileSource({
        store: env.store, relationId, def, settings, log: env.log, onStreamRows: (rows) => env.streamRows.appended(relationId, rows),
      });
      return { status: () => ({ kind: 'source', ...source.status() }), stop: () => source.stop() };
    },
    startSink(env, { sinkId, def, fromRelationId, fromSchema }) {
      const sink = startFileSink({ store: env.store, settings, sinkId, def, fromRelationId, fromSchema, log: env.log });
      return { status: () => ({ kind: 'sink', ...sink.status(), deadLetters: 0 }), stop: () => sink.stop() };
    },
  };
}
