import { MoltError } from '../../errors.js';
import { lint, ruleFor, RULES, type LintOptions } from '../../lint/index.js';
import { EXIT } from '../exit-codes.js';
import { parseFlags } from '../flags.js';
import { emit } from '../output.js';
import { renderGithub, renderLint, renderRule, renderRuleList } from '../render-lint.js';

/** Usage of `molt lint`. */
export const help = `Usage: molt lint [--dir DIR] [--dialect postgres|mysql|mariadb|sqlite] [--released VERSION]
                 [--format text|github] [--json] [--verbose]
       molt lint --explain CODE
       molt lint --rules

Checks every migration: each statement gets a class (E expand, C contract, U blocking, N neutral,
A ambiguous; +D when it may fail on existing rows). An untagged file with a C or A statement fails;
a U statement fails unless the file uses the safe recipe or says \`-- molt:allow CODE\`. molt.sum,
when present, must match the files. The dialect comes from --db / MOLT_DATABASE_URL when not given.

Options:
  --dir DIR            migrations directory (env MOLT_MIGRATIONS_DIR; default ./migrations)
  --db URL             database URL, only to pick the dialect; lint never connects
  --dialect NAME       postgres, mysql, mariadb or sqlite
  --released VERSION   the last migration the previous release shipped; objects created after it are new
                       (default: every file counts as released)
  --format FORMAT      text (default) or github (GitHub Actions annotations)
  --json               print the report as JSON (one object per finding under "findings")
  --verbose            also show notes (acknowledged findings, contract changes in contract files)
  --explain CODE       explain a rule: why it matters and the safe alternative
  --rules              list every rule

Exit codes: 0 no error (warnings allowed), 10 lint errors, 8 unreadable migration files, 2 usage.

Examples:
  molt lint --dialect postgres
  molt lint --released 0042 --format github
  molt lint --explain index-not-concurrent`;

const DIALECTS = ['postgres', 'mysql', 'mariadb', 'sqlite'];

/** Runs `molt lint`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      dialect: { type: 'string' },
      released: { type: 'string' },
      format: { type: 'string' },
      verbose: { type: 'boolean' },
      explain: { type: 'string' },
      rules: { type: 'boolean' },
    },
    0,
    ['db', 'dir', 'json', 'help'],
  );
  if (values.explain) {
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ report: ruleFor(values.explain) }, null, 2)}\n`
        : renderRule(ruleFor(values.explain)),
    );
    return EXIT.ok;
  }
  if (values.rules) {
    process.stdout.write(
      values.json ? `${JSON.stringify({ report: [...RULES.values()] }, null, 2)}\n` : renderRuleList(RULES.values()),
    );
    return EXIT.ok;
  }
  if (values.dialect && !DIALECTS.includes(values.dialect)) {
    throw new MoltError('USAGE', `--dialect takes ${DIALECTS.join(', ')}, not "${values.dialect}"`);
  }
  const format = values.format ?? 'text';
  if (!['text', 'github'].includes(format))
    throw new MoltError('USAGE', `--format takes text or github, not "${format}"`);
  const report = await lint({
    dir: values.dir,
    db: values.db,
    dialect: values.dialect as LintOptions['dialect'],
    released: values.released,
  });
  return emit(values.json, { report }, (r) => (format === 'github' ? renderGithub(r) : renderLint(r, values.verbose)));
}
