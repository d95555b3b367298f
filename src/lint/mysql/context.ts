import type { FreshObjects } from '../fresh.js';
import type { Hit } from '../types.js';
import { key, type SchemaModel } from './schema-model.js';

/** A hit that a later statement of the same file may take back (DROP + CREATE is a replacement). */
export interface Pending {
  readonly hits: Hit[];
  readonly hit: Hit;
}

/** What the rules see while they read one statement. */
export class RuleContext {
  /** The hits of the statement being read. */
  hits: Hit[] = [];
  /** Routines and views dropped in this file while the previous release had them, by object key. */
  readonly dropped = new Map<string, Pending>();
  /** Tables renamed in this file while the previous release had them, by old lower-cased name. */
  readonly renamed = new Map<string, Pending>();

  constructor(
    readonly model: SchemaModel,
    readonly fresh: FreshObjects,
  ) {}

  /** Starts a file: pending take-backs never cross files. */
  beginFile(released: boolean): void {
    this.fresh.beginFile(released);
    this.dropped.clear();
    this.renamed.clear();
  }

  /** Adds a hit to the statement being read and returns it, so a later statement may take it back. */
  report(code: string, message: string, at?: number): Hit {
    const hit: Hit = at === undefined ? { code, message } : { code, message, at };
    this.hits.push(hit);
    return hit;
  }

  /** Removes a hit reported by an earlier statement of this file. */
  takeBack(p: Pending): void {
    const i = p.hits.indexOf(p.hit);
    if (i !== -1) p.hits.splice(i, 1);
  }

  /** Whether the previous release has never seen the table. */
  freshTable(table: string): boolean {
    return this.fresh.has('table', key(table));
  }

  /** Whether the previous release has never seen the column (or its table). */
  freshColumn(table: string, column: string): boolean {
    return this.freshTable(table) || this.fresh.has('column', `${key(table)}.${key(column)}`);
  }

  /** Whether the previous release has never seen the index (or its table). */
  freshIndex(table: string, name: string): boolean {
    return this.freshTable(table) || this.fresh.has('index', `${key(table)}.${key(name)}`);
  }

  /** Follows a table rename in the fresh set, columns and indexes included. */
  renameFreshTable(from: string, to: string): void {
    const state = this.model.table(from);
    for (const c of state?.columns.keys() ?? []) this.fresh.rename('column', `${key(from)}.${c}`, `${key(to)}.${c}`);
    for (const i of state?.indexes.keys() ?? []) this.fresh.rename('index', `${key(from)}.${i}`, `${key(to)}.${i}`);
    this.fresh.rename('table', key(from), key(to));
  }
}
