import type { SwapStep } from './swap-journal.js';

/** The database kinds molt backs up. */
export type DatabaseKind = 'sqlite' | 'postgres' | 'mysql';

/** One file inside a backup archive, as the manifest records it. */
export interface ManifestEntry {
  /** Path inside the archive, always relative and `/`-separated: `database/db.pgdump`, `data/uploads/a.png`. */
  path: string;
  size: number;
  /** Hex sha256 of the entry's bytes. */
  sha256: string;
}

/** `manifest.json`: what an archive holds and where it came from; the last entry of every archive. */
export interface Manifest {
  format: 'molt-backup';
  formatVersion: 1;
  moltVersion: string;
  appVersion: string | null;
  /** ISO 8601, UTC. */
  createdAt: string;
  host: string;
  database: {
    kind: DatabaseKind;
    /** The server's version (SQLite: the library version). */
    serverVersion: string;
    /** The database URL with the password redacted. */
    url: string;
    /** How the dump is stored: `sqlite-file`, `pg_dump-custom`, `mysql-dump-sql`. */
    dumpFormat: string;
    /** The archive path of the dump. */
    dumpPath: string;
    /** The tool and version that wrote the dump, e.g. `pg_dump (PostgreSQL) 15.19`. */
    tool: string;
  };
  schema: {
    /** The newest applied migration, or null for a database molt never migrated. */
    version: string | null;
    /** The full history table, oldest first. */
    history: { version: string; name: string; phase: string; checksum: string; appliedAt: string | null }[];
  };
  /** Data directories stored under `data/<name>/`, with where they were taken from. */
  dataDirs: { name: string; source: string }[];
  /** Every entry except manifest.json itself. */
  entries: ManifestEntry[];
}

/** Reports bytes as long work goes on; the CLI draws it on a terminal, the library ignores it by default. */
export type Progress = (event: { phase: string; bytes: number; total?: number }) => void;

/** Where a dumper works: the target database and the tools' environment. */
export interface DumpTarget {
  /** The full database URL (with password; never printed). */
  url: string;
  /** SQLite only: the database file. */
  path?: string;
  /** The server version, read by the caller through the driver. */
  serverVersion: string;
}

/** One database kind's dump and restore, with the tools it needs. */
export interface Dumper {
  /** The manifest's `dumpFormat`. */
  readonly format: string;
  /** The file name of the dump inside `database/`. */
  readonly fileName: string;
  /**
   * The gzip level the archive uses: 0 (stored) when the dump is compressed already or must be
   * archived at disk speed, 1 for text dumps, which shrink several times at little cost.
   */
  readonly archiveLevel?: number;
  /**
   * Checks that the client tools exist and are not older than the server; returns the tool's
   * version line. Throws MoltError BACKUP_TOOL_MISSING naming what to install.
   */
  preflight(target: DumpTarget): Promise<string>;
  /**
   * A consistent view of the live database that the archive can read in place, held until
   * `release`; null when only a staged dump is possible at this moment. Optional: most dumpers stage.
   */
  snapshot?(target: DumpTarget): Promise<Snapshot | null>;
  /** Writes a consistent dump of the live database to `file`, streaming, never holding it in memory. */
  dump(target: DumpTarget, file: string, progress: Progress): Promise<void>;
  /** Proves a dump file is readable before anything is touched (pg_restore --list, an integrity check...). */
  check(target: DumpTarget, file: string): Promise<void>;
  /**
   * Checks the dump (as `check` does), then replaces the target database's contents with it,
   * atomically: all or nothing. A database that does not exist yet is created. With `disposable`, the
   * dump is a temporary file the caller deletes afterwards, so a dumper may move it instead of copying it.
   */
  /**
   * Restores a checked dump. `disposable`: the dump file may be used up (renamed). `swap`: a file-backed target hands
   * its final rename to the caller, which swaps it together with the data directories.
   */
  restore(
    target: DumpTarget,
    file: string,
    progress: Progress,
    options?: { disposable?: boolean; swap?: (step: SwapStep) => Promise<void> },
  ): Promise<RestoreOutcome | void>;
}

/** A dump that is readable in place: the first `size` bytes of `file`, unchanging until `release()`. */
export interface Snapshot {
  file: string;
  size: number;
  release(): void;
}

/** What a server restore leaves for the operator: the database it kept aside, and anything worth saying. */
export interface RestoreOutcome {
  /** The restored database's name. */
  database: string;
  /** Where the target's previous contents were kept, to drop once the restore is confirmed good; null when there was nothing. */
  previous: string | null;
  notes: string[];
}
