import { expect } from 'chai';
import { moduleLoadOrder, moduleName, parseModulesDep } from './module-order.js';

const DEP = [
  'kernel/fs/9p/9p.ko: kernel/fs/netfs/netfs.ko kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko',
  'kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko',
  'kernel/fs/netfs/netfs.ko:',
  'kernel/net/9p/9pnet.ko:',
  'kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko',
  'kernel/drivers/virtio/virtio_ring.ko: kernel/drivers/virtio/virtio.ko',
  'kernel/drivers/virtio/virtio.ko:',
  'kernel/drivers/net/netconsole.ko:',
  'kernel/arch/x86/kernel/cpu/mce/mce-inject.ko.xz:',
  '',
].join('\n');

describe('module-order', () => {
  const table = parseModulesDep(DEP);

  const cases: Array<{ wanted: string[]; expected: string[] }> = [
    { wanted: ['netconsole'], expected: ['kernel/drivers/net/netconsole.ko'] },
    {
      wanted: ['9p'],
      expected: ['kernel/fs/netfs/netfs.ko', 'kernel/net/9p/9pnet.ko', 'kernel/fs/fscache/fscache.ko', 'kernel/fs/9p/9p.ko'],
    },
    {
      wanted: ['9pnet_virtio', 'virtio'],
      expected: [
        'kernel/net/9p/9pnet.ko',
        'kernel/drivers/virtio/virtio.ko',
        'kernel/drivers/virtio/virtio_ring.ko',
        'kernel/net/9p/9pnet_virtio.ko',
      ],
    },
    { wanted: ['mce-inject'], expected: ['kernel/arch/x86/kernel/cpu/mce/mce-inject.ko.xz'] },
  ];
  for (const { wanted, expected } of cases) {
    it(`orders ${wanted.join(', ')} after their dependencies`, () => {
      expect(moduleLoadOrder(table, wanted)).to.deep.equal(expected);
    });
  }

  it('names a missing module and who needs it', () => {
    const broken = parseModulesDep('kernel/a.ko: kernel/b.ko\n');
    expect(() => moduleLoadOrder(broken, ['a'])).to.throw('kernel module b (needed by a) is not in modules.dep');
  });

  it('rejects a dependency cycle', () => {
    const cyclic = parseModulesDep('kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/a.ko\n');
    expect(() => moduleLoadOrder(cyclic, ['a'])).to.throw('cycle');
  });

  const names: Array<[string, string]> = [
    ['kernel/drivers/net/netconsole.ko', 'netconsole'],
    ['kernel/x/mce-inject.ko.zst', 'mce_inject'],
  ];
  for (const [path, name] of names) {
    it(`names ${path} ${name}`, () => {
      expect(moduleName(path)).to.equal(name);
    });
  }
});
