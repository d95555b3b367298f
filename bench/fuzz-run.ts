// A fuzz run on its own: FUZZ_SEED, FUZZ_FILES, FUZZ_URLS, FUZZ_ARCHIVES; prints every finding, exits 1 on any.
import { runFuzz } from './fuzz.js';

const n = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const summary = await runFuzz({
  seed: n('FUZZ_SEED', 7),
  files: n('FUZZ_FILES', 100),
  urls: n('FUZZ_URLS', 40),
  archives: n('FUZZ_ARCHIVES', 100),
  log: (line) => process.stderr.write(`${line}\n`),
});
for (const f of summary.findings) process.stdout.write(`${f.kind} ${f.id}: ${f.detail}${f.dir ? ` (${f.dir})` : ''}\n`);
process.stdout.write(
  `${summary.cases.map((c) => `${c.count} ${c.family} on ${c.database}`).join(', ')}; ${summary.findings.length} findings in ${summary.wallMs} ms\n`,
);
process.exitCode = summary.findings.length > 0 ? 1 : 0;
