import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MoltError } from '../../errors.js';
import { createBundle, generateSigningKeys, hashFile, signArtifact } from '../../fleet/index.js';
import { parseFlags } from '../flags.js';
import { emit } from '../output.js';

/** Usage of `molt fleet`. */
export const help = `Usage: molt fleet keygen --out PREFIX [--json]
       molt fleet sign ARTIFACT --version V --key PRIVATE.pem [--json]
       molt fleet bundle ARTIFACT --version V --out FILE.tar.gz [--key PRIVATE.pem] [--json]

For the people who release a fleet's agent. \`keygen\` writes an ed25519 key pair (PREFIX.key, mode 0600, and
PREFIX.pub); agents hold the public key and then refuse unsigned or wrongly signed builds. \`sign\` prints an
artifact's sha256, size and signature: the body of PUT /fleet/api/artifact (add the url). \`bundle\` writes an
offline bundle for air-gapped hosts (\`molt agent install\`).

Examples:
  molt fleet keygen --out ./fleet-signing
  molt fleet sign dist/agent.mjs --version 2.0.0 --key ./fleet-signing.key --json
  molt fleet bundle dist/agent.mjs --version 2.0.0 --key ./fleet-signing.key --out agent-2.0.0.tar.gz`;

const readKey = (path: unknown): string => {
  try {
    return readFileSync(String(path), 'utf8');
  } catch (error) {
    throw new MoltError('USAGE', `cannot read the key ${String(path)}: ${(error as Error).message}`);
  }
};

/** Runs `molt fleet`. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseFlags(
    rest,
    { out: { type: 'string' }, version: { type: 'string' }, key: { type: 'string' } },
    1,
    ['json', 'help'],
  );
  if (sub === 'keygen') {
    if (!values.out) throw new MoltError('USAGE', 'molt fleet keygen needs --out PREFIX');
    const prefix = resolve(values.out as string);
    if (existsSync(`${prefix}.key`)) throw new MoltError('USAGE', `${prefix}.key exists; molt never overwrites a key`);
    const keys = generateSigningKeys();
    writeFileSync(`${prefix}.key`, keys.privateKey, { mode: 0o600, flag: 'wx' });
    writeFileSync(`${prefix}.pub`, keys.publicKey, { flag: 'wx' });
    return emit(
      values.json,
      { report: { privateKey: `${prefix}.key`, publicKey: `${prefix}.pub` } },
      (r) => `wrote ${r.privateKey} (keep it secret) and ${r.publicKey} (give it to the agents)\n`,
    );
  }
  const artifact = positionals[0];
  if (!artifact || !values.version)
    throw new MoltError('USAGE', `molt fleet ${sub ?? ''} needs ARTIFACT and --version`, {
      hint: 'Run molt fleet --help',
    });
  if (sub === 'sign') {
    if (!values.key) throw new MoltError('USAGE', 'molt fleet sign needs --key PRIVATE.pem');
    const { sha256, size } = await hashFile(resolve(artifact));
    const version = values.version as string;
    const report = { version, sha256, size, signature: signArtifact({ version, sha256, size }, readKey(values.key)) };
    return emit(
      values.json,
      { report },
      (r) => `version ${r.version}\nsha256 ${r.sha256}\nsize ${r.size}\nsignature ${r.signature}\n`,
    );
  }
  if (sub === 'bundle') {
    if (!values.out) throw new MoltError('USAGE', 'molt fleet bundle needs --out FILE.tar.gz');
    const report = await createBundle({
      artifact: resolve(artifact),
      version: values.version as string,
      out: resolve(values.out as string),
      privateKey: values.key ? readKey(values.key) : undefined,
    });
    return emit(
      values.json,
      { report },
      (r) => `wrote ${values.out}: ${r.version}, sha256 ${r.sha256}, ${r.size} bytes${r.signature ? ', signed' : ''}\n`,
    );
  }
  throw new MoltError(
    'USAGE',
    sub ? `unknown fleet command "${sub}"` : 'molt fleet needs a command: keygen, sign or bundle',
    { hint: 'Run molt fleet --help' },
  );
}
