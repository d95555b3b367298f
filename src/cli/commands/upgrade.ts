import { parseDuration } from '../../config/duration.js';
import { redactUrl } from '../../config/url.js';
import { MoltError } from '../../errors.js';
import {
  composeRuntime,
  supervisorRuntime,
  upgrade,
  type StepRecord,
  type UpgradeEvent,
  type UpgradeReport,
} from '../../upgrade/index.js';
import { commonOptions, optionsHelp, parseFlags, type SharedFlag } from '../flags.js';
import { emit } from '../output.js';

const FLAGS: readonly SharedFlag[] = ['db', 'table', 'wait-for-database', 'set', 'json', 'help'];

/** Usage of `molt upgrade`. */
export const help = `Usage: molt upgrade --to RELEASE [--state DIR] [options]
       molt upgrade --resume | --rollback [--state DIR]

Upgrades the service molt run (or Docker Compose, --runtime compose) runs to a new release, one step at a time, each recorded in the upgrade journal in
the database (molt status shows it; one upgrade at a time per database):
  stage      the release directory, or a tarball checked against --sha256 and unpacked under DIR/releases
  preflight  molt plan: refuse a release that is not rolling-safe, or one with breaking notes without --accept-breaking
  backup     a verified archive (molt backup), unless --skip-backup
  expand     the release's expand migrations against the running database; a failure stops here, nothing restarted
  roll       one instance at a time, process types in the release's order: start the new one, wait for /readyz and
             for /api/version to report the release, soak, then drain an old one; a new instance that never gets
             ready stops the roll and the instances already replaced go back to the old release
  validate   every instance ready on the release, the history holds its expand migrations, --smoke passes
  contract   the deferred contract migrations, once no old instance is live (--contract-wait)
  record     from, to, backup, migrations and timings, in the journal and as the report

  --to RELEASE          the new release: a directory with molt.release.json, or a .tar.gz with --sha256
  --sha256 HEX          the tarball's digest; a mismatch refuses to stage it
  --state DIR           molt run's state directory (default ./.molt)
  --resume              finish the upgrade the journal holds (its orchestrator died)
  --rollback            return every instance of that upgrade to the old release
  --skip-backup         do not take the archive (the report says so)
  --accept-breaking     the release's breaking notes have been read
  --smoke CMD           a shell command that must exit 0 once every instance runs the release
  --ready-timeout DUR   how long a new instance may take to get ready (default: the release's, else 60s)
  --soak DUR            how long a ready instance must stay ready before an old one drains (default 2s)
  --contract-wait DUR   how long the contract step waits for the old instances (default 2m)
  --runtime R           supervisor (molt run, the default) or compose
  --compose-dir DIR     compose: the project directory, with its compose file and .env (default .)
  --service NAME        compose: the service to upgrade (default app); --to names its new image
  --molt-command CMD    compose: how molt runs in the image (default node /app/node_modules/moltkit/dist/src/cli/main.js)
  --release-path PATH   compose: where the image holds package.json, molt.release.json, migrations/ (default /app/release)

Progress goes to stderr, a line per step and per instance (JSON lines with --json); the report to stdout.
Exit codes: 0 upgraded (or rolled back), 16 stopped (the report and the journal say at which step and why),
17 another upgrade holds the journal, 18 no molt run on the control socket, 2 bad usage.

${optionsHelp(FLAGS)}

Examples:
  molt upgrade --to ./releases/2.0.0 --state /var/lib/app/molt
  molt upgrade --runtime compose --compose-dir /srv/app --to registry.example.com/app:2.0.0 --db sqlite:/srv/app/data/app.db
  molt upgrade --to app-2.0.0.tar.gz --sha256 $(cat app-2.0.0.tar.gz.sha256) --smoke 'curl -fsS localhost:8080/notes'
  molt upgrade --resume`;

const seconds = (ms: number | null): string => (ms === null ? '' : `${(ms / 1000).toFixed(1)} s`);

function eventLine(event: UpgradeEvent): string | null {
  if (event.type === 'note') return `molt: upgrade: ${event.message}`;
  if (event.type === 'instance') {
    const r = event.report;
    const what =
      r.status === 'failed' ? `FAILED at ${r.failedAt}: ${r.reason}` : `${r.status} in ${seconds(r.ms)} (pid ${r.pid})`;
    return `molt: upgrade: ${event.step.padEnd(9)} ${r.instance} ${r.from ?? '-'} -> ${r.to}: ${what}`;
  }
  const s: StepRecord = event.record;
  if (s.status === 'running') return `molt: upgrade: ${s.step.padEnd(9)} ...`;
  return `molt: upgrade: ${s.step.padEnd(9)} ${s.status} ${seconds(s.ms)}${s.detail ? `: ${s.detail}` : ''}`;
}

function render(r: UpgradeReport): string {
  let out = `upgrade   ${r.id ?? '-'} ${r.status}: ${r.from ?? '?'} -> ${r.to} (${r.runtime}) in ${seconds(r.durationMs)}\n`;
  out += `backup    ${r.backup ?? 'none'}\n`;
  out += `expand    ${r.migrations.expand.join(', ') || 'none'}\n`;
  out += `contract  ${r.migrations.contract.join(', ') || 'none'}${r.contractAt ? ` at ${r.contractAt}` : ''}\n`;
  for (const s of r.steps)
    out += `  ${s.step.padEnd(10)}${s.status.padEnd(8)}${seconds(s.ms).padStart(8)}  ${s.detail ?? ''}\n`;
  if (r.reason) out += `reason    ${r.reason}\n`;
  return out;
}

/** Runs `molt upgrade`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      to: { type: 'string' },
      sha256: { type: 'string' },
      state: { type: 'string' },
      resume: { type: 'boolean' },
      rollback: { type: 'boolean' },
      'skip-backup': { type: 'boolean' },
      'accept-breaking': { type: 'boolean' },
      smoke: { type: 'string' },
      'ready-timeout': { type: 'string' },
      soak: { type: 'string' },
      'contract-wait': { type: 'string' },
      runtime: { type: 'string' },
      'compose-dir': { type: 'string' },
      service: { type: 'string' },
      'molt-command': { type: 'string' },
      'release-path': { type: 'string' },
    },
    0,
    FLAGS,
  );
  const modes = [values.to !== undefined, values.resume === true, values.rollback === true].filter(Boolean).length;
  if (modes !== 1) {
    throw new MoltError('USAGE', 'give exactly one of --to RELEASE, --resume, --rollback', {
      hint: 'molt upgrade --help',
    });
  }
  const duration = (flag: string): number | undefined =>
    values[flag] === undefined ? undefined : parseDuration(values[flag] as string, `--${flag}`);
  const json = values.json === true;
  const state = (values.state as string | undefined) ?? '.molt';
  const kind = (values.runtime as string | undefined) ?? 'supervisor';
  if (kind !== 'supervisor' && kind !== 'compose') {
    throw new MoltError('USAGE', `--runtime ${kind} is not a runtime`, {
      hint: 'Use supervisor (molt run) or compose',
    });
  }
  const runtime =
    kind === 'compose'
      ? composeRuntime({
          dir: (values['compose-dir'] as string | undefined) ?? '.',
          service: (values.service as string | undefined) ?? 'app',
          moltCommand: (values['molt-command'] as string | undefined)?.split(/\s+/).filter(Boolean),
          releasePath: values['release-path'] as string | undefined,
          stateDir: state,
        })
      : supervisorRuntime(state);
  const outcome = await upgrade({
    ...commonOptions(values),
    runtime,
    to: values.to as string | undefined,
    sha256: values.sha256 as string | undefined,
    resume: values.resume as boolean | undefined,
    rollback: values.rollback as boolean | undefined,
    skipBackup: values['skip-backup'] as boolean | undefined,
    acceptBreaking: values['accept-breaking'] as boolean | undefined,
    smoke: values.smoke as string | undefined,
    readyTimeoutMs: duration('ready-timeout'),
    soakMs: duration('soak'),
    contractWaitMs: duration('contract-wait'),
    onEvent: (event) => {
      const line = json ? JSON.stringify(event) : eventLine(event);
      if (line) process.stderr.write(redactUrl(`${line}\n`));
    },
  });
  return emit(json, outcome, render);
}

/** Renders the report a failed run carries. */
export const renderReport = render;
