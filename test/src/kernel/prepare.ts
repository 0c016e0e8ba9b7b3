// Downloads and unpacks the pinned kernel package and builds the initramfs ahead of the tests, so the
// first end-to-end test does not spend its time limit on apt. Run by scripts/setup.sh.
import { ensureInitramfs } from './initramfs.js';
import { ensureKernelPackage, ensureUncompressedKernel } from './kernel-package.js';

const log = (line: string): void => {
  process.stderr.write(`[kernel] ${line}\n`);
};
const kernel = await ensureKernelPackage({ log });
await ensureUncompressedKernel(kernel);
await ensureInitramfs(kernel, log);
log(`kernel ${kernel.release} ready`);
