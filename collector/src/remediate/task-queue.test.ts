import { expect } from 'chai';
import { createTaskQueue } from './task-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve = (): void => undefined;
  let reject = (_err: Error): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createTaskQueue', () => {
  it('limit 2, 5 tasks → at most 2 run at once, all run, in order', async () => {
    const q = createTaskQueue(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    gates.forEach((g, i) =>
      q.push(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await g.promise;
        running--;
      }),
    );
    expect(started).to.deep.equal([0, 1]);
    for (const g of gates) {
      g.resolve();
      await tick();
    }
    await q.drain();
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
    expect(most).to.equal(2);
  });

  it('drain with tasks in flight → resolves only after they settle', async () => {
    const q = createTaskQueue(4);
    const g = deferred();
    let finished = false;
    q.push(async () => {
      await g.promise;
      finished = true;
    });
    let drained = false;
    const d = q.drain().then(() => (drained = true));
    await tick();
    expect(drained).to.equal(false);
    g.resolve();
    await d;
    expect(finished).to.equal(true);
  });

  it('a failing task and a throwing task → the others still run; drain rejects with the first error', async () => {
    const q = createTaskQueue(1);
    let ran = 0;
    q.push(() => Promise.reject(new Error('first')));
    q.push(() => {
      throw new Error('second');
    });
    q.push(() => {
      ran++;
      return Promise.resolve();
    });
    let error: unknown = null;
    await q.drain().catch((err: unknown) => (error = err));
    expect(String(error)).to.equal('Error: first');
    expect(ran).to.equal(1);
  });

  it('limit 0 → RangeError', () => {
    expect(() => createTaskQueue(0)).to.throw(RangeError);
  });
});
