import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MysqlTarget } from '../../drivers/mysql/mysql-url.js';

/** A value for a MySQL option file: quoted, with the escapes the option-file reader understands. */
function optionValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** The TLS lines for the URL's sslmode, in the option names of the tool's own flavour. */
function tlsLines(target: MysqlTarget, mariadbTool: boolean, url: URLSearchParams): string[] {
  const files = (['sslca', 'sslcert', 'sslkey'] as const)
    .filter((p) => url.get(p))
    .map((p) => `${{ sslca: 'ssl-ca', sslcert: 'ssl-cert', sslkey: 'ssl-key' }[p]}=${optionValue(url.get(p)!)}`);
  if (mariadbTool) {
    // MariaDB's tools know no CA-only check: verify-ca verifies the host name too, as verify-full does.
    if (target.sslMode === 'disable') return ['skip-ssl'];
    return ['ssl', ...files, ...(target.sslMode === 'require' ? [] : ['ssl-verify-server-cert'])];
  }
  const mode = { disable: 'DISABLED', require: 'REQUIRED', 'verify-ca': 'VERIFY_CA', 'verify-full': 'VERIFY_IDENTITY' }[
    target.sslMode
  ];
  return [`ssl-mode=${mode}`, ...(target.sslMode === 'disable' ? [] : files)];
}

/**
 * The `[client]` option file text for a URL's connection: user, password, host or socket, TLS. Only
 * this file is read (`--defaults-file`), as the mysql2 driver reads no option file either.
 */
export function optionFileText(target: MysqlTarget, url: string, mariadbTool: boolean): string {
  const params = new URL(url).searchParams;
  const lines = ['[client]', `user=${optionValue(target.user)}`];
  if (target.password !== undefined) lines.push(`password=${optionValue(target.password)}`);
  if (target.socketPath) {
    lines.push('protocol=SOCKET', `socket=${optionValue(target.socketPath)}`);
  } else {
    // mysql2 always speaks TCP; the command-line tools would take "localhost" to mean the socket.
    lines.push('protocol=TCP', `host=${optionValue(target.host)}`, `port=${target.port}`);
  }
  lines.push(...tlsLines(target, mariadbTool, params));
  // Options one tool of the family lacks are `loose-`: the tool skips them instead of failing.
  lines.push(
    `loose-connect-timeout=${Math.ceil(target.connectTimeoutMs / 1000)}`,
    'loose-max-allowed-packet=1073741824',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `fn` with the path of a temporary option file (mode 0600, in a 0700 directory) holding the
 * credentials, so that they never reach a command line; the file is removed afterwards.
 */
export async function withOptionFile<T>(text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'molt-my-'));
  try {
    const path = join(dir, 'client.cnf');
    await writeFile(path, text, { mode: 0o600, flag: 'wx' });
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
