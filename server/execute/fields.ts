// RowDescription fields from a schema: PostgreSQL type OIDs, sizes and modifiers.

import { TYPE_OID, TYPE_SIZE, type Field, type Schema } from '../../engine/types';
import type { FieldDescription } from '../backend';

export function fieldDescription(f: Field): FieldDescription {
  return {
    name: f.name,
    typeOid: TYPE_OID[f.type.name],
    typeSize: TYPE_SIZE[f.type.name],
    // PostgreSQL's atttypmod for varchar(n) is n + 4 (the header); -1 means none.
    typeModifier: f.type.name === 'varchar' && f.type.length !== undefined ? f.type.length + 4 : -1,
    tableOid: 0,
    columnAttr: 0,
  };
}

export function fieldDescriptions(schema: Schema): FieldDescription[] {
  return schema.map(fieldDescription);
}
