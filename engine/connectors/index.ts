// Sources and sinks of every kind behind one registry (registry.ts); each kind implements connector.ts.

export { Connectors, type ConnectorRow } from './registry';
export type { ConnectorEnvironment, ConnectorKind, ConnectorStatus, RunningConnector, SinkStart, SourceStart } from './connector';
