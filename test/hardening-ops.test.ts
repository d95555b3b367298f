// The CLI as a new user meets it, connection errors, waiting for a database, and the drain the README describes
// (issue 14, items 19 to 21).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanEnv, migrationsDir, molt, ROOT } from './helpers/cli.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  MYSQL_ADMIN_URL,
  PG_ADMIN_URL,
  pgAdmin,
  type TestDatabase,
} from './helpers/databases.js';

const made: TestDatabase[] = [];
after(async () => {
  for (const db of made) await db.drop();
});

const COMMANDS = [
  'migrate',
  'status',
  'verify',
  'create-database',
  'new',
  'baseline',
  'lint',
  'sum',
  'backup',
  'restore',
  'repair',
  'run',
  'upgrade',
];

describe('help, version and mistakes', () => {
  it('every command has help with an example, and `molt help CMD` prints the same', async () => {
    for (const command of COMMANDS) {
      const own = await molt([command, '--help']);
      assert.equal(own.code, 0, command);
      assert.match(own.stdout, /\nExamples?( \(.*\))?:\n  molt /, `${command} --help has no example`);
      const viaHelp = await molt(['help', command]);
      assert.equal(viaHelp.stdout, own.stdout);
    }
    const top = await molt(['help']);
    for (const command of COMMANDS) assert.match(top.stdout, new RegExp(`\\n  ${command} `));
  });

  it('the npm package is moltkit, its command is molt, and the README imports moltkit', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'moltkit');
    assert.deepEqual(Object.keys(pkg.bin), ['molt']);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.doesNotMatch(readme, /from 'molt(\/[a-z]+)?'/);
    assert.match(readme, /from 'moltkit'/);
  });

  it('`molt version` prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal((await molt(['version'])).stdout, `${version}\n`);
    assert.equal((await molt(['--version'])).stdout, `${version}\n`);
  });

  it('an unknown command suggests the nearest and exits 2', async () => {
    const r = await molt(['migrat']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "migrat"; did you mean `molt migrate`\?/);
    const far = await molt(['xyzzy']);
    assert.equal(far.code, 2);
    assert.doesNotMatch(far.stderr, /did you mean/);
  });

  it('shared options appear, and are accepted, only where they mean something', async () => {
    const help = await molt(['new', '--help']);
    assert.doesNotMatch(help.stdout, /--lock-timeout|--statement-timeout|--set /);
    const r = await molt(['new', 'x', '--lock-timeout', '1s', '--dir', migrationsDir({})]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Unknown option '--lock-timeout'/);
    assert.match((await molt(['migrate', '--help'])).stdout, /--statement-timeout/);
    assert.doesNotMatch((await molt(['restore', '--help'])).stdout, /--statement-timeout/);
  });

  it("the README's lint output sample is what lint prints", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const command = /```sh\nnpx (molt lint [^\n]+)\n```\n\nprints `([^`]+)`/.exec(readme);
    assert.ok(command, 'the README shows a lint command and what it prints');
    const r = await molt(command[1].split(' ').slice(1));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), command[2]);
  });
});

describe('connection errors name the part that is wrong', () => {
  const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
  const pgUrl = (database: string, user = new URL(PG_ADMIN_URL).username): string => {
    const u = new URL(PG_ADMIN_URL);
    u.username = user;
    u.pathname = `/${database}`;
    return u.toString();
  };

  it('PostgreSQL: an unknown database says to create it, and create-database does', async () => {
    const name = `molt_t_cd_${process.pid}_${Date.now().toString(36)}`;
    made.push({
      url: pgUrl(name),
      kind: 'postgres',
      drop: async () => void (await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
    });
    const r = await molt(['status', '--json', '--db', pgUrl(name), '--dir', dir]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, new RegExp(`database "${name}" does not exist`));
    assert.match(r.stderr, /molt create-database/);
    assert.equal(JSON.parse(r.stdout).error.code, 'CONNECT_FAILED');
    const created = await molt(['create-database', '--db', pgUrl(name)]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created /);
    const again = await molt(['create-database', '--db', pgUrl(name)]);
    assert.match(again.stdout, /^exists already: /);
    assert.equal((await molt(['migrate', '--db', pgUrl(name), '--dir', dir])).code, 0);
  });

  it('PostgreSQL: an unknown role is named', async () => {
    const r = await molt(['status', '--db', pgUrl('test', 'no_such_role_molt'), '--dir', dir]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /the server refused user "no_such_role_molt"/);
  });

  it('PostgreSQL: asking for TLS from a server without it says TLS', async (t) => {
    const [{ ssl }] = await pgAdmin<{ ssl: string }>('SHOW ssl');
    if (ssl === 'on') {
      t.skip('this server offers TLS, so a refused TLS connection cannot be shown');
      return;
    }
    const r = await molt(['status', '--db', `${pgUrl('test')}?sslmode=require`, '--dir', dir]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /TLS failed: .*(SSL|TLS)/i);
  });

  it("MySQL: errors carry CONNECT_FAILED, with the driver's code apart", async () => {
    const u = new URL(MYSQL_ADMIN_URL);
    u.pathname = '/no_such_db_molt';
    const r = await molt(['status', '--json', '--db', u.toString(), '--dir', dir]);
    assert.equal(r.code, 6, r.stderr);
    const { error } = JSON.parse(r.stdout);
    assert.equal(error.code, 'CONNECT_FAILED');
    assert.equal(error.driverCode, 'ER_BAD_DB_ERROR');
  });

  it('MySQL: create-database makes the database', async () => {
    const db = await createMysqlDatabase();
    made.push(db);
    const u = new URL(db.url);
    u.pathname = `${u.pathname}_new`;
    const { mysqlAdmin } = await import('./helpers/databases.js');
    made.push({
      url: u.toString(),
      kind: 'mysql',
      drop: async () => void (await mysqlAdmin(`DROP DATABASE IF EXISTS \`${u.pathname.slice(1)}\``)),
    });
    const r = await molt(['create-database', '--db', u.toString()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await molt(['migrate', '--db', u.toString(), '--dir', dir])).code, 0);
  });
});

describe('--wait-for-database', () => {
  /** A TCP relay to the PostgreSQL server that starts listening on `port` only after `delayMs`. */
  function lateRelay(port: number, delayMs: number): { server: Promise<Server>; sockets: Socket[] } {
    const target = new URL(PG_ADMIN_URL);
    const sockets: Socket[] = [];
    const server = sleep(delayMs).then(
      () =>
        new Promise<Server>((resolve) => {
          const s = createServer((client) => {
            const upstream = connect(Number(target.port || 5432), target.hostname);
            sockets.push(client, upstream);
            client.pipe(upstream).pipe(client);
            client.on('error', () => upstream.destroy());
            upstream.on('error', () => client.destroy());
          });
          s.listen(port, '127.0.0.1', () => resolve(s));
        }),
    );
    return { server, sockets };
  }

  it('waits for a server that is not up yet instead of failing, and still fails at once without it', async () => {
    const db = await createPostgresDatabase();
    made.push(db);
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    const url = new URL(db.url);
    url.host = `127.0.0.1:${port}`;
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE a (x int);\n' });
    const quick = await molt(['migrate', '--db', url.toString(), '--dir', dir]);
    assert.equal(quick.code, 6, quick.stderr);
    assert.match(quick.stderr, /nothing accepts connections at 127\.0\.0\.1:\d+/);
    const relay = lateRelay(port, 2_000);
    try {
      const r = await molt(['migrate', '--wait-for-database', '20s', '--db', url.toString(), '--dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /waiting for the database \(\d+ s left\)/);
      assert.match(r.stderr, /migrated from empty to 0001/);
    } finally {
      const server = await relay.server;
      for (const s of relay.sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the drain the README describes', () => {
  it(
    'when nothing polls /readyz: new connections are refused at once, an open one gets /readyz 503 and Connection: close',
    { timeout: 30_000 },
    async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'molt-drain-'));
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'examples', 'sample-service', 'server.js')], {
        cwd,
        env: cleanEnv({ PORT: '0', DRAIN_GRACE_MS: '3000' }),
      });
      let stderr = '';
      const port = await new Promise<number>((resolve, reject) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', (c) => reject(new Error(`exited ${c}: ${stderr}`)));
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      // One kept-alive connection, used once before the signal and once after.
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const ask = (path: string): Promise<string> =>
        new Promise((resolve) => {
          let data = '';
          const onData = (d: Buffer): void => {
            data += d;
            if (/\r\n\r\n[\s\S]*\}$/.test(data) || /Content-Length: 0\r\n/i.test(data)) {
              socket.off('data', onData);
              resolve(data);
            }
          };
          socket.on('data', onData);
          socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
        });
      // Nothing polls /readyz here (a person with curl): the drain has no load balancer to wait for.
      const first = await ask('/api/version');
      assert.match(first, /^HTTP\/1\.1 200/);
      child.kill('SIGTERM');
      await sleep(150);
      const refused = await new Promise<boolean>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/readyz', agent: false }, () => resolve(false));
        req.on('error', () => resolve(true));
        req.end();
      });
      assert.equal(refused, true, 'a new connection was accepted after SIGTERM outside Kubernetes');
      const during = await ask('/readyz');
      assert.match(during, /^HTTP\/1\.1 503/);
      assert.match(during, /connection: close/i);
      socket.destroy();
      assert.equal(await exited, 0, stderr);
      // What the README says of Ctrl-C on the sample is what was just seen, not "readiness turns 503" for everyone.
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      const setup = readme.slice(readme.indexOf('## Set-up in two commands'), readme.indexOf('## Migrations'));
      assert.doesNotMatch(setup, /drains it: readiness turns 503/);
      assert.match(setup, /When nothing\s+polls `\/readyz` \(a person with curl\), the listener closes at once/);
    },
  );
});
