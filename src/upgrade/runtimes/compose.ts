import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MoltError } from '../../errors.js';
import { readRelease, soak, waitReady, type ProbeTarget, type ReplaceReport } from '../../supervisor/index.js';
import type { RuntimeInstance, StagedRelease, UpgradeRuntime } from '../runtime.js';
import { docker } from './docker.js';

/** Options of the Docker Compose runtime. */
export interface ComposeRuntimeOptions {
  /** The Compose project directory: its compose file, and the `.env` that names the current image. */
  dir: string;
  /** The service to upgrade. */
  service: string;
  /** The variable the service's `image:` is read from; default `APP_IMAGE`. */
  imageVariable?: string;
  /** Where the image holds its release (package.json, molt.release.json, migrations/); default `/app/release`. */
  releasePath?: string;
  /** The port the service listens on inside its container; default 8080. */
  port?: number;
  /** How molt runs inside the image, for the expand step; default `node /app/node_modules/moltkit/dist/src/cli/main.js`. */
  moltCommand?: string[];
  /** Where staged releases are copied out of their images. */
  stateDir: string;
}

interface Container {
  id: string;
  name: string;
  image: string;
  created: string;
  status: string;
  pid: number;
  ip: string | null;
}

/**
 * The upgrade runtime for a Docker Compose service: the expand step through `docker compose run --rm` with the new
 * image, then a rolling replace behind the project's reverse proxy: scale up by one with the new image (no
 * recreate), wait until it is ready and reports the release, soak, then stop (SIGTERM: it drains) and remove the
 * oldest old container, and again. The release is read from the image itself.
 */
export function composeRuntime(options: ComposeRuntimeOptions): UpgradeRuntime {
  const dir = resolve(options.dir);
  const variable = options.imageVariable ?? 'APP_IMAGE';
  const releasePath = options.releasePath ?? '/app/release';
  const port = options.port ?? 8080;
  const molt = options.moltCommand ?? ['node', '/app/node_modules/moltkit/dist/src/cli/main.js'];
  const envFile = join(dir, '.env');
  const staged = new Map<string, StagedRelease>();
  // The service's scale while a replace has one container too many; left behind only by a replace that was killed.
  const scaleMarker = join(resolve(options.stateDir), `compose-${options.service}.scale`);

  const compose = (args: string[], image?: string, allowFailure = false) =>
    docker(['compose', ...args], {
      cwd: dir,
      env: image ? { ...process.env, [variable]: image } : process.env,
      allowFailure,
    });

  const currentImage = (): string | null => {
    const line = existsSync(envFile)
      ? readFileSync(envFile, 'utf8')
          .split('\n')
          .find((l) => l.startsWith(`${variable}=`))
      : undefined;
    return line ? line.slice(variable.length + 1).trim() : (process.env[variable] ?? null);
  };

  async function containers(): Promise<Container[]> {
    // `compose ps` lists, then inspects each container: one removed in between (a `run --rm` ending) fails it; again.
    let listed = await compose(['ps', '--all', '--quiet', options.service], undefined, true);
    for (let i = 0; listed.code !== 0 && /no such container/i.test(listed.stderr) && i < 5; i++) {
      await new Promise((r) => setTimeout(r, 200));
      listed = await compose(['ps', '--all', '--quiet', options.service], undefined, true);
    }
    if (listed.code !== 0)
      throw new MoltError('RUNTIME_UNAVAILABLE', `docker compose ps failed: ${listed.stderr.trim()}`, {
        hint: 'Check that the Docker daemon runs and --compose-dir names the project',
      });
    const stdout = listed.stdout;
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    // A container may go between the two commands (a `docker compose run --rm` ending): inspect prints the others.
    const { stdout: json, stderr, code } = await docker(['inspect', ...ids], { allowFailure: true });
    if (code !== 0 && !/no such object/i.test(stderr))
      throw new MoltError('RUNTIME_UNAVAILABLE', `docker inspect failed: ${stderr.trim()}`, {
        hint: 'Check that the Docker daemon runs',
      });
    const all = JSON.parse(json || '[]') as {
      Id: string;
      Name: string;
      Created: string;
      Config: { Image: string; Labels: Record<string, string> | null };
      State: { Status: string; Pid: number };
      NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
    }[];
    return all
      .filter((c) => c.Config.Labels?.['com.docker.compose.oneoff'] !== 'True') // `run` containers are no replicas
      .map((c) => ({
        id: c.Id,
        name: c.Name.replace(/^\//, ''),
        image: c.Config.Image,
        created: c.Created,
        status: c.State.Status,
        pid: c.State.Pid,
        ip: Object.values(c.NetworkSettings.Networks)[0]?.IPAddress || null,
      }))
      .sort((a, b) => a.created.localeCompare(b.created));
  }

  async function stage(image: string): Promise<StagedRelease> {
    const known = staged.get(image);
    if (known) return known;
    const { stdout } = await docker(['image', 'inspect', '--format', '{{.Id}}', image]).catch(() => {
      throw new MoltError('USAGE', `the image ${image} is not on this host`, {
        hint: `Build or pull it first (docker pull ${image})`,
      });
    });
    const digest = stdout
      .trim()
      .replace(/^sha256:/, '')
      .slice(0, 12);
    const home = join(resolve(options.stateDir), 'releases', `${image.replace(/[^A-Za-z0-9_.-]+/g, '_')}-${digest}`);
    if (!existsSync(join(home, 'molt.release.json'))) {
      const partial = `${home}.partial`;
      rmSync(partial, { recursive: true, force: true });
      mkdirSync(partial, { recursive: true });
      const { stdout: id } = await docker(['create', image]);
      try {
        for (const entry of ['package.json', 'molt.release.json', 'migrations', 'COMMIT_SHA']) {
          const copied = await docker(['cp', `${id.trim()}:${releasePath}/${entry}`, join(partial, entry)], {
            allowFailure: true,
          });
          if (copied.code !== 0 && entry !== 'COMMIT_SHA') {
            throw new MoltError('CONFIG_INVALID', `the image ${image} has no ${releasePath}/${entry}`, {
              hint: 'Copy the release (package.json, molt.release.json, migrations/) into the image, or pass --release-path',
            });
          }
        }
      } finally {
        await docker(['rm', id.trim()], { allowFailure: true });
      }
      renameSync(partial, home);
    }
    const release = readRelease(home);
    const result: StagedRelease = {
      ref: image,
      version: release.version,
      commit: release.commit,
      migrations: release.migrations,
      processes: [{ name: options.service, instances: 0 }],
      breaking: release.breaking,
      readyTimeoutMs: release.readyTimeoutMs,
      soakMs: release.soakMs,
    };
    staged.set(image, result);
    return result;
  }

  /** A container as the readiness wait sees it: its address on the project network, and whether it still runs. */
  function targetOf(container: Container, release: StagedRelease): ProbeTarget & { stop(): void } {
    let gone: string | null = null;
    const timer = setInterval(() => {
      void docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container.id], {
        allowFailure: true,
      }).then(({ stdout }) => {
        const [status, code] = stdout.trim().split(' ');
        if (status && status !== 'running' && status !== 'created') gone = `${status}, code ${code}`;
      });
    }, 1_000);
    return {
      host: container.ip ?? '127.0.0.1',
      port,
      version: release.version,
      commit: release.commit,
      readiness: 'probes',
      soakMs: release.soakMs,
      gone: () => gone,
      stop: () => clearInterval(timer),
    };
  }

  async function remove(container: Container, graceSeconds: number): Promise<void> {
    await docker(['stop', '-t', String(graceSeconds), container.id], { allowFailure: true });
    await docker(['rm', '-f', container.id], { allowFailure: true });
  }

  /**
   * Undoes what a killed replace left: the containers it started beyond the service's scale go, newest first (a new
   * container still on trial is cheaper to start again than an old one that serves), and so do exited ones.
   */
  async function settle(): Promise<void> {
    if (!existsSync(scaleMarker)) return;
    const scale = Number(readFileSync(scaleMarker, 'utf8'));
    const all = await containers();
    const running = all.filter((c) => c.status === 'running');
    for (const extra of running.slice(scale).reverse()) await remove(extra, 30);
    for (const dead of all.filter((c) => c.status !== 'running')) await remove(dead, 0);
    rmSync(scaleMarker, { force: true });
  }

  return {
    name: 'compose',
    async current() {
      await settle();
      const ref = currentImage();
      const list = (await containers()).filter((c) => c.status === 'running');
      const instances: RuntimeInstance[] = [];
      for (const [i, c] of list.entries()) {
        instances.push({
          name: c.name,
          type: options.service,
          slot: i + 1,
          version: (await stage(c.image)).version,
          state: 'ready',
          pid: c.pid,
        });
      }
      const image = ref ?? list[0]?.image;
      if (!image)
        throw new MoltError('RUNTIME_UNAVAILABLE', `no container of ${options.service} runs in ${dir}`, {
          hint: 'docker compose up -d first',
        });
      return { ref: image, version: (await stage(image)).version, instances };
    },
    stage: (target) => stage(target),
    load: (ref) => stage(ref),
    async expand(release) {
      const { stdout, stderr, code } = await compose(
        [
          'run',
          '--rm',
          '--no-deps',
          '-T',
          options.service,
          ...molt,
          'migrate',
          '--dir',
          `${releasePath}/migrations`,
          '--phase',
          'expand',
          '--app-version',
          release.version,
          '--json',
        ],
        release.ref,
        true,
      );
      let parsed: {
        report?: { migrations?: { version: string; name: string; status: string }[] };
        error?: { message?: string; hint?: string };
      };
      try {
        parsed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as typeof parsed;
      } catch {
        throw new MoltError(
          'MIGRATION_FAILED',
          `docker compose run ${options.service} molt migrate exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
        );
      }
      if (code !== 0 || parsed.error) {
        throw new MoltError(
          'MIGRATION_FAILED',
          parsed.error?.message ?? `molt migrate in ${release.ref} exited ${code}`,
          { hint: parsed.error?.hint },
        );
      }
      return (parsed.report?.migrations ?? [])
        .filter((m) => m.status === 'applied')
        .map((m) => `${m.version}_${m.name}`);
    },
    async replace(_type, slot, release, waits): Promise<ReplaceReport> {
      const started = Date.now();
      const before = (await containers()).filter((c) => c.status === 'running');
      const olds = before.filter((c) => c.image !== release.ref);
      const report = (status: ReplaceReport['status'], extra: Partial<ReplaceReport> = {}): ReplaceReport => ({
        instance: `${options.service}.${slot}`,
        status,
        from: olds[0] ? (staged.get(olds[0].image)?.version ?? null) : null,
        to: release.version,
        failedAt: null,
        reason: null,
        pid: null,
        startedAt: new Date(started).toISOString(),
        oldExitedAt: null,
        ms: Date.now() - started,
        ...extra,
      });
      if (olds.length === 0) return report('unchanged');
      mkdirSync(dirname(scaleMarker), { recursive: true });
      writeFileSync(scaleMarker, String(before.length));
      await compose(
        [
          'up',
          '-d',
          '--no-deps',
          '--no-recreate',
          '--scale',
          `${options.service}=${before.length + 1}`,
          options.service,
        ],
        release.ref,
      );
      const fresh = (await containers()).find((c) => !before.some((b) => b.id === c.id) && c.image === release.ref);
      if (!fresh) {
        rmSync(scaleMarker, { force: true });
        return report('failed', { failedAt: 'ready', reason: 'docker compose up did not start a new container' });
      }
      const target = targetOf(fresh, release);
      try {
        const ready = await waitReady(target, waits.readyTimeoutMs);
        const failure = ready.ok ? await soak(target, waits.soakMs) : ready.reason;
        if (failure) {
          await remove(fresh, 5);
          rmSync(scaleMarker, { force: true });
          return report('failed', {
            instance: fresh.name,
            failedAt: ready.ok ? 'soak' : 'ready',
            reason: failure,
            pid: fresh.pid,
          });
        }
      } finally {
        target.stop();
      }
      // The oldest goes: SIGTERM, so it drains behind the proxy (its /readyz turns 503 and the proxy stops routing).
      const old = olds[0]!;
      await remove(old, 30);
      rmSync(scaleMarker, { force: true });
      return report('replaced', { instance: fresh.name, pid: fresh.pid, oldExitedAt: new Date().toISOString() });
    },
    async retire() {
      // Compose keeps one service; nothing to retire.
    },
    async setCurrent(release) {
      const lines = existsSync(envFile)
        ? readFileSync(envFile, 'utf8')
            .split('\n')
            .filter((l) => l && !l.startsWith(`${variable}=`))
        : [];
      writeFileSync(`${envFile}.tmp`, `${[...lines, `${variable}=${release.ref}`].join('\n')}\n`);
      renameSync(`${envFile}.tmp`, envFile);
    },
  };
}
