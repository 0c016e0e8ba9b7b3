// Writes deploy/helm/lastgasp/README.md from README.md.tmpl and values.yaml (chart-readme.ts).
//   npx tsx deploy/src/write-chart-readme.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chartReadme } from './chart-readme.js';

const CHART = fileURLToPath(new URL('../helm/lastgasp/', import.meta.url));
writeFileSync(`${CHART}README.md`, chartReadme(readFileSync(`${CHART}README.md.tmpl`, 'utf8'), readFileSync(`${CHART}values.yaml`, 'utf8')));
process.stdout.write(`wrote ${CHART}README.md\n`);
