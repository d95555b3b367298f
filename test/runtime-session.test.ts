// A session setting the database refuses is CONFIG_INVALID naming the setting, wherever molt opened the session:
// the engine, the probes' background check, and leases. On the real PostgreSQL server.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '../src/config/index.js';
import { MoltError } from '../src/errors.js';
import { openLeases } from '../src/leases/index.js';
import { status } from '../src/migrate/index.js';
import { sessionProbe } from '../src/probes/database-probe.js';
import { createPostgresDatabase, type TestDatabase } from './helpers/databases.js';

const refused = (e: unknown): boolean =>
  e instanceof MoltError &&
  e.code === 'CONFIG_INVALID' &&
  /Session setting statement_timeout=soon was refused by the database/.test(e.message) &&
  e.details.setting === 'statement_timeout';

describe('a refused session setting', () => {
  let db: TestDatabase;
  const session = { statement_timeout: 'soon' };
  after(async () => db?.drop());

  it('is CONFIG_INVALID in the engine, the probes and leases alike', async () => {
    db = await createPostgresDatabase();
    const cwd = mkdtempSync(join(tmpdir(), 'molt-session-'));
    writeFileSync(join(cwd, 'molt.config.json'), JSON.stringify({ session }));
    await assert.rejects(status({ db: db.url, bundle: {}, session, logger: false }), refused);
    const probe = sessionProbe(resolveConfig({ db: db.url, session }), null);
    try {
      await assert.rejects(probe.run(5_000), refused);
    } finally {
      await probe.close();
    }
    await assert.rejects(openLeases({ db: db.url, cwd }), refused);
  });
});
