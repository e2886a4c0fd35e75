// One open cursor of a session: its columns, where its rows come from, and how far FETCH and MOVE have read.
// Cursors read forward only (PostgreSQL's NO SCROLL): a direction that needs to go back is refused with 55000.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { FieldDescription } from '../backend';
import type { FetchDirection } from './fetch-syntax';
import type { CursorRowSource, Row, TakeOptions } from './row-source';

export class Cursor {
  /** Rows read so far, by FETCH and MOVE. */
  private position = 0;
  /** A read came back short because the rows ended: the cursor stands after the last row. */
  private afterLast = false;
  /** Declared WITH HOLD and its transaction committed: it lives on until CLOSE or the session's end. */
  committedHold = false;

  constructor(
    readonly name: string,
    readonly fields: readonly FieldDescription[],
    readonly withHold: boolean,
    private readonly source: CursorRowSource,
  ) {}

  /** The rows FETCH returns. */
  async fetch(direction: FetchDirection, options: TakeOptions): Promise<Row[]> {
    const count = this.forwardCount(direction);
    if (count === 0) return [];
    const rows = await this.source.take(count, options);
    this.position += rows.length;
    if (rows.length < count && this.source.exhausted) this.afterLast = true;
    return rows;
  }

  /** How many rows MOVE skipped. */
  async move(direction: FetchDirection, options: TakeOptions): Promise<number> {
    return (await this.fetch(direction, options)).length;
  }

  close(): void {
    this.source.close();
  }

  private forwardCount(direction: FetchDirection): number {
    // FETCH 0 means the current row again, which a forward-only cursor can only give when it stands on none.
    const onRow = this.position > 0 && !this.afterLast;
    if (direction.kind === 'backward' || (direction.count === 0 && onRow)) {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'cursor can only scan forward', {
        hint: 'Sluice cursors read forward only: FETCH NEXT, FORWARD n or ALL.',
      });
    }
    return direction.count;
  }
}
