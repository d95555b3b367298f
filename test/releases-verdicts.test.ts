// The release model's decisions from rows built in memory, no database: which contract migration waits for which live
// instance, and the rollback verdict for an earlier release.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresCapabilities, postgresSql } from '../src/drivers/postgres/postgres-dialect.js';
import {
  knowledgeOf,
  loadMigrations,
  newRow,
  pendingFrom,
  planner,
  waitLine,
  type HistoryRow,
  type LiveInstance,
  type Migration,
} from '../src/migrate/internal.js';
import { earlierReleases, rollbackVerdict, type ArchiveRef } from '../src/releases/verdicts.js';

const V1 = { '0001_users.sql': 'CREATE TABLE users (id int, legacy text);' };
const V2 = {
  ...V1,
  '0002_add_name.sql': 'ALTER TABLE users ADD name text;',
  '0003_drop_legacy.sql': '-- molt:phase contract\nALTER TABLE users DROP legacy;',
};
const V3 = { ...V2, '0004_add_email.sql': 'ALTER TABLE users ADD email text;' };
const set = (files: Record<string, string>): Migration[] => loadMigrations({ bundle: files });
const planOf = planner(postgresSql, postgresCapabilities);
const row = (m: Migration, appVersion: string): HistoryRow =>
  newRow(m, { appVersion, moltVersion: 'test', host: 'h' }, { status: 'success', finishedAt: '2026-01-01T00:00:00Z' });

function instance(
  name: string,
  appVersion: string,
  files: Record<string, string> | null,
  extra: Partial<LiveInstance> = {},
): LiveInstance {
  return {
    id: name,
    name,
    host: 'h',
    pid: 100,
    appVersion,
    commit: null,
    knows: files ? knowledgeOf(set(files)) : null,
    state: 'serving',
    startedAt: '2026-01-01T00:00:00Z',
    heartbeatAt: '2026-01-01T00:00:00Z',
    heartbeatAgeMs: 2400,
    stale: false,
    ...extra,
  };
}

describe('a contract migration waits for the live instances that do not know it', () => {
  const v3 = set(V3);
  const rows = [row(v3[0], '1.0.0')];
  const decide = (live: LiveInstance[]) => pendingFrom(v3, rows, { live }, planOf);

  it('holds back the contract migration and the expand one after it, naming who it waits for', () => {
    const p = decide([instance('web-1', '1.0.0', V1), instance('web-2', '2.0.0', V2)]);
    assert.deepEqual(
      p.work.map((w) => w.migration.id),
      ['0002_add_name'],
    );
    assert.deepEqual(
      p.heldBack.map((h) => [h.version, h.why, h.waitsFor?.map((i) => i.name) ?? null, h.behind ?? null]),
      [
        ['0003', 'waiting', ['web-1'], null],
        ['0004', 'waiting', null, '0003_drop_legacy'],
      ],
    );
    assert.equal(
      waitLine('0003_drop_legacy', p.heldBack[0].waitsFor!),
      '0003_drop_legacy waits: 1 instance on 1.0.0: web-1 pid 100 (heartbeat 2 s ago)',
    );
  });

  it('ignores stale instances and those whose release knows it; one registered without its set is never guessed safe', () => {
    assert.equal(
      decide([instance('web-1', '1.0.0', V1, { stale: true }), instance('web-2', '2.0.0', V2)]).work.length,
      3,
    );
    const unknown = decide([instance('worker', '1.0.0', null, { state: 'draining' })]);
    assert.deepEqual(
      unknown.heldBack[0].waitsFor?.map((i) => [i.name, i.state]),
      [['worker', 'draining']],
    );
    assert.match(
      waitLine('0003_drop_legacy', unknown.heldBack[0].waitsFor!),
      /worker pid 100 \(heartbeat 2 s ago, draining\)/,
    );
  });

  it('without the instances (force, or nothing read) nothing waits', () => {
    assert.equal(pendingFrom(v3, rows, {}, planOf).work.length, 3);
  });
});

describe('the rollback verdict', () => {
  const v2 = set(V2);
  const archive = (schemaVersion: string | null, createdAt: string): ArchiveRef => ({
    file: `/b/${schemaVersion ?? 'empty'}.tar.gz`,
    createdAt,
    schemaVersion,
    appVersion: null,
  });
  const archives = [
    archive('0002', '2026-01-03T00:00:00Z'),
    archive('0001', '2026-01-02T00:00:00Z'),
    archive(null, '2026-01-01T00:00:00Z'),
  ];
  const v1 = { appVersion: '1.0.0', knows: knowledgeOf(set(V1)), from: 'releases' as const };

  it('is "image rollback safe" until the first contract migration still to run that the release does not know', () => {
    const rows = [row(v2[0], '1.0.0'), row(v2[1], '2.0.0')];
    const v = rollbackVerdict(v1, rows, [{ id: '0003_drop_legacy', phase: 'contract' }], archives);
    assert.deepEqual([v.verdict, v.until, v.breaking, v.backup], ['image_rollback_safe', '0003_drop_legacy', [], null]);
  });

  it('needs the newest archive from before the first breaking migration, and loses what came after it', () => {
    const rows = v2.map((m) => row(m, '2.0.0'));
    const v = rollbackVerdict(v1, rows, [], archives);
    assert.deepEqual(
      [v.verdict, v.breaking, v.backup?.file, v.lost],
      [
        'needs_restore',
        ['0003_drop_legacy'],
        '/b/0002.tar.gz',
        { since: '2026-01-03T00:00:00Z', migrations: ['0003_drop_legacy'] },
      ],
    );
    const none = rollbackVerdict(v1, rows, [], [archive('0003', '2026-01-04T00:00:00Z')]);
    assert.deepEqual([none.verdict, none.backup], ['needs_restore', null]);
    assert.match(none.summary, /no archive in the backup directory predates 0003_drop_legacy/);
  });

  it('cannot promise anything for a release registered without its migration set', () => {
    const v = rollbackVerdict(
      { appVersion: '0.9.0', knows: null, from: 'instances' },
      [row(v2[0], '0.9.0')],
      [],
      archives,
    );
    assert.equal(v.verdict, 'unknown');
  });

  it('reads what a release that never registered knew from the history, and leaves the current release out', () => {
    const rows = v2.map((m, i) => row(m, i === 0 ? '0.9.0' : '2.0.0'));
    const found = earlierReleases(rows, [], [], '2.0.0');
    assert.deepEqual(found, [{ appVersion: '0.9.0', knows: { newest: '0001', contracts: [] }, from: 'history' }]);
    assert.match(rollbackVerdict(found[0], rows, [], archives).summary, /read from the history: it never registered/);
  });
});
