// Local images for the Compose tests, without a registry (none is reachable here): this host's node with the
// libraries it links, molt's build and its runtime dependencies, and a release folder; HAProxy the same way, from
// Debian's package. Each is a folder streamed into `docker import` (runtimes.md: about 2 s).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ROOT } from './cli.js';

/** The images the Compose tests use. */
export const IMAGES = { v1: 'molt-sample:1.1.0', v2: 'molt-sample:2.0.0', proxy: 'molt-haproxy:local' } as const;

/** True when a Docker daemon answers and the Compose v2 plugin is there; else why not. */
export function dockerMissing(): string | null {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    return 'no Docker daemon answers here: .ci/run installs docker.io and starts dockerd';
  }
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
  } catch {
    return 'the Docker Compose v2 plugin is missing: .ci/run installs it from Debian 13';
  }
  if (!existsSync('/usr/sbin/haproxy')) return 'HAProxy is not installed: .ci/run installs it';
  return null;
}

/** Copies a binary and every library `ldd` lists for it into `root`, at the same paths. */
function copyBinary(root: string, binary: string): void {
  const copy = (path: string): void => {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    cpSync(path, join(root, path), { dereference: true });
  };
  copy(binary);
  for (const line of execFileSync('ldd', [binary], { encoding: 'utf8' }).split('\n')) {
    const path = /(\/\S+) \(0x/.exec(line)?.[1];
    if (path) copy(path);
  }
}

function importImage(root: string, tag: string, changes: string[]): void {
  const args = changes.flatMap((c) => ['-c', c]);
  execFileSync(
    'sh',
    ['-c', `tar -C "$0" -c . | docker import ${args.map((a) => `'${a}'`).join(' ')} - "$1" >/dev/null`, root, tag],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}

let built = false;

/** Builds the sample's two release images and the proxy image (once per test process); returns their tags. */
export function buildImages(): typeof IMAGES {
  if (built) return IMAGES;
  const work = mkdtempSync(join(tmpdir(), 'molt-images-'));
  try {
    const base = join(work, 'base');
    copyBinary(base, '/usr/bin/node');
    mkdirSync(join(base, 'tmp'), { recursive: true });
    mkdirSync(join(base, 'data'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(base, 'app', 'package.json'));
    cpSync(join(ROOT, 'dist', 'src'), join(base, 'app', 'dist', 'src'), { recursive: true });
    cpSync(join(ROOT, 'dist', 'examples'), join(base, 'app', 'dist', 'examples'), { recursive: true });
    // The runtime dependencies, without the two SQL parsers only `molt lint` loads.
    const packages = execFileSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .map((p) => relative(ROOT, p))
      .filter((p) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(p))
      .filter((p) => !/node-sql-parser|libpg-query/.test(p));
    for (const p of packages) cpSync(join(ROOT, p), join(base, 'app', p), { recursive: true, dereference: true });
    const changes = [
      'ENV PATH=/usr/local/bin:/usr/bin:/bin',
      'ENV MOLT_RELEASE_DIR=/app/release',
      'WORKDIR /app',
      'CMD ["/usr/bin/node", "/app/dist/examples/sample-service/server.js"]',
    ];
    for (const [tag, folder] of [
      [IMAGES.v1, 'sample-service'],
      [IMAGES.v2, 'sample-service-2'],
    ] as const) {
      const release = join(base, 'app', 'release');
      rmSync(release, { recursive: true, force: true });
      mkdirSync(release, { recursive: true });
      for (const entry of ['package.json', 'molt.release.json', 'migrations']) {
        cpSync(join(ROOT, 'examples', folder, entry), join(release, entry), { recursive: true });
      }
      importImage(base, tag, changes);
    }
    const proxy = join(work, 'proxy');
    copyBinary(proxy, '/usr/sbin/haproxy');
    mkdirSync(join(proxy, 'usr', 'local', 'etc', 'haproxy'), { recursive: true });
    mkdirSync(join(proxy, 'tmp'), { recursive: true });
    importImage(proxy, IMAGES.proxy, [
      'CMD ["/usr/sbin/haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]',
    ]);
    built = true;
    return IMAGES;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A poisoned build of `from`: the same release inside (its migrations pass), but a process that never listens.
 * Made with `docker commit` from a stopped container of `from`; returns its tag.
 */
export function poisonedImage(from: string, tag: string): string {
  const id = execFileSync('docker', ['create', from], { encoding: 'utf8' }).trim();
  try {
    execFileSync('docker', ['commit', '-c', 'CMD ["/usr/bin/node", "-e", "setInterval(() => {}, 1000)"]', id, tag], {
      stdio: 'ignore',
    });
  } finally {
    execFileSync('docker', ['rm', id], { stdio: 'ignore' });
  }
  return tag;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Compose project of the sample from examples/compose (three replicas of 1.1.0 behind HAProxy, SQLite in
 * `data/`) in a fresh directory, and resolves once every container is healthy; `port` is the proxy's.
 */
export async function startComposeProject(images: typeof IMAGES, name: string): Promise<{ dir: string; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'molt-compose-'));
  cpSync(join(ROOT, 'examples', 'compose', 'compose.yaml'), join(dir, 'compose.yaml'));
  cpSync(join(ROOT, 'examples', 'compose', 'haproxy.cfg'), join(dir, 'haproxy.cfg'));
  mkdirSync(join(dir, 'data'));
  const port = await freePort();
  writeFileSync(
    join(dir, '.env'),
    [
      `APP_IMAGE=${images.v1}`,
      `PROXY_IMAGE=${images.proxy}`,
      `PROXY_BIND=127.0.0.1:${port}`,
      'APP_HEALTH_INTERVAL=1s',
      `COMPOSE_PROJECT_NAME=${name}-${port}`,
      '',
    ].join('\n'),
  );
  try {
    execFileSync('docker', ['compose', 'up', '-d', '--wait'], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    // A project that did not come up is taken down here: its caller never gets the directory to do it.
    stopComposeProject(dir);
    throw error;
  }
  return { dir, port };
}

/** Stops and removes a project's containers, network and volumes. */
export function stopComposeProject(dir: string): void {
  try {
    execFileSync('docker', ['compose', 'down', '--volumes', '--timeout', '2'], { cwd: dir, stdio: 'ignore' });
  } catch {
    // already gone
  }
}
