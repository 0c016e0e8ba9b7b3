import { expect } from 'chai';
import { createMetrics, receiveMemory } from './metrics.js';
import { startHttpServer } from './http-server.js';

describe('collector HTTP endpoints', () => {
  const metrics = createMetrics({
    receive: () => ({
      datagrams: 42,
      bytes: 4200,
      queueDropped: 7,
      handlerErrors: 0,
      parsed: 35,
      malformedByReason: { 'bad-header': 3 },
      records: 40,
      duplicates: 4,
      reordered: 1,
      sequenceResets: 2,
      messagesLost: 9,
      recordsWithoutNode: 1,
      fragmentDrops: { 'fragment-expired': 5 },
      untrustedIncidentLike: 6,
      hosts: 2,
      hostsEvicted: 8,
    }),
    memory: () =>
      receiveMemory(
        { queuedBytes: 1234 },
        {
          fragmentsInFlight: 3,
          fragmentBytesInFlight: 900,
          hostTiers: { node: { hosts: 2, bytes: 40960 }, incident: { hosts: 1, bytes: 9000 }, unknown: { hosts: 0, bytes: 0 } },
        },
        { incidents: 1, incidentBytes: 5000, events: 2, eventBytes: 700 },
      ),
    nodesKnown: () => 5,
    leading: () => true,
    pendingIncidents: () => 0,
  });
  metrics.incidents.inc({ kind: 'KernelPanic', fatal: 'true' });
  metrics.remediationSeconds.observe({ phase: 'Remediated' }, 0.4);
  let ready: string | null = 'node cache not synced';

  const cases: [string, number, RegExp][] = [
    ['/livez', 200, /^ok/],
    ['/readyz', 503, /node cache not synced/],
    [
      '/metrics',
      200,
      new RegExp(
        [
          'lastgasp_datagrams_received_total 42',
          'lastgasp_datagrams_queue_dropped_total 7',
          'lastgasp_datagrams_parsed_total 35',
          'lastgasp_datagrams_malformed_total\\{reason="bad-header"\\} 3',
          'lastgasp_records_duplicate_total 4',
          'lastgasp_sequence_resets_total 2',
          'lastgasp_fragments_dropped_total\\{reason="fragment-expired"\\} 5',
          'lastgasp_untrusted_incident_lines_total 6',
          'lastgasp_hosts_evicted_total 8',
          'lastgasp_hosts_tracked 2',
          'lastgasp_udp_queue_bytes 1234',
          'lastgasp_fragments_in_flight 3',
          'lastgasp_fragment_bytes 900',
          'lastgasp_host_table_hosts\\{tier="node"\\} 2',
          'lastgasp_host_table_hosts\\{tier="incident"\\} 1',
          'lastgasp_host_table_bytes\\{tier="node"\\} 40960',
          'lastgasp_host_table_bytes\\{tier="incident"\\} 9000',
          'lastgasp_host_table_bytes\\{tier="unknown"\\} 0',
          'lastgasp_incident_history_bytes\\{part="incidents"\\} 5000',
          'lastgasp_incident_history_bytes\\{part="events"\\} 700',
        ].join('[\\s\\S]*'),
      ),
    ],
    ['/nope', 404, /^$/],
  ];
  for (const [path, status, body] of cases) {
    it(`GET ${path} → ${status}`, async () => {
      const server = await startHttpServer({ listen: { host: '127.0.0.1', port: 0 }, registry: metrics.registry, notReadyReason: () => ready });
      try {
        const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
        expect(res.status).to.equal(status);
        expect(await res.text()).to.match(body);
      } finally {
        await server.close();
      }
    });
  }

  it('GET /readyz → 200 once ready', async () => {
    ready = null;
    const server = await startHttpServer({ listen: { host: '127.0.0.1', port: 0 }, registry: metrics.registry, notReadyReason: () => ready });
    try {
      expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).to.equal(200);
    } finally {
      await server.close();
    }
  });
});
