import type { Host__Output, Incident__Output, IncidentEvent__Output, Status__Output } from '@lastgasp/proto';
import { expect } from 'chai';
import { incidentMessage, eventMessage, hostMessage, statusMessage } from '../api/to-proto.js';
import { makeHost, makeIncident, makeStatus, T0 } from '../../test-support/api-fixtures.js';
import type { IncidentRecord } from '../api/status-source.js';
import { relativeTime } from './relative-time.js';
import type { RenderContext } from './render-context.js';
import { renderHosts } from './render-hosts.js';
import { renderEvent, renderIncident, renderIncidents } from './render-incidents.js';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { renderJson, renderJsonLine, renderYaml, renderYamlDocument, toJson } from './render-json.js';
import { renderStatus } from './render-status.js';
import { renderTable, truncate } from './table.js';

// The server's messages as a client receives them (every field present, as the loader's defaults give).
const asOutput = <T>(message: object): T => message as T;
const record = (overrides: Partial<IncidentRecord> = {}): IncidentRecord => ({
  ordinal: 1,
  incident: makeIncident(),
  node: 'worker-1',
  phase: 'remediated',
  steps: [{ name: 'delete-pods', outcome: 'ok', startedAt: T0 + 10, finishedAt: T0 + 45, message: '3 pods deleted' }],
  ...overrides,
});
const ctx = (overrides: Partial<RenderContext> = {}): RenderContext => ({ now: T0 + 3000, width: undefined, wide: false, ...overrides });

describe('relativeTime', () => {
  const cases: [string, number | null, string][] = [
    ['null', null, '-'],
    ['3 s before now', T0 - 3000, '3s ago'],
    ['90 s before now', T0 - 90_000, '90s ago'],
    ['5 min before now', T0 - 300_000, '5m ago'],
    ['3 h before now', T0 - 3 * 3_600_000, '3h ago'],
    ['4 d before now', T0 - 4 * 86_400_000, '4d ago'],
    ['2 s after now', T0 + 2000, 'in 2s'],
    ['now', T0, '0ms ago'],
  ];
  for (const [name, at, want] of cases) {
    it(`${name} → ${want}`, () => expect(relativeTime(at, T0)).to.equal(want));
  }
});

describe('renderTable', () => {
  it('rows of different widths → columns aligned, no trailing spaces', () => {
    const text = renderTable(['A', 'LONGER', 'C'], [['x', 'y', 'z'], ['xxxx', '', 'zz']]);
    expect(text.split('\n')).to.deep.equal(['A     LONGER  C', 'x     y       z', 'xxxx          zz']);
  });

  it('width 30 with a long last column → every line at most 30 characters, cut with an ellipsis', () => {
    const text = renderTable(['ID', 'SUMMARY'], [['a', 'Kernel panic - not syncing: Fatal exception in interrupt']], { width: 30, cutColumn: 1 });
    for (const line of text.split('\n')) expect([...line].length).to.be.at.most(30);
    expect(text).to.contain('…');
  });

  it('a cell with a tab and a newline → one line, both escaped', () => {
    expect(renderTable(['X'], [['a\tb\nc']])).to.equal('X\na\\x09b\\x0ac');
  });

  it('truncate of a short text → unchanged', () => expect(truncate('abc', 3)).to.equal('abc'));
});

describe('renderStatus', () => {
  it('a leading replica → says it leads, its listeners, policy and counters', () => {
    const text = renderStatus(asOutput<Status__Output>(statusMessage(makeStatus())), ctx());
    expect(text).to.match(/^Leading +yes, this replica leads$/m);
    expect(text).to.match(/^Listeners +netconsole \[::\]:6666 \(native receiver, 8 MiB buffer\), grpc \[::\]:6667$/m);
    expect(text).to.match(/^Policy +immediate, node action delete, dry run off; storm limit 5 nodes\/300s and 10% of ready nodes$/m);
    expect(text).to.match(/^Remediated +2 nodes, 17 pods deleted$/m);
    expect(text).to.match(/^Up +60m \(since 2024-12-31T23:00:00.000Z\)$/m);
  });

  it('proof of death → how many Ready nodes answer its probe, and the silent ones by name', () => {
    const text = renderStatus(asOutput<Status__Output>(statusMessage(makeStatus())), ctx());
    expect(text).to.match(
      /^Probe +3 of 5 Ready nodes answer the probe; 1 not checked yet; SILENT 1: worker-3 \(cannot be proven dead: open their probe port to the collector\)$/m,
    );
    const off = statusMessage(makeStatus({ reachability: null }));
    expect(renderStatus(asOutput<Status__Output>(off), ctx())).to.match(/^Probe +off \(a panic line alone acts\)$/m);
  });

  it('a follower → names the leader', () => {
    const s = statusMessage(makeStatus({ leading: false, leaderIdentity: 'collector-1' }));
    expect(renderStatus(asOutput<Status__Output>(s), ctx())).to.match(/^Leading +no \(leader: collector-1\)$/m);
  });

  it('keys aligned: every value starts in the same column', () => {
    const lines = renderStatus(asOutput<Status__Output>(statusMessage(makeStatus())), ctx({ wide: true })).split('\n');
    const starts = new Set(lines.map((l) => /^\S+ +/.exec(l)?.[0].length));
    expect(starts.size).to.equal(1);
  });
});

describe('renderHosts', () => {
  it('a resolved and an unresolved host → aligned rows, "-" for no node, relative times', () => {
    const hosts = [makeHost('10.0.0.1'), makeHost('10.0.0.22', { node: null, lastCanaryAt: null, panicLine: null })].map(
      (h) => asOutput<Host__Output>(hostMessage(h)),
    );
    const lines = renderHosts(hosts, ctx({ now: T0 })).split('\n');
    expect(lines[0]).to.match(/^ADDRESS +NODE +KERNEL +LAST RECORD +RECORDS +GAPS +LOST +NO NODE= +CANARY +PANIC LINE +INCIDENTS$/);
    expect(lines[1]).to.match(/ sent +0$/);
    expect(lines[2]).to.match(/^10\.0\.0\.22 +- +6\.1\.0-56-amd64 +2s ago +512 +0 +0 +0 +- +- +0$/);
    expect(lines[1]?.indexOf('node-10.0.0.1')).to.equal(lines[0]?.indexOf('NODE'));
  });

  it('no hosts → a sentence', () => expect(renderHosts([], ctx())).to.equal('No hosts heard from yet.'));
});

describe('renderIncidents', () => {
  const incidents = [
    record(),
    record({ ordinal: 2, node: null, phase: 'unresolved', incident: makeIncident({ id: 'inc-2', source: '192.0.2.9' }) }),
  ].map((r) => asOutput<Incident__Output>(incidentMessage(r, false)));

  it('table at width 80 → lines of at most 80 characters, summary cut', () => {
    const lines = renderIncidents(incidents, ctx({ width: 80 })).split('\n');
    expect(lines[0]).to.match(/^ID +AGE +NODE +KIND +PHASE +SUMMARY$/);
    for (const line of lines) expect([...line].length).to.be.at.most(80);
    expect(lines[1]).to.match(/^inc-1 +3s ago +worker-1 +KernelPanic +remediated +Kernel panic.*…$/);
    expect(lines[2]).to.contain('(192.0.2.9, no node)');
  });

  it('wide → full summary, source, fatal, steps and cause', () => {
    const lines = renderIncidents(incidents, ctx({ wide: true, width: 60 })).split('\n');
    expect(lines[0]).to.match(/^ID +OPENED +NODE +SOURCE +KIND +FATAL +PHASE +STEPS OK +CAUSE +SUMMARY$/);
    expect(lines[1]).to.match(/2025-01-01T00:00:00\.000Z +worker-1 +10\.0\.0\.1 +KernelPanic +yes +remediated +1\/1 +KernelOops +Kernel panic - not syncing: Fatal exception$/);
  });

  it('none → a sentence', () => expect(renderIncidents([], ctx())).to.equal('No incidents.'));
});

describe('renderHosts: the nodes that send no last gasp', () => {
  it('panic line suppressed (nbcon netconsole with kernel.panic≠0) → NOT SENT; messages lost and records without node= counted', () => {
    const host = makeHost('10.0.0.7', { panicLine: 'suppressed', messagesLost: 3, recordsWithoutNode: 1, wireFeatures: ['release', 'userdata', 'sysdata:msgid'] });
    const lines = renderHosts([asOutput<Host__Output>(hostMessage(host))], ctx({ now: T0, wide: true })).split('\n');
    expect(lines[0]).to.match(/ LOST +NO NODE= +CANARY +PANIC LINE +INCIDENTS +LAST SEQ +CANARY NODE +FEATURES$/);
    expect(lines[1]).to.match(/ 3 +1 +\S+ ago +NOT SENT +0 +400 +node-10\.0\.0\.7 +release,userdata,sysdata:msgid$/);
  });
});

describe('renderIncident', () => {
  it('a remediated panic → node, cause, steps with timing, and the kernel log', () => {
    const text = renderIncident(asOutput<Incident__Output>(incidentMessage(record(), true)), ctx());
    expect(text).to.match(/^Node +worker-1 \(source 10\.0\.0\.1\)$/m);
    expect(text).to.match(/^Cause +KernelOops: BUG: kernel NULL pointer dereference/m);
    expect(text).to.match(/^Kernel +6\.1\.0-56-amd64, extended format, records 370–401$/m);
    expect(text).to.match(/^ {2}STEP +OUTCOME +AT +TOOK +MESSAGE$/m);
    expect(text).to.match(/^ {2}delete-pods +ok +\+10ms +35ms +3 pods deleted$/m);
    expect(text).to.match(/^Kernel log \(2 lines\):\n {2}BUG: kernel NULL pointer dereference\n {2}Kernel panic/m);
  });

  it('7.x sysdata on the key line → a Context line with its CPU and task', () => {
    const base = record();
    const withSysdata = { ...base, incident: { ...base.incident, userdata: { node: 'worker-1', cpu: '1', taskname: 'sh', msgid: '4' } } };
    const text = renderIncident(asOutput<Incident__Output>(incidentMessage(withSysdata, true)), ctx());
    expect(text).to.match(/^Context +CPU 1, task sh \(sysdata of the incident's key line\)$/m);
    expect(text).to.match(/^Userdata +node=worker-1 cpu=1 taskname=sh msgid=4$/m);
    expect(renderIncident(asOutput<Incident__Output>(incidentMessage(base, true)), ctx())).to.not.match(/^Context/m);
  });

  it('a held panic with a running and a pending step → the reason on the Phase line, offsets from the opening, time so far', () => {
    const steps: IncidentRecord['steps'] = [
      { name: 'record', outcome: 'ok', startedAt: T0 + 2, finishedAt: T0 + 14, message: 'NodeIncident worker-1-0123456789 created' },
      { name: 'confirm-dead', outcome: 'failed', startedAt: T0 + 20, finishedAt: T0 + 60_020, message: 'still alive after 60s' },
      { name: 'node-event', outcome: 'pending', startedAt: T0 + 60_030, finishedAt: null, message: '' },
      { name: 'phase-held', outcome: 'ok', startedAt: T0 + 61_500, finishedAt: T0 + 62_734, message: 'NotConfirmed: the node still renewed its kubelet Lease' },
    ];
    const text = renderIncident(asOutput<Incident__Output>(incidentMessage(record({ phase: 'held', steps }), true)), ctx({ now: T0 + 63_000 }));
    expect(text).to.match(/^Phase +held: NotConfirmed: the node still renewed its kubelet Lease$/m);
    expect(text).to.match(/^ {2}record +ok +\+2ms +12ms +NodeIncident worker-1-0123456789 created$/m);
    expect(text).to.match(/^ {2}confirm-dead +failed +\+20ms +60s +still alive after 60s$/m);
    expect(text).to.match(/^ {2}node-event +pending +\+60s +2.9s so far$/m);
    expect(text).to.match(/^ {2}phase-held +ok +\+61s +1.2s +NotConfirmed/m);
  });

  it('an unresolved source without steps → says so', () => {
    const text = renderIncident(asOutput<Incident__Output>(incidentMessage(record({ node: null, steps: [], phase: 'unresolved' }), true)), ctx());
    expect(text).to.match(/^Node +none: source 10\.0\.0\.1 is no Node$/m);
    expect(text).to.contain('Remediation: no steps taken.');
  });
});

describe('renderEvent', () => {
  const event = asOutput<IncidentEvent__Output>(eventMessage({ sequence: 7, type: 'remediated', at: T0, record: record() }));

  it('an event → time, sequence, type, kind, phase, node, id, summary on one line', () => {
    expect(renderEvent(event, ctx())).to.match(
      /^2025-01-01T00:00:00\.000Z {2}#7 +remediated {2}KernelPanic +remediated +worker-1 {2}inc-1 {2}Kernel panic - not syncing: Fatal exception$/,
    );
  });

  it('width 50 → cut to 50', () => expect([...renderEvent(event, ctx({ width: 50 }))].length).to.equal(50));
});

describe('toJson', () => {
  it('Timestamps → RFC 3339, wrappers → their value, the rest unchanged', () => {
    expect(toJson({ t: { seconds: T0 / 1000, nanos: 5_000_000 }, w: { value: 7 }, n: null, a: [{ value: true }], s: 'x' })).to.deep.equal({
      t: '2025-01-01T00:00:00.005Z',
      w: 7,
      n: null,
      a: [true],
      s: 'x',
    });
  });
});

describe('kernel text with control characters, rendered', () => {
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
  const evil = 'Kernel panic - not syncing: \u001b]0;owned\u0007\u001b[2J\u009b31m\u007f';
  const hostile = record({
    incident: makeIncident({
      summary: evil,
      cause: { kind: 'KernelOops', summary: 'BUG: \u001b[1A' },
      lines: ['[ 1.0] \u001b[31mred', `[ 2.0] ${evil}`],
      userdata: { 'node\u001b': 'worker\u009b1' },
      kernelRelease: '6.1\u001b[0m',
    }),
    steps: [{ name: 'delete-pods', outcome: 'failed', startedAt: T0, finishedAt: T0 + 1, message: 'api said \u001b[2J' }],
  });
  const incident = asOutput<Incident__Output>(incidentMessage(hostile, true));

  const renders: [string, () => string][] = [
    ['lastgasp incident', () => renderIncident(incident, ctx())],
    ['lastgasp incidents', () => renderIncidents([incident], ctx({ width: 200 }))],
    ['lastgasp incidents -o wide', () => renderIncidents([incident], ctx({ wide: true }))],
    ['lastgasp watch', () => renderEvent(asOutput<IncidentEvent__Output>(eventMessage({ sequence: 1, type: 'opened', at: T0, record: hostile })), ctx())],
    ['lastgasp hosts -o wide', () => renderHosts([asOutput<Host__Output>(hostMessage(makeHost('10.0.0.1', { kernelRelease: '6.1\u001b[0m', lastCanaryNode: 'w\u009b1' })))], ctx({ wide: true }))],
  ];
  for (const [name, render] of renders) {
    it(`${name} → no raw control character, escapes shown instead`, () => {
      const text = render();
      expect(text).to.not.match(RAW_CONTROL);
      expect(text).to.match(/\\x1b|\\x9b/);
    });
  }

  it('lastgasp incident → every line of the kernel log shown with its escapes', () => {
    expect(renderIncident(incident, ctx())).to.include('  [ 2.0] Kernel panic - not syncing: \\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\x7f');
  });

  it('-o yaml and watch -o yaml → no raw control character, the same value as -o json when parsed', () => {
    for (const text of [renderYaml(incident), renderYamlDocument(incident)]) {
      expect(text).to.not.match(RAW_CONTROL);
      const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
      expect(docs).to.deep.equal([toJson(incident)]);
    }
    expect((parseYaml(renderYaml(incident)) as { summary: string }).summary).to.equal(evil);
    expect(renderYamlDocument(incident)).to.match(/^---\n/);
  });

  it('-o json and watch -o json → no raw control character, the exact text when parsed', () => {
    for (const text of [renderJson(incident), renderJsonLine(incident)]) {
      expect(text).to.not.match(RAW_CONTROL);
      expect(JSON.parse(text)).to.deep.equal(toJson(incident));
      expect((JSON.parse(text) as { summary: string }).summary).to.equal(evil);
    }
  });
});
