import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { MoltError } from '../errors.js';
import { toLogger, type LoggerOption } from '../runtime/index.js';
import { CONTROL_SOCKET, serveControl } from './control.js';
import { readRelease } from './release.js';
import { startSupervisor, type Supervisor } from './supervisor.js';

/** The file in the state directory naming the current release's directory. */
export const CURRENT_FILE = 'current';

/** Options of `runSupervisor`. */
export interface RunOptions {
  /** The release directory to run; default the one the state directory names as current. */
  release?: string;
  /** Where the control socket and the current release are kept. */
  stateDir: string;
  port: number;
  host?: string;
  instances?: Record<string, number>;
  env?: NodeJS.ProcessEnv;
  logger?: LoggerOption;
}

/** A running `molt run`: the supervisor, its control socket, and the stop that drains it all. */
export interface RunningSupervisor {
  supervisor: Supervisor;
  controlPath: string;
  stop(): Promise<void>;
}

/**
 * Runs a release under the supervisor with its control socket in `stateDir`, and records the current release there,
 * so a restarted supervisor (systemd `Restart=`) comes back on the release the last upgrade finished with.
 * @example
 * const run = await runSupervisor({ release: './releases/1.0.0', stateDir: './state', port: 8080 });
 * process.on('SIGTERM', () => void run.stop().then(() => process.exit(0)));
 */
export async function runSupervisor(options: RunOptions): Promise<RunningSupervisor> {
  const stateDir = resolve(options.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const currentFile = join(stateDir, CURRENT_FILE);
  const dir = options.release ?? readCurrent(currentFile);
  const release = readRelease(dir);
  const controlPath = join(stateDir, CONTROL_SOCKET);
  const supervisor = await startSupervisor({
    release,
    port: options.port,
    host: options.host,
    instances: options.instances,
    env: options.env,
    logger: options.logger,
    onCurrent: (next) => writeCurrent(currentFile, next.dir),
  });
  writeCurrent(currentFile, release.dir);
  let control: Server;
  try {
    control = await serveControl(supervisor, controlPath);
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
  toLogger(options.logger).info(`run: control socket ${controlPath}`);
  let stopping: Promise<void> | undefined;
  return {
    supervisor,
    controlPath,
    stop: () =>
      (stopping ??= (async () => {
        control.close();
        await supervisor.stop();
      })()),
  };
}

/** The current release's directory recorded in a state directory. */
export function readCurrent(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new MoltError('USAGE', `no release given and ${file} names none`, {
      hint: 'Name the release directory: molt run ./releases/1.0.0',
    });
  }
}

function writeCurrent(file: string, dir: string): void {
  // Written whole and renamed into place: a crash leaves the old name or the new one, never half of one.
  writeFileSync(`${file}.tmp`, `${dir}\n`);
  renameSync(`${file}.tmp`, file);
}
