// A subscription's items as rows (relation columns, sluice_epoch, sluice_diff [, sluice_progress]) and as COPY
// lines. COPY lines of an epoch's changes are encoded once for every subscriber that sends them in the same format
// and time zone:
// 100 subscribers of one query cost one encoding per epoch (EncodedLines, a cache bounded in bytes).

import { rowsFromBatch } from '../columns';
import { CopyLineEncoder, type CopyFormat } from '../codecs/copy-out';
import type { Schema, Value } from '../types';
import type { SubscriptionItem } from './subscription';
import type { TimeZone } from '../values/timezone';

export function itemRows(item: SubscriptionItem, columns: Schema, progress: boolean): Value[][] {
  if (item.kind === 'progress') return [[...columns.map(() => null), item.epoch, null, true]];
  const rows = rowsFromBatch(item.changes.data, columns);
  const diffs = item.changes.diffs;
  for (let i = 0; i < rows.length; i++) {
    rows[i].push(item.epoch, diffs === null ? 1 : diffs[i]);
    if (progress) rows[i].push(false);
  }
  return rows;
}

const zoneIds = new WeakMap<TimeZone, number>();
let nextZoneId = 0;

/** A number per zone object (one per distinct TimeZone setting), so lines in different zones are kept apart. */
function zoneId(zone: TimeZone): number {
  let id = zoneIds.get(zone);
  if (id === undefined) {
    id = nextZoneId++;
    zoneIds.set(zone, id);
  }
  return id;
}

/** Encoded COPY lines of recent epochs, shared by the subscriptions that send them. */
export class EncodedLines {
  private readonly entries = new Map<string, { readonly lines: readonly Uint8Array[]; readonly bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The lines of `item` in `format` and the zone (the encoder's), with or without the sluice_progress column. */
  lines(item: SubscriptionItem, encoder: CopyLineEncoder, columns: Schema, progress: boolean, format: CopyFormat): readonly Uint8Array[] {
    const make = (): Uint8Array[] => encoder.lines(itemRows(item, columns, progress));
    if (item.kind !== 'changes' || item.key === null) return make();
    const key = `${item.key}|${format}|${progress ? 'p' : ''}|${zoneId(encoder.zone)}`;
    const found = this.entries.get(key);
    if (found !== undefined) return found.lines;
    const lines = make();
    let bytes = 0;
    for (const l of lines) bytes += l.byteLength;
    this.entries.set(key, { lines, bytes });
    this.bytes += bytes;
    // Oldest first: a Map iterates in insertion order.
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
    return lines;
  }
}
