export { backup, type BackupOptions, type BackupReport } from './backup.js';
export { restore, type RestoreOptions, type RestoreReport, type ArchiveSummary } from './restore.js';
export { listBackups, verifyBackup, type BackupListing, type VerifyReport } from './list.js';
export type { Manifest, ManifestEntry, Progress, DatabaseKind } from './types.js';
