import { expect } from 'chai';
import { kernelReleaseFromText } from './kernel-release.js';

describe('kernelReleaseFromText', () => {
  const rows: [string, string | null][] = [
    ['CPU: 1 PID: 412 Comm: bash Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1', '6.1.0-18-amd64'],
    ['CPU: 0 UID: 0 PID: 1 Comm: sh Not tainted 6.12.9+bpo-amd64 #1 Debian 6.12.9-1~bpo12+1', '6.12.9+bpo-amd64'],
    ['CPU: 3 PID: 77 Comm: kworker/3:1 Tainted: G      D W          5.10.0-28-amd64 #1 Debian', '5.10.0-28-amd64'],
    ['CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.8.0-45-generic #45-Ubuntu', '6.8.0-45-generic'],
    ['CPU: 0 PID: 0 Comm: swapper/0', null],
    ['Hardware name: QEMU Standard PC', null],
  ];
  for (const [text, release] of rows) {
    it(`"${text}" → ${String(release)}`, () => {
      expect(kernelReleaseFromText(text)).to.equal(release);
    });
  }
});
