// Names as statements write them: a relation's name (public.x is x) and a parenthesized list of column names.

import type { Name } from './ast';
import type { Cursor } from './cursor';

export function name(c: Cursor): Name {
  const n = c.expectIdent();
  // public.x is x: Sluice has one schema for user objects.
  if (c.isOp('.') && n.name === 'public') {
    c.next();
    return { name: c.expectAnyName().name, pos: n.pos };
  }
  return n;
}

/** `(a, b, ...)`, or null when no parenthesis follows. */
export function nameList(c: Cursor): Name[] | null {
  if (!c.acceptOp('(')) return null;
  const names = [c.expectIdent()];
  while (c.acceptOp(',')) names.push(c.expectIdent());
  c.expectOp(')');
  return names;
}
