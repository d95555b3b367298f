import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseMysqlUrl } from '../src/drivers/mysql/mysql-url.js';

describe('MySQL URLs', () => {
  it('reads user, password, host, port and database, with defaults and percent-decoding', () => {
    const t = parseMysqlUrl('mysql://app:p%40ss%2Fword@db.internal:3307/shop');
    assert.deepEqual(
      [t.user, t.password, t.host, t.port, t.database, t.sslMode, t.ssl],
      ['app', 'p@ss/word', 'db.internal', 3307, 'shop', 'disable', undefined],
    );
    const d = parseMysqlUrl('mariadb://localhost/app');
    assert.deepEqual([d.user, d.password, d.port, d.connectTimeoutMs], ['root', undefined, 3306, 10_000]);
  });

  it('maps sslmode to certificate checks: require encrypts only, verify-ca skips the host name, verify-full checks both', () => {
    assert.equal(parseMysqlUrl('mysql://h/db?sslmode=require').ssl?.rejectUnauthorized, false);
    const ca = parseMysqlUrl('mysql://h/db?sslmode=verify-ca').ssl!;
    assert.equal(ca.rejectUnauthorized, true);
    assert.equal(ca.checkServerIdentity?.(), undefined);
    const full = parseMysqlUrl('mysql://h/db?sslmode=verify-full').ssl!;
    assert.deepEqual([full.rejectUnauthorized, full.checkServerIdentity], [true, undefined]);
    assert.equal(parseMysqlUrl('mysql://h/db?ssl=true').sslMode, 'verify-full');
  });

  it('reads the CA file, and implies verification when one is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-ca-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const t = parseMysqlUrl(`mysql://h/db?sslca=${join(dir, 'ca.pem')}`);
    assert.equal(t.sslMode, 'verify-full');
    assert.match(t.ssl!.ca!, /BEGIN CERTIFICATE/);
    assert.throws(
      () => parseMysqlUrl(`mysql://u:secret@h/db?sslca=${join(dir, 'missing.pem')}`),
      (e: Error) => {
        assert.match(e.message, /cannot read sslca file .*missing\.pem/);
        assert.doesNotMatch(e.message, /secret/);
        return true;
      },
    );
  });

  it('names what is wrong: an unknown parameter, a bad sslmode, a bad timeout, no database', () => {
    assert.throws(() => parseMysqlUrl('mysql://h/db?ssl_mode=require'), /unknown parameter "ssl_mode"/);
    assert.throws(
      () => parseMysqlUrl('mysql://h/db?sslmode=prefer'),
      /sslmode "prefer" is not one of disable, require, verify-ca, verify-full/,
    );
    assert.throws(
      () => parseMysqlUrl('mysql://h/db?connect_timeout=soon'),
      /connect_timeout "soon" is not a positive number/,
    );
    assert.throws(() => parseMysqlUrl('mysql://h'), /names no database/);
  });
});
