// kwok finishes every running pod owned by a Job at once (its `pod-complete` Stage). The demo's Job
// must keep running until the panic, so pods annotated KEEP_RUNNING are exempt: the upstream Stage,
// read from the kwok build, with one more selector term. Passed as ClusterOptions.kwokStages.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments, stringify } from 'yaml';
import { ensureBinaries } from '@lastgasp/testbed/cluster';
import { kwokStagesPath } from '../cluster/binaries.js';

/** Not under the product's `lastgasp.dev/` prefix: the demo shows those as the collector's explanation. */
export const KEEP_RUNNING_ANNOTATION = 'e2e.lastgasp.dev/kwok-keep-running';

interface Stage {
  metadata?: { name?: string };
  spec?: { selector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] } };
}

/** The Stage text; throws when the upstream Stage is not where kwok v0.8 keeps it. */
export async function keepRunningStages(): Promise<string> {
  const text = await readFile(kwokStagesPath(await ensureBinaries()), 'utf8');
  const stage = parseAllDocuments(text)
    .map((d) => d.toJS() as Stage | null)
    .find((s) => s?.metadata?.name === 'pod-complete');
  const expressions = stage?.spec?.selector?.matchExpressions;
  if (stage == null || expressions === undefined) throw new Error('kwok stages.yaml has no pod-complete Stage with a selector');
  expressions.push({ key: `.metadata.annotations["${KEEP_RUNNING_ANNOTATION}"]`, operator: 'DoesNotExist' });
  return stringify(stage);
}
