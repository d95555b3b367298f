// One outcome contract: {report, error?}; one table from an outcome to the exit code; orThrow for callers that throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT, exitCodeOf } from '../src/cli/exit-codes.js';
import { MoltError } from '../src/errors.js';
import { orThrow } from '../src/outcome.js';

describe('the outcome contract', () => {
  it("an error's code decides the exit code, whatever the report's status", () => {
    const report = { status: 'failed' };
    assert.equal(exitCodeOf({ report, error: new MoltError('MIGRATION_FAILED', 'x') }), EXIT.migrationFailed);
    assert.equal(exitCodeOf({ report, error: new MoltError('DRIFT', 'x') }), EXIT.drift);
    assert.equal(exitCodeOf({ report: null, error: new MoltError('CONNECT_FAILED', 'x') }), EXIT.connect);
    assert.equal(exitCodeOf({ report, error: new MoltError('INTERRUPTED', 'x') }), 130);
  });

  it('without an error, the report status decides: lint errors exit 10, an unconfirmed repair 9, the rest 0', () => {
    assert.equal(exitCodeOf({ report: { status: 'errors' } }), EXIT.lintFailed);
    assert.equal(exitCodeOf({ report: { status: 'unconfirmed' } }), EXIT.needsDecision);
    for (const status of ['migrated', 'up_to_date', 'dry_run', 'clean', 'pending', 'drift', 'warnings', 'toString'])
      assert.equal(exitCodeOf({ report: { status } }), EXIT.ok, status);
    assert.equal(exitCodeOf({ report: { file: 'x' } }), EXIT.ok);
  });

  it('orThrow returns the report, or throws the error that carries it', () => {
    assert.deepEqual(orThrow({ report: { status: 'migrated' } }), { status: 'migrated' });
    const error = new MoltError('DRIFT', 'refused', { details: { report: { status: 'refused' } } });
    assert.throws(
      () => orThrow({ report: { status: 'refused' }, error }),
      (e: unknown) => e === error,
    );
  });
});
