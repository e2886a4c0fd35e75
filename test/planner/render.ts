// Renders a planned Statement as stable text for golden files: plans through EXPLAIN, definitions as one line.

import type { Field } from '../../engine/types';
import { explainPlan, formatExpr } from '../../planner/explain';
import type { Statement } from '../../engine/statement';
import { testCatalog } from './catalog';

const cols = (fields: readonly Field[]): string =>
  fields.map((c) => `${c.name} ${c.type.name}${c.type.length === undefined ? '' : `(${c.type.length})`}${c.nullable ? '' : ' not null'}`).join(', ');
const opts = (o: Readonly<Record<string, string>>): string => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(', ');

export function renderStatement(s: Statement): string[] {
  switch (s.kind) {
    case 'select':
      return [...explainPlan(s.plan), ...(s.paramTypes.length > 0 ? [`params: ${s.paramTypes.map((t) => t.name).join(', ')}`] : [])];
    case 'explain': return [...s.lines];
    case 'explain_analyze': return [`EXPLAIN ANALYZE ${s.query} format=${s.format}`, ...s.lines.map((l) => `${l.text} #${l.node ?? '-'}`)];
    case 'create_stream': {
      const w = s.def.watermark === null ? 'none' : `${s.def.watermark.column} - ${s.def.watermark.delayMicros}us`;
      return [`CREATE STREAM ${s.def.name} (${cols(s.def.columns)}) watermark=${w} options={${opts(s.def.options)}} if_not_exists=${s.ifNotExists}`];
    }
    case 'create_table':
      return [`CREATE TABLE ${s.def.name} (${cols(s.def.columns)}) key=[${s.def.primaryKey.join(', ')}] options={${opts(s.def.options)}} if_not_exists=${s.ifNotExists}`];
    case 'create_query': {
      const d = s.def;
      return [
        `CREATE ${d.materializedView ? 'MATERIALIZED VIEW' : 'CONTINUOUS QUERY'} ${d.name} (${cols(d.columns)}) emit=${d.emit} trigger=${d.triggerIntervalMs}ms depends=[${d.dependsOn.join(', ')}]`,
        `select: ${d.select}`,
        ...explainPlan(s.plan),
      ];
    }
    case 'create_sink': return [`CREATE SINK ${s.def.name} FROM ${s.def.from} options={${opts(s.def.options)}}`];
    case 'drop': return [`DROP ${s.objectKind} ${s.name} if_exists=${s.ifExists} cascade=${s.cascade}`];
    case 'alter_query': return [`ALTER QUERY ${s.name} ${s.action}`];
    case 'show_objects': return [`SHOW ${s.objectKind}`];
    case 'create_role': return [`CREATE ROLE ${s.name} user=${s.user} options=${JSON.stringify(s.options)}`];
    case 'alter_role': return [`ALTER ROLE ${s.name} ${JSON.stringify(s.alteration)}`];
    case 'drop_role': return [`DROP ROLE ${s.names.join(', ')} if_exists=${s.ifExists}`];
    case 'grant': return [`${s.grant ? 'GRANT' : 'REVOKE'} ${JSON.stringify(s.on)} ${s.grantees.join(', ')}`];
    case 'insert':
      return [`INSERT INTO ${s.targetKind} ${s.target} (${s.columns.join(', ')})${s.paramTypes.length > 0 ? ` params: ${s.paramTypes.map((t) => t.name).join(', ')}` : ''}`, ...explainPlan(s.source)];
    case 'copy_from':
      return [`COPY ${s.targetKind} ${s.target} columns=[${s.columns.join(', ')}] format=${s.format} header=${s.header} delimiter=${JSON.stringify(s.delimiter)} null=${JSON.stringify(s.null)}`];
    case 'copy_to': {
      const f = s.format;
      const csv = f.format === 'csv' ? ` quote=${JSON.stringify(f.quote)} escape=${JSON.stringify(f.escape)} force_quote=[${(f.forceQuote ?? []).join(', ')}]` : '';
      return [`COPY TO STDOUT format=${f.format} header=${s.header} delimiter=${JSON.stringify(f.delimiter)} null=${JSON.stringify(f.null)}${csv}`, ...explainPlan(s.plan)];
    }
    case 'subscribe': {
      const o = s.options;
      return [`SUBSCRIBE ${s.relation} (${cols(s.schema)}) snapshot=${o.snapshot} progress=${o.progress} from_epoch=${o.fromEpoch ?? 'none'} output=${s.output}`];
    }
    case 'update': case 'delete': {
      const def = testCatalog.relation(s.table);
      const schema = def !== undefined && def.kind === 'table' ? def.columns : [];
      const where = s.predicate === null ? '' : ` WHERE ${formatExpr(s.predicate, schema)}`;
      const set = s.kind === 'update' ? ` SET ${s.assignments.map((a) => `${schema[a.column].name} = ${formatExpr(a.value, schema)}`).join(', ')}` : '';
      const params = s.paramTypes.length > 0 ? ` params: ${s.paramTypes.map((t) => t.name).join(', ')}` : '';
      return [`${s.kind.toUpperCase()} ${s.table}${set}${where}${params}`];
    }
  }
}
