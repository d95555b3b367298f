import { execFile } from 'node:child_process';
import { MoltError } from '../../errors.js';

/** What one docker command printed. */
export interface DockerResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs the docker CLI and resolves what it printed; a failure is RUNTIME_UNAVAILABLE naming the command and docker's
 * own message (no daemon, no Compose plugin, an unknown image).
 */
export function docker(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; allowFailure?: boolean } = {},
): Promise<DockerResult & { code: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr, code: 0 });
        const code = (error as { code?: unknown }).code;
        if (options.allowFailure && typeof code === 'number') return resolve({ stdout, stderr, code });
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new MoltError(
            'RUNTIME_UNAVAILABLE',
            missing
              ? 'the docker command is not installed'
              : `docker ${args.slice(0, 4).join(' ')} failed: ${(stderr || error.message).trim().split('\n').slice(-3).join(' ')}`,
            {
              cause: error,
              hint: missing
                ? 'Install Docker and the Compose v2 plugin'
                : 'Check that the Docker daemon runs and the image exists',
              details: { args },
            },
          ),
        );
      },
    );
  });
}
