// SELECT list: computes each output column over the whole batch. A bare column reference passes its Arrow column
// through untouched (exact int64s, no string decoding).

import type { Data } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { dataFromVec } from '../columns/arrow';
import type { Vec } from '../columns/vec';
import { batchFromData, columnData } from '../columns/rows';
import { BatchColumns } from '../expr/context';
import { compileExpr, type CompiledExpr } from '../expr/compile';
import type { ProjectNode } from '../plan';
import { StatelessOperator, type OperatorContext, type OperatorOutput } from './operator';

export class ProjectOperator extends StatelessOperator {
  private readonly exprs: (CompiledExpr | number)[];

  constructor(private readonly node: ProjectNode, private readonly ctx: OperatorContext, out: OperatorOutput) {
    super(out);
    const inSchema = node.input.schema;
    this.exprs = node.exprs.map((e, i) => {
      // Same representation in and out: pass the column through.
      if (e.kind === 'column' && inSchema[e.index].type.name === node.schema[i].type.name) return e.index;
      return compileExpr(e);
    });
  }

  push(_input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const view = new BatchColumns(batch.data, this.node.input.schema);
    const cols: Data[] = this.exprs.map((e, i) => {
      if (typeof e === 'number') return columnData(batch.data, e);
      const v = e.eval(view, this.ctx.eval);
      const type = this.node.schema[i].type;
      return dataFromVec(v.type === type ? v : ({ ...v, type } as Vec));
    });
    this.out.emit({ data: batchFromData(this.node.schema, cols, n), diffs: batch.diffs });
  }
}
