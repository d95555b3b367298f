// What is checked before anything runs: molt.release.json read with every mistake named, a release tarball staged
// only when its sha256 matches, and breaking notes that stop the preflight until someone accepts them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { c } from 'tar';
import { MoltError } from '../src/errors.js';
import { readRelease } from '../src/supervisor/index.js';
import { stageTarball } from '../src/upgrade/index.js';
import { preflightStep } from '../src/upgrade/steps.js';
import { ROOT } from './helpers/cli.js';

function releaseDir(manifest: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'molt-release-'));
  writeFileSync(join(dir, 'package.json'), '{"version":"3.1.0"}\n');
  writeFileSync(join(dir, 'molt.release.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return dir;
}

const refused = (fn: () => unknown, pattern: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof MoltError && e.code === 'CONFIG_INVALID' && pattern.test(e.message));

describe('molt.release.json', () => {
  it('reads process types in the declared order with their defaults', () => {
    const release = readRelease(
      releaseDir({
        processes: {
          web: { command: 'node server.js', instances: 3 },
          worker: { command: ['node', 'worker.js'], serves: false, grace: '60s', env: { ROLE: 'worker' } },
        },
        order: ['worker', 'web'],
        soak: '1s',
      }),
    );
    assert.equal(release.version, '3.1.0');
    assert.deepEqual(
      release.processes.map((p) => [p.name, p.command.join(' '), p.instances, p.serves, p.graceMs, p.readiness]),
      [
        ['worker', 'node worker.js', 1, false, 60_000, 'probes'],
        ['web', 'node server.js', 3, true, 30_000, 'probes'],
      ],
    );
    assert.equal(release.soakMs, 1000);
    assert.equal(release.readyTimeoutMs, 60_000);
    // The sample's two releases are releases.
    assert.equal(readRelease(join(ROOT, 'examples', 'sample-service')).version, '1.1.0');
    assert.equal(readRelease(join(ROOT, 'examples', 'sample-service-2')).version, '2.0.0');
  });

  it('names the file and the key of every mistake', () => {
    refused(
      () => readRelease(mkdtempSync(join(tmpdir(), 'molt-empty-'))),
      /is not a release: it has no molt\.release\.json/,
    );
    refused(() => readRelease(releaseDir('{"processes": ')), /molt\.release\.json is not valid JSON/);
    refused(() => readRelease(releaseDir({ processes: {}, colour: 'blue' })), /unknown key "colour"/);
    refused(() => readRelease(releaseDir({ processes: {} })), /"processes" must name at least one process type/);
    refused(
      () => readRelease(releaseDir({ processes: { web: { command: '' } } })),
      /processes\.web\.command must be a command line/,
    );
    refused(
      () => readRelease(releaseDir({ processes: { web: { command: 'x', instances: 1.5 } } })),
      /processes\.web\.instances is 1\.5/,
    );
    refused(
      () => readRelease(releaseDir({ processes: { web: { command: 'x', readiness: 'maybe' } } })),
      /readiness is "maybe"/,
    );
    refused(
      () => readRelease(releaseDir({ processes: { web: { command: 'x', grace: 'soon' } } })),
      /"processes\.web\.grace" "soon" is not a duration/,
    );
    refused(
      () => readRelease(releaseDir({ processes: { web: { command: 'x' }, worker: { command: 'y' } }, order: ['web'] })),
      /"order" must list every process type once \(types: web, worker; order: web\)/,
    );
  });
});

describe('staging a release tarball', () => {
  it('unpacks it only when its sha256 matches, and names both digests when it does not', async () => {
    const work = mkdtempSync(join(tmpdir(), 'molt-stage-'));
    const file = join(work, 'sample-2.0.0.tar.gz');
    await c({ gzip: true, file, cwd: join(ROOT, 'examples') }, ['sample-service-2']);
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const releases = join(work, 'releases');

    await assert.rejects(stageTarball(file, undefined, releases), /needs its --sha256/);
    const wrong = sha.replace(/^./, (d) => (d === '0' ? '1' : '0'));
    await assert.rejects(
      stageTarball(file, wrong, releases),
      (e: unknown) => e instanceof MoltError && e.message.includes(`has sha256 ${sha}, not ${wrong}`),
    );
    assert.equal(existsSync(releases), false, 'nothing was unpacked');

    const dir = await stageTarball(file, sha.toUpperCase(), releases);
    assert.equal(readRelease(dir).version, '2.0.0');
    assert.ok(existsSync(join(dir, 'migrations', '0005_drop_note_words.sql')));
    // Staged again, the same directory: nothing is unpacked twice.
    assert.equal(await stageTarball(file, sha, releases), dir);
  });

  it('refuses a tarball without molt.release.json at its top', async () => {
    const work = mkdtempSync(join(tmpdir(), 'molt-stage-'));
    mkdirSync(join(work, 'src', 'a'), { recursive: true });
    mkdirSync(join(work, 'src', 'b'));
    const file = join(work, 'bad.tgz');
    await c({ gzip: true, file, cwd: join(work, 'src') }, ['a', 'b']);
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    await assert.rejects(stageTarball(file, sha, join(work, 'releases')), /holds no molt\.release\.json at its top/);
  });
});

describe('preflight', () => {
  it('stops at breaking notes until they are accepted, before it reads the database', async () => {
    const target = {
      ref: '/nowhere',
      version: '3.0.0',
      commit: null,
      migrations: null,
      processes: [],
      breaking: ['The v1 API is gone'],
      readyTimeoutMs: 1000,
      soakMs: 0,
    };
    await assert.rejects(
      preflightStep({}, target, false),
      (e: unknown) =>
        e instanceof MoltError &&
        e.code === 'UPGRADE_ABORTED' &&
        /lists breaking changes: The v1 API is gone/.test(e.message) &&
        /--accept-breaking/.test(e.hint ?? ''),
    );
    assert.deepEqual(await preflightStep({}, target, true), { detail: 'the release has no migrations' });
  });
});
