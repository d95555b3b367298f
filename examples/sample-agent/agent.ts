// The sample agent: it serves HTTP on AGENT_PORT (what a real agent would do for its host) and joins the sample
// service's fleet. An upgrade the fleet sends replaces this file with the new build's and re-executes it on the same
// listening socket, so its clients see no refused connection.
//
//   MOLT_FLEET_URL=http://127.0.0.1:8080/fleet MOLT_AGENT_ID=edge-1 MOLT_AGENT_DIR=./data/agent-edge-1 \
//   MOLT_FLEET_ENROL_TOKEN=… AGENT_PORT=9090 node dist/examples/sample-agent/agent.js
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { startAgent } from '../../src/fleet/index.js';

/** This build's version: a release of the agent changes this line. */
const AGENT_VERSION = '1.0.0';

const env = process.env;
const need = (name: string): string => {
  const value = env[name];
  if (!value) {
    process.stderr.write(`sample-agent: set ${name}\n`);
    process.exit(2);
  }
  return value;
};

const agent = await startAgent({
  server: need('MOLT_FLEET_URL'),
  id: need('MOLT_AGENT_ID'),
  dir: need('MOLT_AGENT_DIR'),
  version: AGENT_VERSION,
  enrolmentToken: env.MOLT_FLEET_ENROL_TOKEN,
  publicKey: env.MOLT_AGENT_PUBLIC_KEY_FILE ? readFileSync(env.MOLT_AGENT_PUBLIC_KEY_FILE, 'utf8') : null,
  updateSource: env.MOLT_AGENT_UPDATE_SOURCE === 'offline' ? 'offline' : 'online',
  protocols: env.MOLT_AGENT_PROTOCOLS
    ? { min: Number(env.MOLT_AGENT_PROTOCOLS.split('-')[0]), max: Number(env.MOLT_AGENT_PROTOCOLS.split('-').pop()) }
    : undefined,
  handoverGraceMs: env.MOLT_AGENT_HANDOVER_GRACE_MS ? Number(env.MOLT_AGENT_HANDOVER_GRACE_MS) : undefined,
  logger: (line) => process.stderr.write(`${line}\n`),
});

// A build can be told to fail at start, to watch the agent go back to the previous version.
if (env.SAMPLE_AGENT_CRASH === AGENT_VERSION) {
  process.stderr.write(`sample-agent ${AGENT_VERSION}: crashing at start, as asked\n`);
  process.exit(3);
}

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`sample-agent ${AGENT_VERSION} pid ${process.pid}\n`);
});
await agent.listen('http', server, Number(env.AGENT_PORT ?? 0), '127.0.0.1');
const address = server.address();
process.stderr.write(
  `sample-agent ${AGENT_VERSION}: pid ${process.pid} serving on ${typeof address === 'object' && address ? address.port : '?'}\n`,
);
const welcome = await agent.welcomed();
process.stderr.write(
  `sample-agent ${AGENT_VERSION}: welcomed by the fleet (server ${welcome.serverVersion}, protocol ${welcome.protocol})\n`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    void agent.close().then(() => server.close(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5_000).unref();
  });
