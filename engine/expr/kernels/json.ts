// jsonb -> key / index (jsonb result), ->> (text result) and ? key (whether it is there). The jsonb text is parsed
// per row; a missing key, an index out of range or a non-container gives NULL, as in PostgreSQL.

import { unionNulls } from '../../columns/vec';
import { formatJson, jsonAsText, jsonGet, jsonHasKey, parseJson } from '../../values/jsonb';
import type { Kernel, KernelSpec } from '../kernel';
import { asNum, asStr, boolVec, strVec } from '../vecs';

export function jsonGetKernel(spec: KernelSpec): Kernel {
  const asText = spec.fn === '->>';
  const byIndex = spec.argTypes[1].name !== 'text' && spec.argTypes[1].name !== 'varchar'
    && spec.argTypes[1].name !== 'unknown';
  return (args, n) => {
    const docs = asStr(args[0]).values;
    const key = args[1];
    const nulls = unionNulls(n, args[0], args[1]) ?? new Uint8Array(n);
    const out = new Array<string>(n).fill('');
    for (let i = 0; i < n; i++) {
      if (nulls[i] === 1) continue;
      const k = byIndex ? Math.trunc(asNum(key).values[i]) : asStr(key).values[i];
      const found = jsonGet(parseJson(docs[i]), k);
      const text = found === undefined ? null : asText ? jsonAsText(found) : formatJson(found);
      if (text === null) nulls[i] = 1;
      else out[i] = text;
    }
    return strVec(spec.type, out, nulls.indexOf(1) < 0 ? null : nulls);
  };
}

export function jsonHasKeyKernel(spec: KernelSpec): Kernel {
  return (args, n) => {
    const docs = asStr(args[0]).values;
    const keys = asStr(args[1]).values;
    const nulls = unionNulls(n, args[0], args[1]);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      out[i] = jsonHasKey(parseJson(docs[i]), keys[i]) ? 1 : 0;
    }
    return boolVec(spec.type, out, nulls);
  };
}
