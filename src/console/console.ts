import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FleetServer } from '../fleet/index.js';
import { messageOf, MoltError } from '../errors.js';
import type { CommonOptions } from '../migrate/index.js';
import { mountBefore } from '../runtime/index.js';
import { COOKIE, ConsoleAuth, crossSite, type ConsoleSession } from './auth.js';
import { runAction } from './actions.js';
import { layout, PAGES, type PageName } from './layout.js';
import { agentsPage } from './pages/agents.js';
import { auditFilterOf, auditPage } from './pages/audit.js';
import { loginPage } from './pages/login.js';
import { planPage } from './pages/plan.js';
import { schemaPage } from './pages/schema.js';
import { upgradesPage } from './pages/upgrades.js';
import { STYLES } from './styles.js';

/** What the console shows and acts on. */
export interface ConsoleOptions extends CommonOptions {
  /** The fleet the service runs, for the Agents and Audit pages and their actions. */
  fleet?: FleetServer | null;
  /** Admin names and tokens (default: `admin` with `MOLT_FLEET_ADMIN_TOKEN`); nothing is shown without one. */
  admins?: Record<string, string>;
  /** Where the console lives on the service's server (default `/molt`). */
  prefix?: string;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * The operator's console: Agents, Upgrades, Schema and Audit pages over the same library calls as the CLI, rendered on
 * the server, live through a small script, every page and action behind the fleet's admin token.
 * @example
 * const console = createConsole({ fleet, db: process.env.DATABASE_URL });
 * console.attach(server); // https://service/molt/
 */
export class Console {
  readonly prefix: string;
  readonly #fleet: FleetServer | null;
  readonly #auth: ConsoleAuth;
  readonly #options: CommonOptions;

  constructor(options: ConsoleOptions) {
    const { fleet, admins, prefix, ...common } = options;
    this.prefix = (prefix ?? '/molt').replace(/\/+$/, '');
    this.#fleet = fleet ?? null;
    const tokens = admins ?? (process.env.MOLT_FLEET_ADMIN_TOKEN ? { admin: process.env.MOLT_FLEET_ADMIN_TOKEN } : {});
    if (Object.keys(tokens).length === 0)
      throw new MoltError(
        'CONFIG_INVALID',
        'the console needs an admin token: nothing would be reachable without one',
        {
          hint: 'Set MOLT_FLEET_ADMIN_TOKEN, or pass admins',
        },
      );
    this.#auth = new ConsoleAuth(tokens);
    this.#options = common;
  }

  /** Mounts the console on a server: requests under the prefix are the console's, the rest the service's. */
  attach(server: Server): void {
    mountBefore(server, (req, res) => this.handle(req, res));
  }

  /** Answers a request under the prefix (true), or leaves it (false). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://console');
    if (url.pathname !== this.prefix && !url.pathname.startsWith(`${this.prefix}/`)) return false;
    void this.#answer(req, res, url).catch((error) => {
      if (res.headersSent) return void res.destroy();
      this.#send(res, 500, 'text/plain; charset=utf-8', `the console failed: ${messageOf(error)}\n`);
    });
    return true;
  }

  #send(
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  }

  #redirect(res: ServerResponse, to: string, headers: Record<string, string> = {}): void {
    res.writeHead(303, { ...SECURITY_HEADERS, location: to, ...headers });
    res.end();
  }

  async #answer(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice(this.prefix.length) || '/';
    const method = req.method ?? 'GET';
    if (path === '/assets/console.css') return this.#send(res, 200, 'text/css; charset=utf-8', STYLES);
    if (path === '/assets/console.js')
      return this.#send(
        res,
        200,
        'text/javascript; charset=utf-8',
        await readFile(new URL('./client/console.js', import.meta.url)),
      );
    if (path === '/login' && method === 'POST') return this.#login(req, res);
    const session = this.#auth.sessionOf(req);
    if (!session) {
      if (path === '/login' || method === 'GET') {
        const page = this.#signIn(null);
        // Refused: nothing of the service is shown, and the status says why.
        return this.#send(res, path === '/login' ? 200 : 401, 'text/html; charset=utf-8', page.text);
      }
      return this.#send(
        res,
        401,
        'application/json',
        JSON.stringify({ error: { code: 'unauthorized', message: 'sign in to the console first' } }),
      );
    }
    if (method === 'POST') return this.#post(req, res, path, session);
    if (path === '/' || path === '/login') return this.#redirect(res, `${this.prefix}/agents`);
    if (path === '/audit.json') {
      const entries = this.#fleet
        ? await this.#fleet.store.readAudit({ ...auditFilterOf(url.searchParams), limit: undefined })
        : [];
      return this.#send(res, 200, 'application/json', `${JSON.stringify({ entries }, null, 2)}\n`, {
        'content-disposition': 'attachment; filename="audit.json"',
      });
    }
    // The plan is a page of the schema's, read on request only: it has no live part, so nothing polls its lint.
    const page =
      path === '/plan' ? { path: 'schema' as const, title: 'Plan' } : PAGES.find((p) => `/${p.path}` === path);
    if (!page) return this.#send(res, 404, 'text/plain; charset=utf-8', `no console page ${path}\n`);
    const body =
      path === '/plan'
        ? await planPage(this.#options, this.prefix)
        : await this.#page(page.path, url.searchParams, session);
    const doc = layout({
      prefix: this.prefix,
      page: page.path,
      title: page.title,
      admin: session.admin,
      csrf: session.csrf,
      body,
    });
    this.#send(res, 200, 'text/html; charset=utf-8', doc.text);
  }

  #page(name: PageName, query: URLSearchParams, session: ConsoleSession): ReturnType<typeof agentsPage> {
    if (name === 'agents') return agentsPage(this.#fleet, this.prefix, session.csrf);
    if (name === 'upgrades') return upgradesPage(this.#options);
    if (name === 'schema') return schemaPage(this.#options, this.prefix);
    return auditPage(this.#fleet, this.prefix, query);
  }

  async #form(req: IncomingMessage): Promise<URLSearchParams> {
    let text = '';
    for await (const chunk of req) {
      text += chunk;
      if (text.length > 16_384) throw new MoltError('USAGE', 'the form is too large');
    }
    return new URLSearchParams(text);
  }

  #signIn(error: string | null): ReturnType<typeof layout> {
    const body = loginPage(this.prefix, error);
    return layout({ prefix: this.prefix, page: 'login', title: 'Sign in', admin: null, csrf: null, body });
  }

  async #login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (crossSite(req))
      return this.#send(res, 403, 'text/plain; charset=utf-8', 'refused: a sign-in from another site\n');
    const form = await this.#form(req);
    const admin = this.#auth.adminFor(form.get('token') ?? '');
    if (!admin) {
      const page = this.#signIn('That token is not an admin token of this fleet.');
      return this.#send(res, 401, 'text/html; charset=utf-8', page.text);
    }
    const secure = (req.socket as { encrypted?: boolean }).encrypted || req.headers['x-forwarded-proto'] === 'https';
    this.#redirect(res, `${this.prefix}/agents`, {
      'set-cookie': `${COOKIE}=${this.#auth.issue(admin)}; Path=${this.prefix}; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? '; Secure' : ''}`,
    });
  }

  async #post(req: IncomingMessage, res: ServerResponse, path: string, session: ConsoleSession): Promise<void> {
    const json = (req.headers.accept ?? '').includes('application/json');
    const form = await this.#form(req);
    // A forged cross-site POST fails here: another site can neither read the token nor send the cookie (SameSite), and
    // the browser says where the request came from.
    const token = form.get('csrf') ?? req.headers['x-molt-csrf'];
    if (crossSite(req) || token !== session.csrf)
      return this.#send(
        res,
        403,
        'application/json',
        JSON.stringify({ error: { code: 'csrf', message: 'refused: the request did not come from this console' } }),
      );
    if (path === '/logout')
      return this.#redirect(res, `${this.prefix}/login`, {
        'set-cookie': `${COOKIE}=; Path=${this.prefix}; HttpOnly; SameSite=Strict; Max-Age=0`,
      });
    const name = path.startsWith('/actions/') ? path.slice('/actions/'.length) : '';
    const back =
      (req.headers.referer && new URL(req.headers.referer).pathname.startsWith(this.prefix)
        ? new URL(req.headers.referer).pathname
        : null) ?? `${this.prefix}/agents`;
    const outcome = await runAction(this.#fleet, name, form, session.admin);
    if (json) return this.#send(res, outcome.status, 'application/json', JSON.stringify(outcome));
    this.#redirect(res, `${back}?notice=${encodeURIComponent(outcome.message)}`);
  }
}

/** A console for a service to mount; nothing of it loads until this is called. */
export function createConsole(options: ConsoleOptions): Console {
  return new Console(options);
}
