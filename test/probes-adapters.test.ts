import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { createProbes, expressProbes, fastifyProbes, honoProbes, type Probes } from '../src/probes/index.js';
import { MoltError } from '../src/errors.js';
import { request } from './helpers/probe-client.js';

const listening = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listening
      ? resolve((server.address() as AddressInfo).port)
      : server.once('listening', () => resolve((server.address() as AddressInfo).port)),
  );

describe('probe adapters: node:http, Express, Fastify and Hono answer alike', () => {
  let probes: Probes;
  const ports: Record<string, number> = {};
  const closers: (() => Promise<unknown> | void)[] = [];

  before(async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'molt-probe-adapters-'));
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ version: '1.4.2' }));
    probes = createProbes({
      cwd,
      logger: false,
      // One check at start and none after, so every server answers from the same reading.
      database: { check: async () => undefined },
      timings: { checkInterval: '1h' },
      version: { env: { COMMIT_SHA: 'c0ffee' } },
      instanceId: 'adapter-test',
    });

    const plain = createServer((req, res) => {
      if (!probes.handle(req, res)) res.writeHead(200).end('app');
    }).listen(0, '127.0.0.1');
    ports.node = await listening(plain);
    closers.push(() => new Promise((r) => plain.close(r)));

    const ex = express();
    ex.use(expressProbes(probes));
    ex.get('/hello', (_req, res) => void res.send('app'));
    const exServer = ex.listen(0, '127.0.0.1');
    ports.express = await listening(exServer);
    closers.push(() => new Promise((r) => exServer.close(r)));

    const fa = Fastify();
    await fa.register(fastifyProbes(probes));
    fa.get('/hello', async () => 'app');
    await fa.listen({ port: 0, host: '127.0.0.1' });
    ports.fastify = (fa.server.address() as AddressInfo).port;
    closers.push(() => fa.close());

    const ho = new Hono();
    ho.use(honoProbes(probes));
    ho.get('/hello', (c) => c.text('app'));
    const hoServer = serve({ fetch: ho.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    ports.hono = await listening(hoServer);
    closers.push(() => new Promise((r) => hoServer.close(r)));

    while (probes.readiness().checks?.['database:connection'][0].time === undefined)
      await new Promise((r) => setTimeout(r, 10));
  });

  after(async () => {
    for (const close of closers) await close();
    await probes.close();
  });

  /** Asks every server the same thing and checks that each answers exactly as node:http does. */
  async function same(path: string, method: string): Promise<{ status: number; text: string; headers: Headers }> {
    const answers = Object.fromEntries(
      await Promise.all(
        Object.entries(ports).map(async ([name, port]) => [name, await request(port, path, method)] as const),
      ),
    );
    const reference = answers.node;
    for (const [name, a] of Object.entries(answers)) {
      const where = `${name} ${method} ${path}`;
      assert.equal(a.status, reference.status, where);
      assert.equal(a.text, reference.text, where);
      for (const header of ['content-type', 'cache-control', 'content-length', 'allow']) {
        assert.equal(a.headers.get(header), reference.headers.get(header), `${where}: ${header}`);
      }
    }
    return reference;
  }

  it('answers the three endpoints with the same status, body and headers in each state', async () => {
    const starting = await same('/readyz', 'GET');
    assert.equal(starting.status, 503);
    assert.equal(JSON.parse(starting.text).checks['lifecycle:phase'][0].observedValue, 'starting');

    probes.markReady();
    const ready = await same('/readyz', 'GET');
    assert.equal(ready.status, 200);
    assert.equal(ready.headers.get('content-type'), 'application/health+json');
    assert.deepEqual(Object.keys(JSON.parse(ready.text).checks), ['database:connection', 'lifecycle:phase']);
    const head = await same('/readyz', 'HEAD');
    assert.equal(head.text, '');
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(ready.text)));

    const health = await same('/healthz', 'GET');
    assert.equal(health.text, '{"status":"pass"}');
    await same('/healthz', 'HEAD');

    const version = await same('/api/version', 'GET');
    assert.equal(version.headers.get('content-type'), 'application/json');
    const v = JSON.parse(version.text);
    assert.deepEqual(
      [v.version, v.commit, v.major, v.minor, v.patch, v.instanceId],
      ['1.4.2', 'c0ffee', 1, 4, 2, 'adapter-test'],
    );
    await same('/api/version', 'HEAD');

    for (const path of ['/healthz', '/readyz', '/api/version']) {
      for (const method of ['POST', 'DELETE']) {
        const refused = await same(path, method);
        assert.equal(refused.status, 405);
        assert.equal(refused.headers.get('allow'), 'GET, HEAD');
      }
    }

    probes.markDraining();
    const draining = await same('/readyz', 'GET');
    assert.equal(draining.status, 503);
    assert.equal((await same('/healthz', 'GET')).status, 200);
  });

  it('passes every other path on to the framework', async () => {
    for (const port of Object.values(ports)) {
      const a = await request(port, '/hello');
      assert.equal(a.status, 200);
      assert.equal(a.text, 'app');
    }
  });

  it('follows a database check function with the same hysteresis, without judging the schema', async () => {
    let down = false;
    const own = createProbes({
      logger: false,
      database: {
        check: async () => {
          if (down) throw new Error('connection refused');
        },
      },
      timings: { checkInterval: '40ms' },
    });
    try {
      own.markReady();
      const states: string[] = [];
      const observe = async (until: (s: string) => boolean): Promise<void> => {
        const deadline = Date.now() + 3_000;
        for (;;) {
          const r = own.readiness();
          const db = r.checks!['database:connection'][0];
          const state = `${r.status}/${db.status}/${db.output ?? ''}`;
          if (states.at(-1) !== state) states.push(state);
          if (until(state) || Date.now() > deadline) return;
          await new Promise((r) => setTimeout(r, 3));
        }
      };
      await observe((s) => s.startsWith('pass/pass'));
      down = true;
      await observe((s) => s.startsWith('fail/fail'));
      down = false;
      await observe((s) => s.startsWith('pass/pass'));
      // Observed every few ms against a 40 ms interval: each state of the sequence shows.
      assert.deepEqual(states.slice(states.indexOf('pass/pass/') + 1), [
        'warn/warn/The database check failed 1 time(s) in a row (unready after 2): connection refused',
        'fail/fail/The database check failed 2 time(s) in a row: connection refused',
        'pass/pass/',
      ]);
      assert.deepEqual(Object.keys(own.readiness().checks!), ['database:connection', 'lifecycle:phase']);
    } finally {
      await own.close();
    }
  });

  it('refuses its own phase methods when a lifecycle owns the phase, and a schema check without a database target', () => {
    const lifecycle = { phase: 'ready' as const };
    const withLifecycle = createProbes({ lifecycle, logger: false });
    try {
      assert.equal(withLifecycle.phase, 'ready');
      assert.throws(
        () => withLifecycle.markReady(),
        (e: unknown) => e instanceof MoltError && e.code === 'USAGE',
      );
    } finally {
      void withLifecycle.close();
    }
    assert.throws(
      () => createProbes({ database: { check: async () => undefined }, schema: true }),
      (e: unknown) => e instanceof MoltError && e.code === 'CONFIG_INVALID',
    );
    assert.throws(
      () => createProbes({ timings: { failuresToUnready: 0 } }),
      /failuresToUnready must be a whole number of at least 1/,
    );
    assert.throws(
      () => createProbes({ database: { url: 'nosuch://x' } }),
      (e: unknown) => e instanceof MoltError && e.code === 'URL_INVALID',
    );
  });
});
