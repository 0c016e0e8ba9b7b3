import { expect } from 'chai';
import { KubeApiError } from './transport.js';
import { retryOnConflict } from './retry.js';

const conflict = () => new KubeApiError(409, 'the object has been modified', 'PATCH /api/v1/nodes/n');

/** An operation failing with the given errors in turn, then answering 'done'. */
function failing(errors: Error[]) {
  let calls = 0;
  const op = () => {
    const err = errors[calls++];
    return err === undefined ? Promise.resolve('done') : Promise.reject(err);
  };
  return { op, calls: () => calls };
}

describe('retryOnConflict', () => {
  it('two 409s, then success → runs the read-modify-write three times and answers', async () => {
    const f = failing([conflict(), conflict()]);
    expect(await retryOnConflict(f.op)).to.equal('done');
    expect(f.calls()).to.equal(3);
  });

  it('409 on every attempt → gives up after the given attempts with the conflict', async () => {
    const f = failing([conflict(), conflict(), conflict(), conflict()]);
    const err = await retryOnConflict(f.op, 3).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(KubeApiError);
    expect((err as KubeApiError).code).to.equal(409);
    expect(f.calls()).to.equal(3);
  });

  it('any other error (500, 404) → propagates at once; the caller’s own retry decides', async () => {
    for (const code of [500, 404]) {
      const f = failing([new KubeApiError(code, 'no', 'PATCH /api/v1/nodes/n')]);
      const err = await retryOnConflict(f.op).catch((e: unknown) => e);
      expect((err as KubeApiError).code).to.equal(code);
      expect(f.calls()).to.equal(1);
    }
  });
});
