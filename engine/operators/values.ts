// VALUES (...), (...): its rows, once (at the first epoch's end, or at the end of a pull query's input).

import { VecColumns } from '../expr/context';
import { compileExpr } from '../expr/compile';
import { valueAt } from '../columns/vec';
import type { ValuesNode } from '../plan';
import type { Value } from '../types';
import { changesFromRows } from './changes';
import { StatelessOperator, type OperatorContext, type OperatorOutput } from './operator';

export class ValuesOperator extends StatelessOperator {
  private done = false;
  private dirty = false;

  constructor(private readonly node: ValuesNode, private readonly ctx: OperatorContext, out: OperatorOutput) {
    super(out, 0);
  }

  push(): void {
    throw new Error('engine: VALUES has no input');
  }

  override flush(): void {
    if (this.done) return;
    this.done = true;
    this.dirty = true;
    const one = new VecColumns([], 1);
    const rows: Value[][] = this.node.rows.map((r) => r.map((e) => valueAt(compileExpr(e).eval(one, this.ctx.eval), 0)));
    if (rows.length > 0) this.out.emit(changesFromRows(this.node.schema, rows, rows.map(() => 1)));
  }

  override endOfInput(): void {
    this.flush();
  }

  override snapshot(): Map<string, Uint8Array | null> {
    // Remember that the rows went out, so a restarted query does not insert them twice.
    if (!this.dirty) return new Map();
    this.dirty = false;
    return new Map([['done', new Uint8Array([1])]]);
  }

  override restore(entries?: Iterable<[string, Uint8Array]>): void {
    for (const [k] of entries ?? []) if (k === 'done') this.done = true;
  }
}
