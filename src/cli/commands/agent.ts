import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MoltError } from '../../errors.js';
import { installBundle, readInstall } from '../../fleet/index.js';
import { parseFlags } from '../flags.js';
import { emit } from '../output.js';

/** Usage of `molt agent`. */
export const help = `Usage: molt agent install BUNDLE --dir DIR [--public-key FILE] [--sha256 HEX] [--json]
       molt agent status --dir DIR [--json]

For the hosts of a fleet's agents. \`install\` upgrades an agent by hand from an offline bundle (air-gapped hosts):
the bundle is checked as a download is (size, sha256, and the ed25519 signature with --public-key, which is then
required), installed beside the running version, and the running agent (its pid file in DIR) hands its sockets to
it and steps back once the fleet confirms it, or goes back by itself. A bundle that fails a check changes nothing
(exit 20). \`status\` shows the installed versions and the last upgrade.

Make a bundle with \`molt fleet bundle\`.

Examples:
  molt agent install agent-2.0.0.tar.gz --dir /var/lib/edge-agent --public-key /etc/edge-agent/fleet.pub
  molt agent status --dir /var/lib/edge-agent --json`;

/** Runs `molt agent`. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseFlags(
    rest,
    { dir: { type: 'string' }, 'public-key': { type: 'string' }, sha256: { type: 'string' } },
    1,
    ['json', 'help'],
  );
  if (!values.dir)
    throw new MoltError('USAGE', '--dir names the agent install directory', { hint: 'Run molt agent --help' });
  const dir = resolve(values.dir as string);
  if (sub === 'install') {
    const bundle = positionals[0];
    if (!bundle)
      throw new MoltError('USAGE', 'molt agent install needs the bundle file', {
        hint: 'molt agent install BUNDLE --dir DIR',
      });
    let publicKey: string | null = null;
    if (values['public-key']) {
      try {
        publicKey = readFileSync(values['public-key'] as string, 'utf8');
      } catch (error) {
        throw new MoltError('USAGE', `cannot read the public key ${values['public-key']}: ${(error as Error).message}`);
      }
    }
    const report = await installBundle(resolve(bundle), {
      dir,
      publicKey,
      sha256: values.sha256 as string | undefined,
    });
    return emit(
      values.json,
      { report },
      (r) =>
        `installed ${r.version} (sha256 ${r.sha256}) in ${dir}\n${r.signalled ? `the running agent (pid ${r.signalled}) hands over to it; it confirms on its next hello\n` : 'no agent is running: it starts on the next start\n'}`,
    );
  }
  if (sub === 'status') {
    const report = await readInstall(dir);
    return emit(
      values.json,
      { report },
      (r) =>
        `current: ${r.current ?? '-'}\nprevious: ${r.previous ?? '-'}\nlast upgrade: ${r.marker ? `${r.marker.from} -> ${r.marker.to} (${r.marker.source}): ${r.marker.state}${r.marker.reason ? `: ${r.marker.reason}` : ''}` : '-'}\n`,
    );
  }
  throw new MoltError(
    'USAGE',
    sub ? `unknown agent command "${sub}"` : 'molt agent needs a command: install or status',
    { hint: 'Run molt agent --help' },
  );
}
