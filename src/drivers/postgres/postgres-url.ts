import { MoltError } from '../../errors.js';
import { displayUrl, unknownParameter } from '../../config/url.js';

// What `pg` reads from a URL's query; anything else it would pass over in silence, so a typo
// (`sslmod=require`) would quietly connect without TLS.
const PARAMS = [
  'host',
  'port',
  'user',
  'password',
  'database',
  'db',
  'dbname',
  'sslmode',
  'ssl',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslnegotiation',
  'uselibpqcompat',
  'application_name',
  'fallback_application_name',
  'options',
  'connect_timeout',
  'keepalives',
  'keepalives_idle',
  'client_encoding',
  'encoding',
  'statement_timeout',
  'query_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
] as const;

/**
 * Checks a `postgres://` URL before `pg` reads it: it must parse, hold no `#` (which would cut the password
 * or the database name short), and carry only parameters that `pg` understands.
 */
export function checkPostgresUrl(url: string): void {
  // A socket URL (`postgres://user@/db?host=/run/postgresql`) has no host part for the URL parser.
  const text = url.includes('@/') ? url.replace('@/', '@localhost/') : url;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch (cause) {
    throw new MoltError('URL_INVALID', `Database URL ${displayUrl(url)} does not parse`, {
      cause,
      hint: 'Use postgres://user:password@host:5432/database; percent-encode special characters in the password (@ as %40, # as %23, / as %2F)',
    });
  }
  if (parsed.hash) {
    throw new MoltError('URL_INVALID', `Database URL ${displayUrl(url)} holds a "#", which ends the URL there`, {
      hint: 'Percent-encode # as %23 (in a password too)',
    });
  }
  for (const [what, part] of [
    ['user', parsed.username],
    ['password', parsed.password],
    ['database name', parsed.pathname],
  ] as const) {
    try {
      decodeURIComponent(part);
    } catch {
      throw new MoltError(
        'URL_INVALID',
        `Database URL ${displayUrl(url)}: the ${what} holds a "%" that does not start a percent-escape`,
        { hint: 'Percent-encode % itself as %25' },
      );
    }
  }
  const keys = [...parsed.searchParams.keys()];
  keys.forEach((key, i) => {
    if (!(PARAMS as readonly string[]).includes(key)) throw unknownParameter(url, key, keys[i - 1], PARAMS);
  });
}
