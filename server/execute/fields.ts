// RowDescription fields from a schema: PostgreSQL type OIDs, sizes and modifiers.

import { TYPE_OID, TYPE_SIZE, typeModifier, type Field, type Schema } from '../../engine/types';
import type { FieldDescription } from '../backend';

export function fieldDescription(f: Field): FieldDescription {
  return {
    name: f.name,
    typeOid: TYPE_OID[f.type.name],
    typeSize: TYPE_SIZE[f.type.name],
    typeModifier: typeModifier(f.type),
    tableOid: 0,
    columnAttr: 0,
  };
}

export function fieldDescriptions(schema: Schema): FieldDescription[] {
  return schema.map(fieldDescription);
}
