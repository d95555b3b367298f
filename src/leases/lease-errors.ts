import { MoltError } from '../errors.js';
import type { JobRow } from './jobs-sql.js';

const MAX_KIND = 191;

/** Refuses a job kind the kind column cannot hold. */
export function checkKind(kind: string): void {
  if (typeof kind !== 'string' || kind.length === 0 || kind.length > MAX_KIND) {
    throw new MoltError(
      'USAGE',
      `Job kind "${String(kind)}" must be a non-empty string of at most ${MAX_KIND} characters`,
    );
  }
}

/** JOB_NOT_FOUND for `id`. */
export function notFound(id: string): MoltError {
  return new MoltError('JOB_NOT_FOUND', `Job ${id} does not exist`, {
    hint: 'It may have been deleted, or the id belongs to another jobs table',
    details: { id },
  });
}

/** LEASE_LOST for a call with `epoch` on a job that `row` shows has moved on. */
export function leaseLost(row: JobRow, epoch: number, action: string): MoltError {
  const now =
    row.epoch > epoch
      ? `a newer claim holds it (epoch ${row.epoch}${row.owner ? `, owner ${row.owner}` : ''}, ${row.state})`
      : `the lease of epoch ${epoch} has ended (the job is ${row.state})`;
  return new MoltError('LEASE_LOST', `Job ${row.id}: ${action} with epoch ${epoch} was rejected: ${now}`, {
    hint: 'Stop working on this job and do not retry with this epoch: once a lease ends, only a new claim may change the job',
    details: { id: row.id, epoch, current: { state: row.state, epoch: row.epoch, owner: row.owner } },
  });
}
