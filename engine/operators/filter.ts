// WHERE / HAVING: keeps the rows whose predicate is TRUE, weights and all (a delete passes like an insert, so a
// filtered view of a changing relation stays right).

import type { ChangeBatch } from '../batch';
import { BatchColumns } from '../expr/context';
import { compileExpr, selectedRows, type CompiledExpr } from '../expr/compile';
import type { FilterNode } from '../plan';
import { takeChanges } from './changes';
import { StatelessOperator, type OperatorContext, type OperatorOutput } from './operator';

export class FilterOperator extends StatelessOperator {
  private readonly predicate: CompiledExpr;

  constructor(private readonly node: FilterNode, private readonly ctx: OperatorContext, out: OperatorOutput) {
    super(out);
    this.predicate = compileExpr(node.predicate);
  }

  push(_input: number, batch: ChangeBatch): void {
    if (batch.data.numRows === 0) return;
    const view = new BatchColumns(batch.data, this.node.input.schema);
    const rows = selectedRows(this.predicate.eval(view, this.ctx.eval));
    if (rows.length > 0) this.out.emit(takeChanges(this.node.input.schema, batch, rows));
  }
}
