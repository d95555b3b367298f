import { MoltError } from '../../errors.js';
import { decodeUrlPart, displayUrl, parseServerUrl, unknownParameter } from '../../config/url.js';
import { POSTGRES_PARAMS } from '../../config/url-params.js';

/**
 * Checks a `postgres://` URL before `pg` reads it: it must parse, hold no `#` (which would cut the password
 * or the database name short), and carry only parameters that `pg` understands.
 */
export function checkPostgresUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = parseServerUrl(url);
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
    decodeUrlPart(url, part, what);
  }
  const keys = [...parsed.searchParams.keys()];
  keys.forEach((key, i) => {
    if (!(POSTGRES_PARAMS as readonly string[]).includes(key))
      throw unknownParameter(url, key, keys[i - 1], POSTGRES_PARAMS);
  });
}
