// `node dist/bench/fleet-only.js [AGENTS]`: the fleet section alone, printed as BENCHMARKS.md shows it.
import { fleetSection, measureFleet } from './fleet.js';

const count = Number(process.argv[2] ?? 10_000);
const rows = await measureFleet(count, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(fleetSection(rows));
