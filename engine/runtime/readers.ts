// Which continuous queries and sinks read each relation, kept up to date as objects are created and dropped, so
// that finding a relation's readers (for DROP and for trimming a stream's log after every epoch) costs the number of
// its readers rather than a scan of the whole catalog.

import type { RelationDef } from '../catalog';

/** The relations a definition reads: a query's inputs, a sink's source; none for streams and tables. */
function inputsOf(def: RelationDef): readonly string[] {
  if (def.kind === 'query') return def.dependsOn;
  if (def.kind === 'sink') return [def.from];
  return [];
}

export class ReaderIndex {
  /** Relation name → names of the objects reading it, in the order they were created. */
  private readonly readers = new Map<string, Set<string>>();

  add(def: RelationDef): void {
    for (const input of inputsOf(def)) {
      let names = this.readers.get(input);
      if (names === undefined) this.readers.set(input, (names = new Set()));
      names.add(def.name);
    }
  }

  remove(def: RelationDef): void {
    for (const input of inputsOf(def)) {
      const names = this.readers.get(input);
      names?.delete(def.name);
      if (names?.size === 0) this.readers.delete(input);
    }
  }

  /** How many objects read `name`. */
  countOf(name: string): number {
    return this.readers.get(name)?.size ?? 0;
  }

  /** Names of the objects reading `name`, oldest first. */
  readersOf(name: string): readonly string[] {
    const names = this.readers.get(name);
    return names === undefined ? [] : [...names];
  }
}
