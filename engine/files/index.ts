// Files in and out: streams fed by the lines of files matching a glob (source.ts), sinks writing changes into rolled
// files (sink.ts). docs/connectors.md ("## file") is the user's side of it.

export { fileConnector } from './connector';
export { fileSinkOptions, fileSourceOptions, type FileSinkOptions, type FileSourceOptions } from './options';
export { DIFF_COLUMN } from './sink-format';
export type { FileConnectorSettings } from './root';
