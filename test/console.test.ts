// The console in a real browser (Debian's chromium through playwright-core) against the sample service with its fleet
// and real agent processes.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launch, seriousViolations, shoot } from './helpers/browser.js';
import { createSqliteDatabase, type TestDatabase } from './helpers/databases.js';
import { ADMIN_TOKEN, FleetWorld, waitFor } from './helpers/fleet-harness.js';

const PAGES = ['agents', 'upgrades', 'schema', 'audit'] as const;

describe(
  'the console in a real browser: agents, policy, audit, sign-in and cross-site refusals',
  { skip: chromiumMissing },
  () => {
    let db: TestDatabase;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let evil: Server;
    const world = new FleetWorld();
    const navigations: string[] = [];

    before(async () => {
      db = await createSqliteDatabase();
      // A long tick: every evaluation in this test is a Run now pressed in the page.
      await world.startServer(db.url, { MOLT_FLEET_TICK: '10m' });
      const build = world.buildAgent('1.0.0');
      world.buildAgent('1.1.0');
      for (const id of ['c1', 'c2', 'c3']) world.startAgent(id, build);
      world.startAgent('gap1', build, { MOLT_AGENT_UPDATE_SOURCE: 'offline' });
      await waitFor('4 agents online', async () => (await world.agentsNow()).filter((a) => a.online).length === 4);
      assert.equal((await world.api('PUT', '/artifact', await world.artifact('1.1.0'))).status, 200);
      browser = await launch();
      // bypassCSP only so the test can inject axe-core; the page itself runs under its own policy.
      context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations.push(frame.url());
      });
      // Another site, for the forged request.
      evil = createServer((_req, res) => {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            `<!doctype html><form id="f" method="post" action="${world.url}/molt/actions/run"><input name="csrf" value="guess"></form><script>document.getElementById('f').submit()</script>`,
          );
      }).listen(0, '127.0.0.1');
    });
    after(async () => {
      await browser?.close();
      evil?.close();
      await world.stop();
      await db.drop();
    });

    it('without signing in, every page and action is refused', async () => {
      for (const p of PAGES) {
        const response = await fetch(`${world.url}/molt/${p}`, { redirect: 'manual' });
        assert.equal(response.status, 401, p);
        const text = await response.text();
        assert.match(text, /Admin token/);
        assert.doesNotMatch(text, /c1|1\.0\.0/, 'nothing of the fleet shows before signing in');
      }
      for (const path of ['/molt/audit.json', '/molt/actions/run', '/molt/actions/upgrade']) {
        const response = await fetch(`${world.url}${path}`, {
          method: path.endsWith('.json') ? 'GET' : 'POST',
          body: path.endsWith('.json') ? undefined : 'agent=c1',
        });
        assert.equal(response.status, 401, path);
      }
      const wrong = await fetch(`${world.url}/molt/login`, {
        method: 'POST',
        body: 'token=nope',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers.get('set-cookie'), null);
    });

    it('sign in; the Agents page lists the agents with versions and drift, and a pending agent shows the banner', async () => {
      await page.goto(`${world.url}/molt/agents`);
      // The sign-in page stays put while someone types (it has nothing live to follow).
      const shown = navigations.length;
      await new Promise((r) => setTimeout(r, 2_500));
      assert.equal(navigations.length, shown, 'the sign-in page reloaded by itself');
      assert.deepEqual(await seriousViolations(page), [], 'the sign-in page');
      await shoot(page, 'sign-in');
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/molt\/agents$/);
      const rows = await page
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [tr.id, (tr as HTMLElement).dataset.version, (tr as HTMLElement).dataset.state]),
        );
      assert.deepEqual(rows, [
        ['agent-c1', '1.0.0', 'drifted'],
        ['agent-c2', '1.0.0', 'drifted'],
        ['agent-c3', '1.0.0', 'drifted'],
        ['agent-gap1', '1.0.0', 'pending'],
      ]);
      assert.match(
        await page.locator('#pending-banner').innerText(),
        /1 agent is pending upgrade: gap1 \(air-gapped: install the offline bundle\)/,
      );
      assert.equal(await page.locator('#upgrade-gap1').count(), 0, 'no Upgrade button on a pending agent');
      await shoot(page, 'agents');
    });

    it('an Upgrade button upgrades that agent only, and the row changes without a reload', async () => {
      const before = navigations.length;
      await page.locator('#upgrade-c2').click();
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('#agent-c2')?.dataset.version === '1.1.0',
        undefined,
        { timeout: 20_000 },
      );
      const versions = await page
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.version));
      assert.deepEqual(versions, ['1.0.0', '1.1.0', '1.0.0', '1.0.0']);
      assert.equal(navigations.length, before, 'the page was not reloaded');
    });

    it('staged at 50 %: Run now upgrades the rest in batches, live; the audit shows the policy change, each run and each dispatch with its actor', async () => {
      const before = navigations.length;
      await page.getByLabel('Mode').selectOption('staged');
      await page.getByLabel('Percent per batch').fill('50');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.waitForFunction(() => document.getElementById('policy-mode')?.textContent?.trim() === 'staged');
      const count = (): Promise<number> => page.locator('tbody tr[data-version="1.1.0"]').count();
      // The rollout holds c1 and c3: a batch of one (50 %), which goes out as the canary first.
      await page.getByRole('button', { name: 'Run now' }).click();
      await waitFor('the first batch confirmed', async () => (await count()) === 2, 20_000);
      assert.equal(await count(), 2, 'one batch at a time');
      await page.getByRole('button', { name: 'Run now' }).click();
      await waitFor('the second batch confirmed', async () => (await count()) === 3, 20_000);
      assert.equal(navigations.length, before, 'the page was not reloaded');
      assert.equal(await page.locator('#agent-gap1').getAttribute('data-version'), '1.0.0');

      await page.getByRole('link', { name: 'Audit' }).click();
      await page.waitForURL(/\/molt\/audit$/);
      const rows = await page
        .locator('#audit-part tbody tr')
        .evaluateAll((trs) =>
          trs
            .map((tr) => [
              (tr as HTMLElement).dataset.action,
              (tr as HTMLElement).dataset.actor,
              tr.children[3]!.textContent,
            ])
            .reverse(),
        );
      const acted = rows.filter(([action]) => action !== 'agent.enrol' && action !== 'agent.upgrade_artifact');
      const batch = acted
        .filter(([action]) => action === 'stack.deploy')
        .slice(1)
        .map(([, , agent]) => agent);
      assert.deepEqual(acted, [
        ['stack.deploy', 'admin', 'c2'],
        ['agent.upgrade_result', 'agent:c2', 'c2'],
        ['agent.upgrade_policy', 'admin', '—'],
        ['agent.upgrade_run', 'admin', '—'],
        ['stack.deploy', 'admin', batch[0]],
        ['agent.upgrade_result', `agent:${batch[0]}`, batch[0]],
        ['agent.upgrade_run', 'admin', '—'],
        ['stack.deploy', 'admin', batch[1]],
        ['agent.upgrade_result', `agent:${batch[1]}`, batch[1]],
      ]);
      assert.deepEqual([...batch].sort(), ['c1', 'c3']);
      // The filters, and the export of what they select.
      await page.getByLabel('Action').fill('stack.deploy');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/action=stack\.deploy/);
      assert.equal(await page.locator('#audit-part tbody tr').count(), 3);
      const exported = await page.evaluate(
        async () =>
          (await (await fetch((document.getElementById('export') as HTMLAnchorElement).href)).json()) as {
            entries: { action: string }[];
          },
      );
      assert.deepEqual([...new Set(exported.entries.map((e) => e.action))], ['stack.deploy']);
      await shoot(page, 'audit');
    });

    it('Halt and Resume, Pin and Unpin work from the keyboard, live, and each is audited with the admin', async () => {
      await page.goto(`${world.url}/molt/agents`);
      const before = navigations.length;
      await page.locator('#halt').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('#halted');
      assert.match(await page.locator('#halted').innerText(), /Halted: halted by admin/);
      await page.locator('#resume').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('#halted', { state: 'detached' });
      await page.locator('#pin-c3').click();
      await page.waitForFunction(() => document.querySelector('#agent-c3 th')?.textContent?.includes('pinned'));
      await page.locator('#pin-c3').click();
      await page.waitForFunction(() => !document.querySelector('#agent-c3 th')?.textContent?.includes('pinned'));
      assert.equal(navigations.length, before, 'the page was not reloaded');
      const policy = (await world.audit('?action=agent.upgrade_policy')).slice(-2);
      assert.deepEqual(
        policy.map((e) => [e.actor, (e.detail.after as { halted: boolean }).halted]),
        [
          ['admin', true],
          ['admin', false],
        ],
      );
      const pins = await world.audit('?action=agent.upgrade_pin&agent=c3');
      assert.deepEqual(
        pins.map((e) => [e.actor, e.detail.pinned]),
        [
          ['admin', true],
          ['admin', false],
        ],
      );
    });

    it('a page in a hidden tab stops asking the service, and catches up as soon as it shows', async () => {
      await page.goto(`${world.url}/molt/agents`);
      const asked: number[] = [];
      const count = (r: { url(): string; method(): string }): void => {
        if (r.method() === 'GET' && r.url().endsWith('/molt/agents')) asked.push(Date.now());
      };
      page.on('request', count);
      try {
        await waitFor('the page follows the server', async () => asked.length >= 2, 10_000);
        const setHidden = (hidden: boolean) =>
          page.evaluate((h) => {
            Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
            document.dispatchEvent(new Event('visibilitychange'));
          }, hidden);
        await setHidden(true);
        await new Promise((r) => setTimeout(r, 1_500)); // a refresh already under way may end
        const whileHidden = asked.length;
        await new Promise((r) => setTimeout(r, 3_000));
        assert.equal(asked.length, whileHidden, 'no request while hidden');
        // The pin changes while nobody looks; the row shows it once the tab is back.
        assert.equal((await world.api('POST', '/agents/c3/pin', { pinned: true })).status, 200);
        await setHidden(false);
        await page.waitForFunction(
          () => document.querySelector('#agent-c3 th')?.textContent?.includes('pinned'),
          null,
          {
            timeout: 5_000,
          },
        );
        await world.api('POST', '/agents/c3/pin', { pinned: false });
      } finally {
        page.off('request', count);
      }
    });

    it('a forged cross-site POST is refused: from another site the cookie does not go, and with it the origin and token fail', async () => {
      const runs = async (): Promise<number> => (await world.audit('?action=agent.upgrade_run')).length;
      const before = await runs();
      const other = await context.newPage();
      const { port } = evil.address() as { port: number };
      // The same host by another name is another site for the browser.
      const response = other.waitForResponse((r) => r.url().endsWith('/molt/actions/run'));
      await other.goto(`http://localhost:${port}/`);
      assert.equal((await response).status(), 401);
      await other.close();
      const cookies = await context.cookies();
      const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const forged = await fetch(`${world.url}/molt/actions/run`, {
        method: 'POST',
        headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'csrf=guess',
      });
      assert.equal(forged.status, 403);
      const noToken = await fetch(`${world.url}/molt/actions/run`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'csrf=guess',
      });
      assert.equal(noToken.status, 403);
      assert.equal(await runs(), before, 'no forged request ran');
    });

    it('every page passes the accessibility check (no serious or critical violation), on a laptop and on a phone', async () => {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 390, height: 844 },
      ]) {
        await page.setViewportSize(viewport);
        for (const p of PAGES) {
          await page.goto(`${world.url}/molt/${p}`);
          assert.deepEqual(await seriousViolations(page), [], `${p} at ${viewport.width}px`);
          if (viewport.width < 500 && p === 'agents') await shoot(page, 'agents-phone');
        }
      }
      // Keyboard: the skip link comes first, then the navigation.
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${world.url}/molt/agents`);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to the content');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Agents');
    });
  },
);
