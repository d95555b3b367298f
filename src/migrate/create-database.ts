import { connectToServer } from '../drivers/index.js';
import { MoltError, messageOf } from '../errors.js';
import { parseServerUrl } from '../config/url.js';
import { connectWaiting } from '../runtime/index.js';
import { openContext, type CommonOptions } from './context.js';

/** What `createDatabase` did. */
export interface CreateDatabaseReport {
  database: string;
  /** False when it was there already, which is not an error. */
  created: boolean;
}

/**
 * Creates the database the configuration names when it does not exist, if the user may (`molt create-database`):
 * through a maintenance database on a server, by opening the file for SQLite.
 * @example
 * await createDatabase({ db: 'postgres://app@db:5432/app' }); // { database: 'postgres://app@db:5432/app', created: true }
 */
export async function createDatabase(options: CommonOptions = {}): Promise<CreateDatabaseReport> {
  const ctx = await openContext(options, false);
  const how = ctx.driver.sql.createDatabase;
  if (!how) {
    const existed = await ctx.driver.connect({ create: false }).then(
      (s) => s.close().then(() => true),
      () => false,
    );
    if (!existed) await (await connectWaiting(ctx, { create: true })).close();
    return { database: ctx.driver.displayUrl, created: !existed };
  }
  const name = decodeURIComponent(parseServerUrl(ctx.config.db).pathname.slice(1));
  if (!name)
    throw new MoltError('URL_INVALID', `Database URL ${ctx.driver.displayUrl} names no database`, {
      hint: 'Add it to the path: postgres://user@host:5432/app',
    });
  // Reached through a database every server has; waiting for the server like any other command.
  const admin = await connectWaiting(ctx, {}, () => connectToServer(ctx.config.db));
  try {
    const { sql, params } = how.exists(name);
    if ((await admin.query(sql, params)).length > 0) return { database: ctx.driver.displayUrl, created: false };
    try {
      await admin.exec(how.create(name));
    } catch (cause) {
      throw new MoltError('CONNECT_FAILED', `Cannot create database "${name}": ${messageOf(cause)}`, {
        cause,
        hint: 'The user in the URL needs the right to create databases (PostgreSQL: CREATEDB; MySQL: CREATE); or ask the database administrator to create it',
      });
    }
    ctx.log.info(`created database "${name}"`);
    return { database: ctx.driver.displayUrl, created: true };
  } finally {
    await admin.close();
  }
}
