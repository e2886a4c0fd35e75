// VALUES (...), (...): its rows, once (at the first epoch's end, or at the end of a pull query's input). A state
// table remembers that the rows went out, so a restarted query does not insert them twice.

import { VecColumns, type EvalContext } from '../expr/context';
import { compileExpr } from '../expr/compile';
import { valueAt } from '../columns/vec';
import type { ValuesNode } from '../plan';
import type { StateTable } from '../state/table';
import type { Value } from '../types';
import { changesFromRows } from './changes';
import type { Operator, OperatorContext, OperatorOutput } from './operator';

/** The one row of the state table: present once the rows went out. */
const SENT = 0;

export class ValuesOperator implements Operator {
  private readonly sent: StateTable<true>;

  constructor(private readonly node: ValuesNode, private readonly ctx: OperatorContext, private readonly out: OperatorOutput) {
    this.sent = ctx.tables('sent', { write: () => {}, read: () => true });
  }

  push(): void {
    throw new Error('engine: VALUES has no input');
  }

  onWatermark(): void {}

  flush(): void {
    if (this.sent.has(SENT)) return;
    this.sent.put(SENT, true);
    const rows = valuesRows(this.node, this.ctx.eval);
    if (rows.length > 0) this.out.emit(changesFromRows(this.node.schema, rows, rows.map(() => 1)));
  }

  endOfInput(): void {
    this.flush();
  }

  restored(): void {}

  stateBytes(): number {
    return 0;
  }
}

/** The rows of a VALUES list, each expression evaluated once (INSERT ... VALUES reads them without a DAG too). */
export function valuesRows(node: ValuesNode, ctx: EvalContext): Value[][] {
  const one = new VecColumns([], 1);
  return node.rows.map((r) => r.map((e) => valueAt(compileExpr(e).eval(one, ctx), 0)));
}
