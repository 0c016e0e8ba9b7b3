// Resolves, downloads and unpacks every kernel of the matrix (kernel-matrix.ts) and builds their
// initramfs ahead of the tests, so the first end-to-end test does not spend its time limit on apt. Run
// by scripts/setup.sh. Env LASTGASP_KERNELS=6.1,7.3 limits it to some lines.
import { ensureInitramfs } from './initramfs.js';
import { isKernelId, KERNEL_LINES } from './kernel-matrix.js';
import { ensureKernelPackage, ensureUncompressedKernel } from './kernel-package.js';

const log = (line: string): void => {
  process.stderr.write(`[kernel] ${line}\n`);
};
const wanted = (process.env['LASTGASP_KERNELS'] ?? '').split(',').filter((k) => k !== '');
for (const k of wanted) if (!isKernelId(k)) throw new Error(`LASTGASP_KERNELS: unknown kernel ${k}`);
for (const line of KERNEL_LINES) {
  if (wanted.length > 0 && !wanted.includes(line.id)) continue;
  const kernel = await ensureKernelPackage({ kernel: line.id, log });
  const elf = await ensureUncompressedKernel(kernel);
  await ensureInitramfs(kernel, log);
  log(`kernel ${line.id}: ${kernel.release} ready (${line.suite}; ${elf === null ? 'bzImage' : 'uncompressed ELF'})`);
}
