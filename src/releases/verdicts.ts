import {
  compareVersions,
  idOf,
  isApplied,
  byVersion,
  survives,
  type HistoryRow,
  type Knowledge,
  type LiveInstance,
  type ReleaseRecord,
} from '../migrate/internal.js';

/** An archive as the rollback verdict names it. */
export interface ArchiveRef {
  file: string;
  createdAt: string;
  /** The newest migration applied in the database the archive holds; null for an empty one. */
  schemaVersion: string | null;
  appVersion: string | null;
}

/** Whether the image of an earlier release may simply be started again, or the database must go back first. */
export interface RollbackVerdict {
  appVersion: string;
  /** Where what the release knows comes from: its own registration, or (for releases older than that) the history. */
  knowledgeFrom: 'releases' | 'instances' | 'history';
  /**
   * `image_rollback_safe`: every applied migration it does not know is expand; `needs_restore`: a contract migration it
   * does not know removed what it uses; `unknown`: it registered without its migration set, so nothing can be promised.
   */
  verdict: 'image_rollback_safe' | 'needs_restore' | 'unknown';
  /** Safe until this contract migration (pending or waiting) runs; null when no known one would end it. */
  until: string | null;
  /** Applied contract migrations it does not know, oldest first. */
  breaking: string[];
  /** The newest archive from before the first of them, when one is in the backup directory. */
  backup: ArchiveRef | null;
  /** What restoring that archive loses: every write since it was taken, and these migrations. */
  lost: { since: string; migrations: string[] } | null;
  /** One sentence for people. */
  summary: string;
}

/** Every earlier release and what it knows: registered releases first, then live instances, then the history's app versions. */
export function earlierReleases(
  rows: readonly HistoryRow[],
  releases: readonly ReleaseRecord[],
  live: readonly LiveInstance[],
  current: string | null,
): { appVersion: string; knows: Knowledge | null; from: RollbackVerdict['knowledgeFrom'] }[] {
  const found = new Map<
    string,
    { appVersion: string; knows: Knowledge | null; from: RollbackVerdict['knowledgeFrom'] }
  >();
  for (const r of releases) found.set(r.appVersion, { appVersion: r.appVersion, knows: r.knows, from: 'releases' });
  for (const i of live)
    if (i.appVersion && !found.has(i.appVersion))
      found.set(i.appVersion, { appVersion: i.appVersion, knows: i.knows, from: 'instances' });
  const applied = rows.filter(isApplied).sort(byVersion);
  for (const row of applied) {
    if (!row.appVersion || found.has(row.appVersion)) continue;
    // A release that ran before molt registered releases knew, at least, every migration up to the newest it applied.
    const newest = applied.filter((r) => r.appVersion === row.appVersion).at(-1)!.version;
    const known = applied.filter((r) => compareVersions(r.version, newest) <= 0);
    found.set(row.appVersion, {
      appVersion: row.appVersion,
      knows: { newest, contracts: known.filter((r) => r.phase === 'contract').map(idOf) },
      from: 'history',
    });
  }
  found.delete(current ?? '');
  return [...found.values()];
}

/**
 * The rollback verdict for one earlier release, from the applied history, the contract migrations still to run
 * (pending or waiting, in order) and the archives in the backup directory (newest first).
 */
export function rollbackVerdict(
  release: { appVersion: string; knows: Knowledge | null; from: RollbackVerdict['knowledgeFrom'] },
  rows: readonly HistoryRow[],
  toRun: readonly { id: string; phase: string }[],
  archives: readonly ArchiveRef[],
): RollbackVerdict {
  const base = {
    appVersion: release.appVersion,
    knowledgeFrom: release.from,
    until: null,
    breaking: [],
    backup: null,
    lost: null,
  };
  if (!release.knows) {
    return {
      ...base,
      verdict: 'unknown',
      summary: `${release.appVersion} registered without its migration set: molt cannot tell what it needs; restore an archive it ran on to be sure`,
    };
  }
  const applied = rows.filter(isApplied).sort(byVersion);
  // A release known only from the history may have shipped contract migrations it never applied itself.
  const hedge = release.from === 'history' ? ' (what it knows is read from the history: it never registered)' : '';
  const breakingRows = applied.filter((r) => !survives(release.knows, { id: idOf(r), phase: r.phase }));
  const breaking = breakingRows.map(idOf);
  if (breaking.length === 0) {
    const until = toRun.find((m) => !survives(release.knows, m))?.id ?? null;
    return {
      ...base,
      verdict: 'image_rollback_safe',
      until,
      summary: `image rollback to ${release.appVersion} is safe${until ? ` until ${until} runs` : ''}: every migration it does not know keeps it working${hedge}`,
    };
  }
  const first = breakingRows[0];
  const archive =
    archives.find((a) => a.schemaVersion === null || compareVersions(a.schemaVersion, first.version) < 0) ?? null;
  const lost = archive
    ? {
        since: archive.createdAt,
        migrations: applied
          .filter((r) => archive.schemaVersion === null || compareVersions(r.version, archive.schemaVersion) > 0)
          .map(idOf),
      }
    : null;
  return {
    ...base,
    verdict: 'needs_restore',
    breaking,
    backup: archive,
    lost,
    summary: archive
      ? `${release.appVersion} needs a restore: ${breaking.join(', ')} removed what it uses; restore ${archive.file} (taken ${archive.createdAt} at ${archive.schemaVersion ?? 'empty'}) and lose every change since then${hedge}`
      : `${release.appVersion} needs a restore: ${breaking.join(', ')} removed what it uses, and no archive in the backup directory predates ${idOf(first)}${hedge}`,
  };
}
