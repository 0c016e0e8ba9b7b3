// The app in standalone mode on loopback sockets (port 0 everywhere): what GetStatus and /metrics say
// about the receive path, and the trustLegacy setting reaching the pipeline.
import { createSocket } from 'node:dgram';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { VERSION } from '@lastgasp/proto/version';
import { startApp, type App } from './app.js';
import { connect, type CollectorApi } from './cli/client.js';
import { defaultConfig, type CollectorConfig } from './config/config.js';
import { HOLD_REASONS } from './http/metrics.js';
import { formatExtended } from './parse/format-extended.js';
import { REASON_CODES } from './types.js';

const logger = pino({ level: 'silent' });

function config(overrides: Partial<CollectorConfig> = {}): CollectorConfig {
  return {
    ...defaultConfig({ identity: 'app-test', namespace: 'default' }),
    standalone: true,
    udpListen: { host: '127.0.0.1', port: 0 },
    grpcListen: { host: '127.0.0.1', port: 0 },
    httpListen: { host: '127.0.0.1', port: 0 },
    ...overrides,
  };
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

async function send(app: App, payloads: (string | Buffer)[]): Promise<void> {
  const socket = createSocket('udp4');
  const port = portOf(app.udpAddresses[0] ?? '');
  try {
    for (const p of payloads) {
      await new Promise<void>((resolve, reject) => socket.send(p, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
  } finally {
    socket.close();
  }
}

/** The app runs in this process: poll its counters every 50 ms, for up to 10 s. */
const SOON = { timeoutMs: 10_000, intervalMs: 50 };

/** `name{labels} value` lines of a Prometheus text page → map from `name{labels}` to value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function metricsOf(app: App): Promise<Map<string, number>> {
  const res = await fetch(`http://${app.httpAddress}/metrics`);
  return parseMetrics(await res.text());
}

describe('startApp (standalone, loopback)', function () {
  this.timeout(30_000);
  const started: { app: App; client: CollectorApi }[] = [];
  async function start(overrides: Partial<CollectorConfig> = {}): Promise<{ app: App; client: CollectorApi }> {
    const app = await startApp({ config: config(overrides), logger, kubeConfig: null });
    const client = connect({ server: app.grpcAddress, timeoutMs: 5000 });
    const s = { app, client };
    started.push(s);
    return s;
  }
  afterEach(async () => {
    for (const s of started.splice(0)) {
      s.client.close();
      await s.app.stop();
    }
  });

  it('port 0 for udp, grpc and http → GetStatus lists the bound addresses with their real ports', async () => {
    const { app, client } = await start();
    const status = await client.getStatus();
    const byName = Object.fromEntries(status.listeners.map((l) => [l.name, l.address]));
    expect(byName).to.deep.equal({ netconsole: app.udpAddresses[0], grpc: app.grpcAddress, http: app.httpAddress });
    for (const address of Object.values(byName)) expect(portOf(address)).to.be.greaterThan(0);
    expect(status.leaderIdentity).to.equal('');
  });

  const receivers: { udpReceiver: 'native' | 'dgram' }[] = [{ udpReceiver: 'native' }, { udpReceiver: 'dgram' }];
  for (const { udpReceiver } of receivers) {
    it(`udpReceiver ${udpReceiver} → /metrics lastgasp_udp_receiver_info{receiver="${udpReceiver}"} 1`, async () => {
      const { app } = await start({ udpReceiver });
      const page = await metricsOf(app);
      expect(page.get(`lastgasp_udp_receiver_info{receiver="${udpReceiver}"}`)).to.equal(1);
    });

    it(`udpReceiver ${udpReceiver} → GetStatus names it and the granted receive buffer on the netconsole listener`, async () => {
      const { client } = await start({ udpReceiver });
      const status = await client.getStatus();
      const udp = status.listeners.find((l) => l.name === 'netconsole');
      expect(udp?.receiver).to.equal(udpReceiver);
      expect(udp?.recvBufferBytes).to.be.greaterThan(0);
      expect(status.listeners.filter((l) => l.name !== 'netconsole').map((l) => l.receiver)).to.deep.equal(['', '']);
    });
  }

  it('/metrics from the start: lastgasp_build_info, and every counter at 0 for each label value it can take', async () => {
    const { app } = await start();
    const page = await metricsOf(app);
    expect(page.get(`lastgasp_build_info{version="${VERSION}",revision="unknown",node_version="${process.versions.node}"}`)).to.equal(1);
    for (const kind of REASON_CODES) {
      expect(page.get(`lastgasp_incidents_total{kind="${kind}",fatal="true"}`), kind).to.equal(0);
      expect(page.get(`lastgasp_incidents_total{kind="${kind}",fatal="false"}`), kind).to.equal(0);
    }
    for (const reason of HOLD_REASONS) expect(page.get(`lastgasp_incidents_held_total{reason="${reason}"}`), reason).to.equal(0);
    for (const phase of ['Remediated', 'Failed', 'Recorded', 'Refuted', 'Held']) {
      expect(page.get(`lastgasp_incident_outcomes_total{phase="${phase}"}`), phase).to.equal(0);
      expect(page.get(`lastgasp_remediation_duration_seconds_count{phase="${phase}"}`), phase).to.equal(0);
    }
    for (const name of [
      'lastgasp_incidents_rejected_total{reason="unknown-source"}',
      'lastgasp_nodes_remediated_total{action="delete"}',
      'lastgasp_incidents_refuted_total{recorded="true"}',
      'lastgasp_proof_of_death_verdicts_total{verdict="alive"}',
      'lastgasp_watch_restarts_total{informer="nodes",reason="error"}',
      'lastgasp_pods_deleted_total',
      'lastgasp_datagrams_received_bytes_total',
    ]) {
      expect(page.get(name), name).to.equal(0);
    }
  });

  it('/metrics carries the process metrics: resident memory, V8 heap, event-loop delay', async () => {
    const { app } = await start();
    const page = await metricsOf(app);
    expect(page.get('process_resident_memory_bytes')).to.be.greaterThan(16 << 20);
    expect(page.get('nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
    expect(page.has('nodejs_eventloop_lag_p99_seconds')).to.equal(true);
  });

  it('good, malformed and duplicate datagrams → /metrics and GetStatus show the same counts', async () => {
    const { app, client } = await start();
    const good = formatExtended({ seq: 10, timestampUs: 1000, text: 'hello from the kernel', level: 6 });
    await send(app, [...good, ...good, '0,1,x,-;bad', '0,1,2;also bad', '6,11,2000,-,ncfrag=0/99999;x']);
    const m = await waitFor('the datagrams counted', async () => {
      const page = await metricsOf(app);
      return page.get('lastgasp_datagrams_received_total') === good.length * 2 + 3 ? page : false;
    }, SOON);
    const status = await client.getStatus();
    const c = status.counters;
    expect(c).to.not.equal(null);
    expect(Number(c?.datagrams)).to.equal(m.get('lastgasp_datagrams_received_total'));
    expect(Number(c?.bytes)).to.equal(m.get('lastgasp_datagrams_received_bytes_total'));
    expect(Number(c?.hostsTracked)).to.equal(m.get('lastgasp_hosts_tracked'));
    expect(Number(c?.hostsTracked)).to.equal(1);
    expect(Number(c?.malformedByReason['bad-header'])).to.equal(2);
    expect(m.get('lastgasp_datagrams_malformed_total{reason="bad-header"}')).to.equal(2);
    expect(m.get('lastgasp_records_duplicate_total')).to.equal(1);
    expect(m.get('lastgasp_datagrams_parsed_total')).to.equal(good.length * 2 + 3);
    for (const name of [
      'lastgasp_sequence_resets_total',
      'lastgasp_hosts_evicted_total',
      'lastgasp_datagrams_queue_dropped_total',
      'lastgasp_untrusted_incident_lines_total',
    ]) {
      expect(m.has(name), name).to.equal(true);
    }
    expect([...m.keys()].some((k) => k.startsWith('lastgasp_fragments_dropped_total{reason='))).to.equal(true);
  });

  const legacyPanic = '[   42.000000] Kernel panic - not syncing: sysrq triggered crash\n';
  const trustCases: [string, boolean, number, number][] = [
    ['trustLegacy true (default) → a legacy panic line opens an incident', true, 1, 0],
    ['trustLegacy false → a legacy panic line opens nothing and is counted as untrusted', false, 0, 1],
  ];
  for (const [name, trustLegacy, incidents, untrusted] of trustCases) {
    it(name, async () => {
      const { app, client } = await start({ trustLegacy });
      await send(app, [legacyPanic, 'trailing console line\n']);
      await waitFor('the lines handled', async () => {
        const page = await metricsOf(app);
        return (page.get('lastgasp_hosts_tracked') ?? 0) > 0 ? page : false;
      }, SOON);
      const m = await waitFor('the panic line classified', async () => {
        const page = await metricsOf(app);
        const seen = (page.get('lastgasp_untrusted_incident_lines_total') ?? 0) + (page.get('lastgasp_incidents_total{kind="KernelPanic",fatal="true"}') ?? 0);
        return seen > 0 ? page : false;
      }, SOON);
      const list = await client.listIncidents({});
      expect(list.incidents).to.have.length(incidents);
      expect(m.get('lastgasp_untrusted_incident_lines_total')).to.equal(untrusted);
    });
  }
});
