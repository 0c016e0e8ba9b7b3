import { grpcurlBinary } from '@lastgasp/testbed/cluster';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { startGrpcServer, type GrpcServer } from './grpc-server.js';
import { IncidentHistory } from './incident-history.js';
import { composeStatusSource } from './status-source.js';
import { makeIncident, makeStatus, recordingLogger, T0 } from '../../test-support/api-fixtures.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('grpcurl against the API through reflection', function () {
  this.timeout(900_000);
  let grpcurl: string;
  let server: GrpcServer;

  function run(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(grpcurl, ['-plaintext', '-max-time', '30', ...args], (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      });
    });
  }

  before(async () => {
    grpcurl = await grpcurlBinary();
    const history = new IncidentHistory();
    history.recordIncidentEvent({ type: 'opened', incident: makeIncident({ id: 'a-panic' }) }, T0, { node: 'worker-1' });
    history.recordIncidentEvent({ type: 'opened', incident: makeIncident({ id: 'b-lockup', kind: 'SoftLockup', fatal: false }) }, T0);
    const source = composeStatusSource(history, { getStatus: () => makeStatus(), listHosts: () => [] });
    server = await startGrpcServer({ listen: '127.0.0.1:0', source, logger: recordingLogger() });
    server.setServing(true);
  });

  after(async () => {
    await server?.close(1000);
  });

  it('list → the Collector and Health services', async () => {
    const r = await run(server.address, 'list');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')).to.include.members(['lastgasp.v1.Collector', 'grpc.health.v1.Health']);
  });

  it('describe lastgasp.v1.Collector → its five methods', async () => {
    const r = await run(server.address, 'describe', 'lastgasp.v1.Collector');
    expect(r.code, r.stderr).to.equal(0);
    for (const method of ['GetStatus', 'ListHosts', 'ListIncidents', 'GetIncident', 'WatchIncidents']) {
      expect(r.stdout).to.contain(`rpc ${method} (`);
    }
  });

  it('GetStatus → JSON with identity, leadership and an RFC 3339 start time', async () => {
    const r = await run(server.address, 'lastgasp.v1.Collector/GetStatus');
    expect(r.code, r.stderr).to.equal(0);
    const status = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(status).to.include({ identity: 'collector-0', leading: true, version: '0.1.0' });
    expect(status.startTime).to.equal('2024-12-31T23:00:00Z');
    // A map field: its entry type must carry protoc's name for grpcurl to decode it.
    expect((status.counters as Record<string, unknown>).malformedByReason).to.deep.equal({ 'bad-header': '2' });
  });

  it('ListIncidents {"fatal": true} → the panic only', async () => {
    const r = await run('-d', '{"fatal": true}', server.address, 'lastgasp.v1.Collector/ListIncidents');
    expect(r.code, r.stderr).to.equal(0);
    const body = JSON.parse(r.stdout) as { incidents: { id: string }[] };
    expect(body.incidents.map((i) => i.id)).to.deep.equal(['a-panic']);
  });

  it('GetIncident {"id": "nope"} → NotFound', async () => {
    const r = await run('-d', '{"id": "nope"}', server.address, 'lastgasp.v1.Collector/GetIncident');
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain('NotFound');
  });

  it('grpc.health.v1.Health/Check {"service": "lastgasp.v1.Collector"} → SERVING', async () => {
    const r = await run('-d', '{"service": "lastgasp.v1.Collector"}', server.address, 'grpc.health.v1.Health/Check');
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ status: 'SERVING' });
  });
});
