import { expect } from 'chai';
import { loadNativeReceiver } from './receive-native.js';

describe('loadNativeReceiver', () => {
  it('the built addon → a receiver', async () => {
    // scripts/setup.sh builds it; without it the listener falls back to node:dgram (and this fails).
    expect(await loadNativeReceiver()).to.not.equal(null);
  });

  it('a package without the native folder → null, so the listener falls back to node:dgram', async () => {
    expect(await loadNativeReceiver('../../native-missing/recvmmsg.js')).to.equal(null);
  });
});
