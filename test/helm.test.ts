// The Helm chart for a molt-built service: linted and rendered with the real helm. No cluster runs here, so the
// rollout itself is not exercised (the README says what is tested live and what is not).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/cli.js';

const CHART = join(ROOT, 'deploy', 'helm', 'molt-service');
// .ci/run fetches helm (it is not in Debian) and names it in MOLT_HELM.
const HELM = [process.env.MOLT_HELM, join(tmpdir(), 'molt-ci-tools', 'helm', 'helm')].find((p) => p && existsSync(p));

function helm(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(HELM!, args, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

/** The rendered documents, split at `---`, keyed by `kind/name`. */
function documents(yaml: string): Map<string, string> {
  const docs = new Map<string, string>();
  for (const doc of yaml.split(/^---$/m)) {
    const kind = /^kind: (\S+)$/m.exec(doc)?.[1];
    const name = /^metadata:\n {2}name: (\S+)$/m.exec(doc)?.[1];
    if (kind && name) docs.set(`${kind}/${name}`, doc);
  }
  return docs;
}

describe(
  'the Helm chart',
  { skip: HELM ? false : 'helm is not installed here: .ci/run fetches it (see MOLT_HELM)' },
  () => {
    it('passes helm lint --strict', async () => {
      const { code, out } = await helm(['lint', '--strict', CHART]);
      assert.equal(code, 0, out);
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it('renders: expand hook Job before the rollout, RollingUpdate 1/0 with the probes, contract hook Job after, grace from the drain budget', async () => {
      const { code, out } = await helm([
        'template',
        'shop',
        CHART,
        '--set',
        'database.url=postgres://app:s3cret@db:5432/app',
        '--set',
        'image.tag=2.1.0',
      ]);
      assert.equal(code, 0, out);
      const docs = documents(out);
      assert.deepEqual([...docs.keys()].sort(), [
        'Deployment/shop-molt-service',
        'Job/shop-molt-service-contract',
        'Job/shop-molt-service-expand',
        'Secret/shop-molt-service-db',
        'Service/shop-molt-service',
      ]);
      const expand = docs.get('Job/shop-molt-service-expand')!;
      assert.match(expand, /helm\.sh\/hook: pre-install,pre-upgrade/);
      assert.match(expand, /helm\.sh\/hook-delete-policy: before-hook-creation,hook-succeeded/);
      assert.match(expand, /backoffLimit: 0/);
      assert.match(expand, /- migrate\n\s+- --phase\n\s+- expand\n\s+- --app-version\n\s+- "2\.1\.0"/);
      assert.match(expand, /image: registry\.example\.com\/app:2\.1\.0/);
      const contract = docs.get('Job/shop-molt-service-contract')!;
      assert.match(contract, /helm\.sh\/hook: post-upgrade/);
      assert.match(contract, /- --phase\n\s+- contract\n\s+- --wait\n\s+- "10m"/);
      const deployment = docs.get('Deployment/shop-molt-service')!;
      assert.match(deployment, /type: RollingUpdate\n\s+rollingUpdate:\n\s+maxSurge: 1\n\s+maxUnavailable: 0/);
      assert.match(deployment, /readinessProbe:\n\s+httpGet: \{ path: \/readyz, port: http \}/);
      assert.match(deployment, /livenessProbe:\n\s+httpGet: \{ path: \/healthz, port: http \}/);
      assert.match(deployment, /preStop:\n\s+sleep:\n\s+seconds: 5/);
      // 5 preStop + 9 delay cap + 15 grace + 1 abort + 5 close hooks + 5 margin.
      assert.match(deployment, /terminationGracePeriodSeconds: 40\n/);
      assert.match(deployment, /name: MOLT_AUTO_MIGRATE\n\s+value: "off"/);
      // The password stays in the Secret; the pods and Jobs read it from there.
      assert.doesNotMatch(deployment + expand + contract, /s3cret/);
      assert.match(deployment, /secretKeyRef:\n\s+name: shop-molt-service-db\n\s+key: url/);
    });

    it('with an existing Secret and a longer grace, renders no Secret of its own and a grace to match', async () => {
      const { code, out } = await helm([
        'template',
        'shop',
        CHART,
        '--set',
        'database.existingSecret=shop-db',
        '--set',
        'drain.graceSeconds=45',
      ]);
      assert.equal(code, 0, out);
      const docs = documents(out);
      assert.equal(docs.has('Secret/shop-molt-service-db'), false);
      assert.match(docs.get('Deployment/shop-molt-service')!, /terminationGracePeriodSeconds: 70\n/);
      assert.match(docs.get('Deployment/shop-molt-service')!, /name: shop-db/);
    });
  },
);
