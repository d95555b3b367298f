import { parseDatabaseUrl } from '../config/url.js';
import { connectToServer } from '../drivers/index.js';
import { MoltError } from '../errors.js';
import { isApplied, newestVersion, readHistory, type CommonOptions } from '../migrate/internal.js';
import { openRuntime, withConfiguredSession, type Runtime } from '../runtime/index.js';
import type { DatabaseKind, DumpTarget, Manifest } from './types.js';

/** The database a backup reads or a restore writes, with what the manifest says about its schema. */
export interface ResolvedTarget {
  ctx: Runtime;
  kind: DatabaseKind;
  target: DumpTarget;
}

/**
 * Opens the configured database far enough to know its kind, server version and dump target.
 * With `missingOk` (restore, which creates the database), a server database that does not exist
 * yet is fine: the version is read through one of the databases every such server has.
 */
export async function resolveTarget(options: CommonOptions, missingOk = false): Promise<ResolvedTarget> {
  const ctx = await openRuntime(options);
  const parsed = parseDatabaseUrl(ctx.config.db, options.cwd);
  let serverVersion: string;
  try {
    serverVersion = await withConfiguredSession(ctx, { writes: false }, (session) => session.serverVersion());
  } catch (error) {
    const missing =
      error instanceof MoltError && error.code === 'CONNECT_FAILED' && error.details?.missingDatabase === true;
    if (!missingOk || !missing) throw error;
    serverVersion = await versionThrough(ctx.config.db, error);
  }
  const target: DumpTarget = {
    url: ctx.config.db,
    serverVersion,
    ...('path' in parsed ? { path: parsed.path } : {}),
  };
  return { ctx, kind: parsed.kind, target };
}

/** The server's version through a maintenance database; `original` (the missing database) when none lets us in. */
async function versionThrough(url: string, original: MoltError): Promise<string> {
  const session = await connectToServer(url).catch(() => {
    throw original;
  });
  try {
    return await session.serverVersion();
  } finally {
    await session.close();
  }
}

/** The history table as the manifest records it; an empty list for a database molt never migrated. */
export async function readSchema(ctx: Runtime): Promise<Manifest['schema']> {
  const applied = (await readHistory(ctx)).filter(isApplied);
  const history = applied.map((r) => ({
    version: r.version,
    name: r.name,
    phase: r.phase,
    checksum: r.checksum ?? '',
    appliedAt: r.finishedAt,
  }));
  return { version: newestVersion(history), history };
}
