import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MoltError } from '../errors.js';
import { writeAtomically } from './install-dir.js';

/**
 * The agent's credential: the one kept in its directory (`credential.json`, mode 0600) for this id, else a new one from
 * enrolment with the enrolment token, kept there for the next starts.
 */
export async function credentialFor(o: {
  id: string;
  dir: string;
  server: string;
  enrolmentToken?: string;
}): Promise<string> {
  try {
    const stored = JSON.parse(await readFile(join(o.dir, 'credential.json'), 'utf8')) as {
      agentId?: string;
      credential?: string;
    };
    if (stored.agentId === o.id && stored.credential) return stored.credential;
  } catch {
    // None yet: enrol.
  }
  if (!o.enrolmentToken)
    throw new MoltError('FLEET_REFUSED', `agent ${o.id} has no credential in ${o.dir} and no enrolment token`, {
      hint: 'Pass the enrolment token (MOLT_FLEET_ENROL_TOKEN) for the first start; the agent keeps its credential after',
    });
  let response: Response;
  try {
    response = await fetch(`${o.server}/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: o.id, token: o.enrolmentToken }),
    });
  } catch (error) {
    throw new MoltError(
      'FLEET_REFUSED',
      `cannot reach the fleet at ${o.server} to enrol ${o.id}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const body = (await response.json().catch(() => ({}))) as { credential?: string; error?: { message?: string } };
  if (!response.ok || !body.credential)
    throw new MoltError(
      'FLEET_REFUSED',
      `enrolment of ${o.id} refused (${response.status}): ${body.error?.message ?? 'no answer'}`,
    );
  await writeAtomically(
    join(o.dir, 'credential.json'),
    `${JSON.stringify({ agentId: o.id, credential: body.credential })}\n`,
    0o600,
  );
  return body.credential;
}
