import { expect } from 'chai';
import { withoutBuiltins } from './initramfs.js';
import { compareVersions, defaultKernelId, kernelLine, pickVersion, releaseOf } from './kernel-matrix.js';

describe('kernel matrix: picking a version from the archive', () => {
  const trixie = ['linux-image-6.12.107+deb13-amd64', 'linux-image-6.12.117+deb13-amd64', 'linux-image-6.12.117+deb13-cloud-amd64', 'linux-image-6.12.117+deb13-rt-amd64'];
  it('the pinned version while the archive has it', () => {
    expect(pickVersion(kernelLine('6.12'), trixie, '6.12.107+deb13')).to.equal('6.12.107+deb13');
  });
  it('the newest of the series once the pinned one is dropped (cloud and rt flavours ignored)', () => {
    expect(pickVersion(kernelLine('6.12'), trixie, '6.12.99+deb13')).to.equal('6.12.117+deb13');
    expect(pickVersion(kernelLine('6.1'), ['linux-image-6.1.0-9-amd64', 'linux-image-6.1.0-56-amd64'], '6.1.0-40')).to.equal('6.1.0-56');
  });
  it('7.3: from the linux-binary package names; null when the series is gone', () => {
    expect(pickVersion(kernelLine('7.3'), ['linux-binary-7.3.4+deb13-amd64', 'linux-binary-7.3.4+deb13-cloud-amd64'], null)).to.equal('7.3.4+deb13');
    expect(pickVersion(kernelLine('7.3'), ['linux-binary-7.2.12+deb13-amd64'], '7.3.4+deb13')).to.equal(null);
    expect(kernelLine('7.3').packages('7.3.4+deb13')).to.deep.equal([
      'linux-binary-7.3.4+deb13-amd64',
      'linux-modules-7.3.4+deb13-amd64',
      'linux-base-7.3.4+deb13-amd64',
    ]);
  });
  it('versions compare by their numbers; releases end in -amd64', () => {
    expect(compareVersions('6.12.9+deb13', '6.12.117+deb13')).to.be.below(0);
    expect(releaseOf('7.3.4+deb13')).to.equal('7.3.4+deb13-amd64');
  });
  it('LASTGASP_KERNEL picks the line; anything else is refused', () => {
    expect(defaultKernelId({})).to.equal('6.1');
    expect(defaultKernelId({ LASTGASP_KERNEL: '7.3' })).to.equal('7.3');
    expect(() => defaultKernelId({ LASTGASP_KERNEL: '5.10' })).to.throw(/LASTGASP_KERNEL must be one of 6.1, 6.12, 7.3/);
  });
  it('modules the kernel has built in are not put into the initramfs', () => {
    const builtin = 'kernel/drivers/virtio/virtio_pci.ko\nkernel/drivers/char/virtio_console.ko\n';
    expect(withoutBuiltins(['virtio_pci', 'virtio_net', 'virtio_console', '9p'], builtin)).to.deep.equal(['virtio_net', '9p']);
  });
});
