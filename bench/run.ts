/**
 * `npm run bench -- <name>` runs one benchmark (`api`, `startup`, `hazards`); without a name, all of them in turn.
 * Each writes bench/results/<name>.json (DESIGN: Testing → benchmarks).
 */
import { runApiBench } from './api.ts';
import { runHazardsBench } from './hazards.ts';
import { runIngestBench } from './ingest.ts';
import { runInspectionsBench } from './inspections.ts';
import type { BenchResult } from './lib.ts';
import { writeResult } from './lib.ts';
import { runStartupBench } from './startup.ts';

const benches: Record<string, () => Promise<BenchResult>> = {
  startup: runStartupBench,
  api: runApiBench,
  hazards: runHazardsBench,
  inspections: runInspectionsBench,
  ingest: runIngestBench,
};

async function main(): Promise<void> {
  // Flags (e.g. --quick) are read by the benchmarks themselves.
  const wanted = process.argv.slice(2).filter((a) => a !== '--' && !a.startsWith('--'));
  const names = wanted.length > 0 ? wanted : Object.keys(benches);
  const unknown = names.filter((n) => !benches[n]);
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  for (const name of names) {
    const result = await benches[name]!();
    console.log(`wrote ${writeResult(result)}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
