import { expect } from 'chai';
import { parseRequestTotals, subtractTotals } from './apiserver-metrics.js';
import { ownerOf, summariseProfile } from './cpu-profile.js';
import { summariseHeap } from './heap-snapshot.js';
import { emptyMarks, observePod, percentile, summarise, type PodLike, type PodMarks } from './rep-timings.js';

const KEY = 'lastgasp.dev/reason-code';
const running: PodLike = { status: { phase: 'Running' } };
const annotated: PodLike = { metadata: { annotations: { [KEY]: 'KernelPanic' } }, status: { phase: 'Running' } };
const failed: PodLike = {
  metadata: { annotations: { [KEY]: 'KernelPanic' } },
  status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True' }] },
};

function marksFrom(events: [string, PodLike, number][]): PodMarks {
  const m = emptyMarks();
  for (const [type, pod, at] of events) observePod(m, type, pod, at, KEY);
  return m;
}

describe('remediation benchmark bookkeeping', () => {
  describe('percentile (nearest rank)', () => {
    const cases: [number[], number, number][] = [
      [[5], 50, 5],
      [[1, 2, 3, 4], 50, 2],
      [[4, 3, 2, 1], 99, 4],
      [Array.from({ length: 20 }, (_, i) => i + 1), 50, 10],
      [Array.from({ length: 20 }, (_, i) => i + 1), 99, 20],
    ];
    for (const [values, p, want] of cases) {
      it(`p${p} of ${JSON.stringify(values)} → ${want}`, () => expect(percentile(values, p)).to.equal(want));
    }
    it('of nothing → NaN', () => expect(percentile([], 50)).to.be.NaN);
  });

  describe('summarise', () => {
    it('annotate at 100, fail at 150, delete at 300, node at 400 (sent at 0) → the latencies', () => {
      const pods = new Map([
        ['a', marksFrom([['ADDED', running, -50], ['MODIFIED', annotated, 100], ['MODIFIED', failed, 150], ['DELETED', failed, 300]])],
        ['b', marksFrom([['MODIFIED', annotated, 120], ['MODIFIED', failed, 200], ['DELETED', failed, 250]])],
      ]);
      const r = summarise(pods, 400, 0);
      if (r instanceof Error) throw r;
      expect(r).to.include({ annotatedMs: 200, firstAnnotatedMs: 150, podsGoneMs: 300, nodeGoneMs: 400 });
      expect(r.medianAnnotateToFailMs).to.equal(50);
      expect(r.medianFailToGoneMs).to.equal(50);
    });
    it('only a DELETED event carrying both → explained at that moment', () => {
      const r = summarise(new Map([['a', marksFrom([['DELETED', failed, 90]])]]), 100, 10);
      if (r instanceof Error) throw r;
      expect(r.annotatedMs).to.equal(80);
    });
    it('a pod deleted without the condition → an error naming it', () => {
      const r = summarise(new Map([['lonely', marksFrom([['MODIFIED', annotated, 1], ['DELETED', annotated, 2]])]]), 3, 0);
      expect(r).to.be.instanceOf(Error);
      expect((r as Error).message).to.contain('lonely').and.contain('DisruptionTarget');
    });
    it('a pod deleted without the annotation → an error', () => {
      const bare: PodLike = { status: { conditions: [{ type: 'DisruptionTarget', status: 'True' }] } };
      expect(summarise(new Map([['p', marksFrom([['DELETED', bare, 2]])]]), 3, 0)).to.be.instanceOf(Error);
    });
    it('the Node still there → an error', () => {
      expect(summarise(new Map([['a', marksFrom([['DELETED', failed, 5]])]]), null, 0)).to.be.instanceOf(Error);
    });
  });

  describe('kube-apiserver request totals', () => {
    const scrape = (patchCount: number, patchSum: number) =>
      [
        '# HELP apiserver_request_duration_seconds x',
        `apiserver_request_duration_seconds_sum{component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} ${patchSum}`,
        `apiserver_request_duration_seconds_count{component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} ${patchCount}`,
        'apiserver_request_duration_seconds_count{component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="WATCH",version="v1"} 7',
        'apiserver_request_duration_seconds_bucket{component="apiserver",resource="pods",subresource="",verb="DELETE",le="0.1"} 3',
      ].join('\n');
    it('PATCH pods/status 10 → 30 calls, 1 → 3 s: 20 calls, 2 s; watches and buckets ignored', () => {
      const d = subtractTotals(parseRequestTotals(scrape(30, 3)), parseRequestTotals(scrape(10, 1)));
      expect([...d.keys()]).to.deep.equal(['PATCH pods/status']);
      expect(d.get('PATCH pods/status')).to.deep.equal({ count: 20, sumSeconds: 2 });
    });
  });

  describe('CPU profile owners', () => {
    const cases: [string, string, string][] = [
      ['file:///repo/node_modules/@kubernetes/client-node/dist/config.js', 'createAgent', '@kubernetes/client-node'],
      ['file:///repo/node_modules/pino/lib/tools.js', 'write', 'pino'],
      ['node:_tls_wrap', 'connect', 'node:_tls_wrap'],
      ['file:///repo/collector/dist/remediate/remediate-node.js', 'pod', '@lastgasp/collector'],
      ['', '(garbage collector)', '(garbage collector)'],
      ['', 'SecureContext.init', 'native SecureContext.init'],
    ];
    for (const [url, fn, want] of cases) it(`${fn} at ${url || '(native)'} → ${want}`, () => expect(ownerOf(url, fn)).to.equal(want));

    it('a 1 s profile with 3 TLS hits and 1 idle hit → 750 ms TLS, 250 ms idle', () => {
      const s = summariseProfile({
        startTime: 0,
        endTime: 1_000_000,
        nodes: [
          { id: 1, callFrame: { functionName: 'connect', url: 'node:_tls_wrap', lineNumber: 1 }, hitCount: 3 },
          { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 }, hitCount: 1 },
        ],
      });
      expect(s.byOwner).to.deep.equal([['node:_tls_wrap', 750], ['(idle)', 250]]);
    });
  });

  describe('heap snapshot', () => {
    it('two V1Node objects of 100 B, one string of 40 B → V1Node 200 B ×2 first, strings grouped by kind', () => {
      const h = summariseHeap({
        snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['hidden', 'object', 'string']] } },
        // type, name, id, self_size, edge_count
        nodes: [1, 0, 1, 100, 0, 1, 0, 3, 100, 0, 2, 1, 5, 40, 0],
        strings: ['V1Node', 'some text'],
      });
      expect(h.totalBytes).to.equal(240);
      expect(h.byConstructor).to.deep.equal([
        ['object V1Node', { bytes: 200, count: 2 }],
        ['(string)', { bytes: 40, count: 1 }],
      ]);
    });
    it('a file without node fields → an error', () => {
      expect(() => summariseHeap({ snapshot: { meta: { node_fields: [], node_types: [] } }, nodes: [], strings: [] })).to.throw(/not a V8 heap snapshot/);
    });
  });
});
