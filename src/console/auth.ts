import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Who is signed in: the admin's name, and the token that guards their forms. */
export interface ConsoleSession {
  admin: string;
  csrf: string;
}

/** The session cookie's name. */
export const COOKIE = 'molt_console';
const LIFETIME_MS = 12 * 60 * 60 * 1000;

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Sessions signed with a key derived from the admin tokens: every replica with the same tokens accepts them, and
 * changing a token signs everyone out. A session is `admin.expiry.nonce.mac`; its CSRF token is a second MAC of it.
 */
export class ConsoleAuth {
  readonly #admins: [string, string][];
  readonly #key: Buffer;

  constructor(admins: Record<string, string>) {
    this.#admins = Object.entries(admins);
    const material = this.#admins
      .map(([name, token]) => `${name}\0${token}`)
      .sort()
      .join('\n');
    this.#key = createHash('sha256').update(`molt-console-sessions\n${material}`).digest();
  }

  /** The admin whose token this is, compared in constant time; null for any other. */
  adminFor(token: string): string | null {
    const given = createHash('sha256').update(token).digest();
    for (const [name, secret] of this.#admins)
      if (timingSafeEqual(given, createHash('sha256').update(secret).digest())) return name;
    return null;
  }

  #mac(text: string): string {
    return b64(createHmac('sha256', this.#key).update(text).digest());
  }

  /** A new session cookie value for `admin`. */
  issue(admin: string, now = Date.now()): string {
    const body = `${b64(admin)}.${now + LIFETIME_MS}.${b64(randomBytes(12))}`;
    return `${body}.${this.#mac(body)}`;
  }

  /** The session a cookie value carries, if its signature holds and it has not expired. */
  verify(value: string | undefined, now = Date.now()): ConsoleSession | null {
    if (!value) return null;
    const parts = value.split('.');
    if (parts.length !== 4) return null;
    const body = parts.slice(0, 3).join('.');
    const expected = Buffer.from(this.#mac(body));
    const given = Buffer.from(parts[3]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    if (Number(parts[1]) < now) return null;
    const admin = Buffer.from(parts[0]!, 'base64url').toString('utf8');
    if (!this.#admins.some(([name]) => name === admin)) return null;
    return { admin, csrf: this.#mac(`csrf\n${value}`) };
  }

  /** The session of a request, from its cookie. */
  sessionOf(req: IncomingMessage): ConsoleSession | null {
    return this.verify(cookieOf(req, COOKIE));
  }
}

/** One cookie of a request. */
export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * True when a state-changing request may have come from another site: the browser says so (`Sec-Fetch-Site`), or its
 * `Origin` is not this host. Together with SameSite=Strict cookies and the per-session token, a forged POST is refused.
 */
export function crossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    try {
      return new URL(origin).host !== req.headers.host;
    } catch {
      return true;
    }
  }
  return origin === 'null';
}
