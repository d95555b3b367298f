// Fuzzed database URLs: every place and spelling a password can take, checked against every output and file molt writes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationsDir, molt } from '../test/helpers/cli.js';
import { DOCUMENTED_EXITS, pick, type FuzzFinding, type Random } from './fuzz-common.js';

const SPECIALS = ['@', '#', ':', '/', '?', '&', '%', '=', '+', ' ', '!', '$', "'", '"', ';', '\\', '[', ']'];
const ALNUM = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A password around a distinctive token, so a leak of any part of it can be searched for. */
function password(random: Random): { value: string; token: string } {
  const token = `Zq${Array.from({ length: 8 }, () => pick(random, [...ALNUM])).join('')}`;
  const around = (): string => Array.from({ length: Math.floor(random() * 3) }, () => pick(random, SPECIALS)).join('');
  return { value: `${around()}${token}${around()}`, token };
}

/** Every file under `dir`, as text (latin1, so any byte survives), to search for a secret. */
export function filesText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? filesText(path) : readFileSync(path).toString('latin1');
  }
  return out;
}

/** One URL with the password placed and spelt one way: raw or percent-encoded, in the user info or a parameter. */
function fuzzedUrl(random: Random, base: string, secret: string): string {
  const u = new URL(base);
  const host = `${u.hostname}:${u.port}`;
  const db = u.pathname;
  const user = decodeURIComponent(u.username) || 'root';
  const encoded = encodeURIComponent(secret);
  const forms = [
    `${u.protocol}//${user}:${secret}@${host}${db}`,
    `${u.protocol}//${user}:${encoded}@${host}${db}`,
    `${u.protocol}//${user}@${host}${db}?password=${encoded}`,
    `${u.protocol}//${user}@${host}${db}?password=${secret}`,
    `${u.protocol}//${user}@${host}${db}?sslmode=disable&password=${encoded}`,
    `${u.protocol}//${user}:${secret}@${host}${db}?application_name=x&password=${encoded}`,
  ];
  return pick(random, forms);
}

/**
 * One case: the database `base` names, reached by a URL with a fuzzed password, run through status, migrate (its JSON too) and a
 * backup. No output, no archive and no file in the backup directory may hold the password's token; every exit is
 * documented.
 */
export async function fuzzUrlCase(
  base: string,
  random: Random,
  id: string,
  withBackup: boolean,
): Promise<FuzzFinding[]> {
  const findings: FuzzFinding[] = [];
  const { value, token } = password(random);
  const url = fuzzedUrl(random, base, value);
  const dir = migrationsDir({ '0001_a.sql': `CREATE TABLE fu${id} (x int);\n` });
  const backups = mkdtempSync(join(tmpdir(), 'molt-fuzz-url-'));
  const commands = [
    ['status'],
    ['status', '--json'],
    ['verify', '--json'],
    ['migrate', '--dry-run', '--json'],
    ...(withBackup ? [['backup', '--backup-dir', backups, '--json']] : []),
  ];
  try {
    for (const args of commands) {
      const r = await molt([...args, '--table', `fu${id}_history`, '--db', url, '--dir', dir], { timeoutMs: 60_000 });
      const shown = `${r.stdout}\n${r.stderr}`;
      if (r.code === null || !DOCUMENTED_EXITS.has(r.code))
        findings.push({
          kind: 'exit',
          id,
          detail: `${args[0]} with ${url.replaceAll(token, 'TOKEN')} exited ${r.code ?? r.signal}`,
        });
      if (shown.includes(token))
        findings.push({
          kind: 'secret',
          id,
          detail: `${args.join(' ')} printed the password of ${url.replaceAll(token, 'TOKEN')}`,
        });
    }
    for (const name of readdirSync(backups).filter((n) => n.endsWith('.tar.gz'))) {
      const out = mkdtempSync(join(tmpdir(), 'molt-fuzz-x-'));
      execFileSync('tar', ['-xzf', join(backups, name), '-C', out]);
      if (filesText(out).includes(token))
        findings.push({
          kind: 'secret',
          id,
          detail: `${name} stores the password of ${url.replaceAll(token, 'TOKEN')}`,
        });
      rmSync(out, { recursive: true, force: true });
    }
  } finally {
    rmSync(backups, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  return findings;
}
