import { readFileSync } from 'node:fs';
import { layout } from './layout.js';
import { Supervisor } from './supervisor.js';
import type { Tools } from './tools.js';

/** What `sandbox up` hands the detached supervisor (the layout comes from the same env). */
export interface SupervisorSpec {
  readonly tools: { moto: string; minio: string; vault: [string, string][] };
  readonly defaultVersion: string;
}

const specFile = process.argv[2];
if (!specFile) {
  process.stderr.write('usage: supervisor-main.js <spec.json>\n');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as SupervisorSpec;
const tools: Tools = {
  moto: spec.tools.moto,
  minio: spec.tools.minio,
  vault: new Map(spec.tools.vault),
};
const sup = new Supervisor(layout(process.env), tools, spec.defaultVersion);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => sup.stop());
await sup.run();
process.exit(0);
