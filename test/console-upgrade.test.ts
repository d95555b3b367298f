// The console's Upgrades and Schema pages during a real `molt upgrade` of the sample service under `molt run`, served by
// `molt console` on its own against the same database, watched in a real browser.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launch, seriousViolations, shoot } from './helpers/browser.js';
import { BIN, cleanEnv } from './helpers/cli.js';
import { createSqliteDatabase, type TestDatabase } from './helpers/databases.js';
import { ADMIN_TOKEN } from './helpers/fleet-harness.js';
import { children, killAll, makeRelease, runCli, startRun, stopRun, workDir } from './helpers/upgrade-harness.js';

describe('the console during molt upgrade', { skip: chromiumMissing }, () => {
  let browser: Browser | null = null;
  let db: TestDatabase | null = null;
  after(async () => {
    await browser?.close();
    await killAll();
    await db?.drop();
  });

  it(
    'the Upgrades page shows the steps advancing live; the Schema page shows the deferred contract migration and whom it waits for, then applied',
    { timeout: 180_000 },
    async (t) => {
      db = await createSqliteDatabase();
      const env = { MOLT_DATABASE_URL: db.url };
      const work = workDir();
      const v1 = makeRelease(work, 'v1', 1, { web: { instances: 2 } });
      const v2 = makeRelease(work, 'v2', 2, { web: { instances: 2 } });
      const run = await startRun(work, v1, env, 2);
      const consoleProc: ChildProcess = spawn(
        process.execPath,
        [BIN, 'console', '--port', '0', '--dir', join(v2, 'migrations')],
        {
          cwd: work,
          env: cleanEnv({ ...env, MOLT_FLEET_ADMIN_TOKEN: ADMIN_TOKEN, MOLT_BACKUP_DIR: join(work, 'backups') }),
        },
      );
      children.push(consoleProc);
      let err = '';
      consoleProc.stderr!.on('data', (d) => (err += d));
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /console on (http:\/\/\S+)\/molt\//.exec(err);
          if (m) {
            clearInterval(timer);
            resolve(m[1]!);
          }
          if (consoleProc.exitCode !== null) reject(new Error(`molt console exited: ${err}`));
        }, 50);
      });

      browser = await launch();
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
      const upgrades: Page = await context.newPage();
      await upgrades.goto(`${base}/molt/upgrades`);
      await upgrades.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await upgrades.getByRole('button', { name: 'Sign in' }).click();
      await upgrades.waitForURL(/\/molt\/agents$/);
      await upgrades.goto(`${base}/molt/upgrades`);
      const schema = await context.newPage();
      await schema.goto(`${base}/molt/schema`);
      let navigations = 0;
      for (const p of [upgrades, schema]) p.on('framenavigated', (f) => (f === p.mainFrame() ? navigations++ : 0));
      assert.equal(await upgrades.locator('#no-active').count(), 1);

      // Before it starts, the Plan page (one link from the Schema page) says the release is rolling-safe: the expand
      // migration runs before the roll, the contract one after it, waiting for both 1.1.0 instances.
      assert.equal(await schema.locator('#check-plan').getAttribute('href'), '/molt/plan');
      const planTab = await context.newPage();
      await planTab.goto(`${base}/molt/plan`);
      assert.equal((await planTab.locator('#plan-status').innerText()).trim(), 'rolling-safe');
      assert.equal(await planTab.locator('#plan-0004').getAttribute('data-runs'), 'before_roll');
      assert.equal(await planTab.locator('#plan-0005').getAttribute('data-runs'), 'after_roll');
      assert.equal(await planTab.locator('#plan-0005').getAttribute('data-waits'), '2', 'it waits for both 1.1.0');
      assert.deepEqual(await seriousViolations(planTab), []);
      await shoot(planTab, 'plan');
      await planTab.close();

      // The upgrade runs in its own process; the pages are read every 100 ms while it does.
      const sequence: string[] = [];
      const seenWaits = new Set<string>();
      let shotUpgrade = false;
      let shotSchema = false;
      let done = false;
      const upgrade = runCli(['upgrade', '--to', v2, '--state', join(work, 'state'), '--json'], work, env).then(
        (r) => ((done = true), r),
      );
      while (!done) {
        // What the page shows now: no upgrade running, or the running one step by step.
        const steps = await upgrades.locator('#upgrades-part').evaluate((part) => {
          const running = part.querySelector('section[data-state="running"]');
          if (!running) return 'none';
          const rows = Array.from(running.querySelectorAll<HTMLElement>('tr[data-step]'));
          return `running ${rows.map((tr) => `${tr.dataset.step}:${tr.dataset.status}`).join(' ')} ${rows.at(-1)?.lastElementChild?.textContent?.trim() ?? ''}`;
        });
        if (sequence.at(-1) !== steps) sequence.push(steps);
        if (steps.includes('roll:running') && !shotUpgrade) {
          await shoot(upgrades, 'upgrades');
          shotUpgrade = true;
        }
        const wait = await schema.locator('#pending-0005[data-waiting="yes"]').allInnerTexts();
        if (wait.length) {
          seenWaits.add(wait[0]!.replace(/\s+/g, ' '));
          // The picture the README shows: the expand migration applied, the contract one waiting for the old release.
          if (!shotSchema && (await schema.locator('#applied-0004').count()) > 0) {
            await shoot(schema, 'schema');
            shotSchema = true;
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const result = await upgrade;
      assert.equal(result.code, 0, result.stderr);
      // Live, without a reload: nothing running, then the upgrade at its steps (the roll under way), then it ends.
      const text = sequence.join(' | ');
      assert.equal(sequence[0], 'none', text);
      t.diagnostic(`the Upgrades page showed: ${text}`);
      assert.ok(
        sequence.some((st) => /^running .*expand:done roll:running/.test(st)),
        text,
      );
      // The roll moves on in place, one instance at a time, and the page follows it.
      assert.ok(
        sequence.some((st) => /roll:running web\.\d replaced on 2\.0\.0 \(1 so far\)$/.test(st)),
        text,
      );
      // The deferred contract migration, naming the 1.1.0 instances it waits for.
      assert.ok(seenWaits.size > 0, 'the Schema page never showed 0005 waiting');
      assert.ok(
        [...seenWaits].some((w) => /0005_drop_note_words contract deferred: web\.\d pid \d+ on 1\.1\.0/.test(w)),
        [...seenWaits].join(' | '),
      );
      // Then it ends: succeeded with every step done, and 0005 applied.
      await upgrades.waitForFunction(
        () =>
          document.querySelector('#upgrades-part section[data-state="succeeded"]') !== null &&
          document.getElementById('no-active') !== null,
        undefined,
        { timeout: 10_000 },
      );
      const final = await upgrades
        .locator('#upgrades-part section[data-state="succeeded"] tr[data-step]')
        .evaluateAll((trs) =>
          trs.map((tr) => `${(tr as HTMLElement).dataset.step}:${(tr as HTMLElement).dataset.status}`),
        );
      assert.deepEqual(
        final,
        ['stage', 'preflight', 'backup', 'expand', 'roll', 'validate', 'contract', 'record'].map((s) => `${s}:done`),
      );
      await schema.waitForSelector('#applied-0005', { timeout: 10_000 });
      assert.equal(await schema.locator('#pending-0005').count(), 0);
      assert.equal(navigations, 0, 'neither page was reloaded');
      assert.deepEqual(await seriousViolations(schema), []);
      assert.deepEqual(await seriousViolations(upgrades), []);
      consoleProc.kill('SIGTERM');
      assert.equal(await new Promise((resolve) => consoleProc.once('exit', resolve)), 0, err);
      assert.equal(await stopRun(run), 0, run.stderr());
    },
  );
});
