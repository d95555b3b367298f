import { readFileSync } from 'node:fs';
import { MoltError } from '../../errors.js';
import { decodeUrlPart, displayUrl, unknownParameter } from '../../config/url.js';
import { MYSQL_PARAMS } from '../../config/url-params.js';

/** How a MySQL URL asks for TLS; named as libpq names them, since operators know those words. */
export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/** The connection settings a `mysql://` or `mariadb://` URL holds. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  socketPath?: string;
  sslMode: SslMode;
  ssl?: {
    ca?: string;
    cert?: string;
    key?: string;
    rejectUnauthorized: boolean;
    checkServerIdentity?: () => undefined;
  };
  connectTimeoutMs: number;
}

const SSL_MODES: readonly SslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];

function invalid(url: string, message: string, hint: string): MoltError {
  return new MoltError('URL_INVALID', `Database URL ${displayUrl(url)}: ${message}`, { hint });
}

function readPem(url: string, param: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new MoltError('URL_INVALID', `Database URL ${displayUrl(url)}: cannot read ${param} file ${path}`, {
      cause,
      hint: `Point ${param} at a readable PEM file`,
    });
  }
}

/**
 * Reads `mysql://user:password@host:port/database?sslmode=verify-full&sslca=/path/ca.pem`; an unknown
 * parameter or a missing database is an error here, before any connection is tried.
 */
export function parseMysqlUrl(url: string): MysqlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new MoltError('URL_INVALID', `Database URL ${displayUrl(url)} does not parse`, {
      cause,
      hint: 'Use mysql://user:password@host:3306/database; percent-encode special characters in the password',
    });
  }
  const decode = (part: string, what: string): string => decodeUrlPart(url, part, what);
  const database = decode(parsed.pathname.replace(/^\//, ''), 'database name');
  if (!database) throw invalid(url, 'names no database', 'Add the database to the path: mysql://user@host:3306/app');
  const keys = [...parsed.searchParams.keys()];
  keys.forEach((key, i) => {
    if (!(MYSQL_PARAMS as readonly string[]).includes(key)) throw unknownParameter(url, key, keys[i - 1], MYSQL_PARAMS);
  });
  const q = parsed.searchParams;
  const legacy = q.get('ssl');
  let sslMode = (q.get('sslmode') ?? (legacy === 'true' || legacy === '1' ? 'verify-full' : 'disable')) as SslMode;
  if (!SSL_MODES.includes(sslMode))
    throw invalid(
      url,
      `sslmode "${sslMode}" is not one of ${SSL_MODES.join(', ')}`,
      'Use sslmode=verify-full with sslca=/path/to/ca.pem for a verified connection',
    );
  if (sslMode === 'disable' && (q.has('sslca') || q.has('sslcert'))) sslMode = 'verify-full';
  const timeout = Number(q.get('connect_timeout') ?? 10);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw invalid(
      url,
      `connect_timeout "${q.get('connect_timeout')}" is not a positive number of seconds`,
      'Use connect_timeout=10',
    );
  const port = parsed.port ? Number(parsed.port) : 3306;
  const target: MysqlTarget = {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port,
    user: decode(parsed.username, 'user') || 'root',
    password: parsed.password ? decode(parsed.password, 'password') : undefined,
    database,
    sslMode,
    connectTimeoutMs: timeout * 1000,
  };
  if (q.get('socket')) target.socketPath = q.get('socket')!;
  if (sslMode !== 'disable') {
    target.ssl = {
      rejectUnauthorized: sslMode !== 'require',
      ...(sslMode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
      ...(q.get('sslca') ? { ca: readPem(url, 'sslca', q.get('sslca')!) } : {}),
      ...(q.get('sslcert') ? { cert: readPem(url, 'sslcert', q.get('sslcert')!) } : {}),
      ...(q.get('sslkey') ? { key: readPem(url, 'sslkey', q.get('sslkey')!) } : {}),
    };
  }
  return target;
}
