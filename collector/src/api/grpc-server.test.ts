import { credentials, loadPackageDefinition, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { IncidentEvent__Output } from '@lastgasp/proto';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { startGrpcServer, type GrpcServer } from './grpc-server.js';
import { IncidentHistory } from './incident-history.js';
import { composeStatusSource, type HostView } from './status-source.js';
import { connect, type CollectorApi } from '../cli/client.js';
import { makeHost, makeIncident, makeStatus, recordingLogger, T0 } from '../../test-support/api-fixtures.js';

type Callback<Res> = (err: ServiceError | null, res?: Res) => void;

async function expectCode(promise: Promise<unknown>, code: status): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    expect((err as ServiceError).code, (err as ServiceError).details).to.equal(code);
    return err as ServiceError;
  }
  expect.fail(`expected gRPC status ${status[code]}, got a response`);
}

interface HealthClient extends Client {
  check(req: { service: string }, cb: Callback<{ status: string }>): void;
  watch(req: { service: string }): NodeJS.ReadableStream & { cancel(): void };
}

function healthClient(address: string): HealthClient {
  const def = loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
  const grpcObj = loadPackageDefinition(def) as unknown as {
    grpc: { health: { v1: { Health: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => HealthClient } } };
  };
  return new grpcObj.grpc.health.v1.Health(address, credentials.createInsecure());
}

/** Collects stream messages; resolves `ended` with the final status code. */
function collect<T>(stream: NodeJS.ReadableStream): { items: T[]; ended: Promise<status> } {
  const items: T[] = [];
  stream.on('data', (item: T) => items.push(item));
  const ended = new Promise<status>((resolve) => {
    stream.on('error', (err: ServiceError) => resolve(err.code));
    stream.on('status', (s: { code: status }) => {
      if (s.code === status.OK) resolve(status.OK);
    });
  });
  return { items, ended };
}

/** The server runs in this process: poll every 10 ms, for up to 20 s. */
const SOON = { timeoutMs: 20_000, intervalMs: 10 };

describe('grpc-server', function () {
  this.timeout(30_000);
  let history: IncidentHistory;
  let hosts: HostView[];
  let server: GrpcServer;
  let client: CollectorApi;
  const logger = recordingLogger();

  before(async () => {
    history = new IncidentHistory();
    hosts = Array.from({ length: 250 }, (_, i) => makeHost(`10.0.${Math.floor(i / 100)}.${i % 100}`));
    const source = composeStatusSource(history, { getStatus: () => makeStatus(), listHosts: () => hosts });
    server = await startGrpcServer({ listen: '127.0.0.1:0', source, logger });
    client = connect({ server: server.address });
  });

  after(async () => {
    client.close();
    await server.close(1000);
  });

  describe('before setServing(true)', () => {
    it('GetStatus → UNAVAILABLE', async () => {
      const err = await expectCode(client.getStatus(), status.UNAVAILABLE);
      expect(err.details).to.match(/starting/);
    });
  });

  describe('serving', () => {
    before(() => {
      server.setServing(true);
      history.recordIncidentEvent({ type: 'opened', incident: makeIncident({ id: 'a-panic' }) }, T0, { node: 'worker-1' });
      history.recordIncidentEvent(
        { type: 'opened', incident: makeIncident({ id: 'b-lockup', kind: 'SoftLockup', fatal: false, openedAt: T0 + 1000 }) },
        T0 + 1000,
        { node: 'worker-2' },
      );
      history.recordIncidentEvent(
        { type: 'opened', incident: makeIncident({ id: 'c-stranger', source: '192.0.2.9', openedAt: T0 + 2000 }) },
        T0 + 2000,
      );
      history.recordStep('a-panic', { name: 'delete-pods', outcome: 'ok', startedAt: T0 + 5, finishedAt: T0 + 40, message: '3 pods' }, T0 + 40);
      history.setPhase('a-panic', 'remediated', T0 + 50);
    });

    it('GetStatus maps version, leadership, counters and policy', async () => {
      const s = await client.getStatus();
      expect(s.version).to.equal('0.1.0');
      expect(s.leading).to.equal(true);
      expect(s.leaderIdentity).to.equal('collector-0');
      expect(s.startTime?.seconds).to.equal((T0 - 3_600_000) / 1000);
      expect(s.counters?.podsDeleted).to.equal(17);
      expect(s.counters?.incidentsByKind).to.deep.equal({ KernelPanic: 2, SoftLockup: 1 });
      expect(s.policy?.mode).to.equal('POLICY_MODE_IMMEDIATE');
      expect(s.policy?.storm?.maxPercentOfReadyNodes).to.equal(10);
      expect(s.listeners.map((l) => [l.name, l.receiver, l.recvBufferBytes])).to.deep.equal([
        ['netconsole', 'native', 8 << 20],
        ['grpc', '', 0],
      ]);
    });

    it('ListHosts pages of 100 over 250 hosts → every host once, by address', async () => {
      const seen: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const page = await client.listHosts({ pageSize: 100, pageToken: token });
        expect(page.totalSize).to.equal(250);
        seen.push(...page.hosts.map((h) => h.address));
        token = page.nextPageToken;
        pages++;
      } while (token !== '' && pages < 10);
      expect(pages).to.equal(3);
      expect(seen).to.deep.equal(hosts.map((h) => h.address).sort());
    });

    it('ListHosts node=node-10.0.1.5 → that host only', async () => {
      const page = await client.listHosts({ node: 'node-10.0.1.5' });
      expect(page.hosts.map((h) => h.address)).to.deep.equal(['10.0.1.5']);
      expect(page.hosts[0]?.lastSequence?.value).to.equal(400);
    });

    const incidentFilters: [string, object, string[]][] = [
      ['no filter → newest first', {}, ['c-stranger', 'b-lockup', 'a-panic']],
      ['node=worker-1', { node: 'worker-1' }, ['a-panic']],
      ['kind=SoftLockup', { kind: 'SoftLockup' }, ['b-lockup']],
      ['fatal=true', { fatal: { value: true } }, ['c-stranger', 'a-panic']],
      ['fatal=false', { fatal: { value: false } }, ['b-lockup']],
      ['since=T0+1s', { since: { seconds: (T0 + 1000) / 1000 } }, ['c-stranger', 'b-lockup']],
    ];
    for (const [name, filter, ids] of incidentFilters) {
      it(`ListIncidents ${name}`, async () => {
        const page = await client.listIncidents(filter);
        expect(page.incidents.map((i) => i.id)).to.deep.equal(ids);
      });
    }

    it('ListIncidents lists an unresolved source as unresolved', async () => {
      const page = await client.listIncidents({});
      const stranger = page.incidents.find((i) => i.id === 'c-stranger');
      expect(stranger?.phase).to.equal('INCIDENT_PHASE_UNRESOLVED');
      expect(stranger?.nodeName).to.equal('');
      expect(stranger?.lines).to.deep.equal([]);
    });

    it('ListIncidents pageSize=1 → 3 pages in order', async () => {
      const ids: string[] = [];
      let token = '';
      do {
        const page = await client.listIncidents({ pageSize: 1, pageToken: token });
        ids.push(...page.incidents.map((i) => i.id));
        token = page.nextPageToken;
      } while (token !== '' && ids.length < 10);
      expect(ids).to.deep.equal(['c-stranger', 'b-lockup', 'a-panic']);
    });

    const badRequests: [string, () => Promise<unknown>][] = [
      ['ListIncidents page_token=garbage', () => client.listIncidents({ pageToken: 'garbage!' })],
      ['ListIncidents page_token=a hosts token', async () => {
        const page = await client.listHosts({ pageSize: 1 });
        return client.listIncidents({ pageToken: page.nextPageToken });
      }],
      ['ListIncidents kind=Meltdown', () => client.listIncidents({ kind: 'Meltdown' })],
      ['ListIncidents page_size=-1', () => client.listIncidents({ pageSize: -1 })],
      ['ListHosts page_token=base64 of {}', () => client.listHosts({ pageToken: Buffer.from('{}').toString('base64url') })],
      ['GetIncident id=""', () => client.getIncident({ id: '' })],
    ];
    for (const [name, run] of badRequests) {
      it(`${name} → INVALID_ARGUMENT`, async () => {
        await expectCode(run(), status.INVALID_ARGUMENT);
      });
    }

    it('GetIncident id=no-such → NOT_FOUND', async () => {
      await expectCode(client.getIncident({ id: 'no-such' }), status.NOT_FOUND);
    });

    it('GetIncident id=a-panic → lines, phase and steps with timing', async () => {
      const inc = await client.getIncident({ id: 'a-panic' });
      expect(inc.lines).to.have.length(2);
      expect(inc.phase).to.equal('INCIDENT_PHASE_REMEDIATED');
      expect(inc.cause?.kind).to.equal('KernelOops');
      expect(inc.steps).to.have.length(1);
      expect(inc.steps[0]).to.include({ name: 'delete-pods', outcome: 'STEP_OUTCOME_OK', message: '3 pods' });
      expect(inc.steps[0]?.finishTime?.nanos).to.equal(40_000_000);
    });

    it('WatchIncidents fromIncidentId=a-panic → its events and the later ones, then live', async () => {
      const stream = client.watchIncidents({ fromIncidentId: 'a-panic' });
      const { items } = collect<IncidentEvent__Output>(stream);
      await waitFor('5 replayed events', () => items.length >= 5, SOON);
      expect(items.map((e) => `${e.incident?.id}:${e.type}`)).to.deep.equal([
        'a-panic:INCIDENT_EVENT_TYPE_OPENED',
        'b-lockup:INCIDENT_EVENT_TYPE_OPENED',
        'c-stranger:INCIDENT_EVENT_TYPE_OPENED',
        'a-panic:INCIDENT_EVENT_TYPE_UPDATED',
        'a-panic:INCIDENT_EVENT_TYPE_REMEDIATED',
      ]);
      history.setPhase('c-stranger', 'held', T0 + 3000);
      await waitFor('the live event', () => items.length >= 6, SOON);
      expect(items[5]?.type).to.equal('INCIDENT_EVENT_TYPE_HELD');
      stream.cancel();
      await waitFor('the watch to be released', () => server.watchCount() === 0, SOON);
    });

    it('WatchIncidents afterSequence=4 → events 5.. only', async () => {
      const stream = client.watchIncidents({ afterSequence: 4 });
      const { items } = collect<IncidentEvent__Output>(stream);
      await waitFor('replayed events', () => items.length >= 2, SOON);
      expect(items.map((e) => e.sequence)).to.deep.equal([5, 6]);
      stream.cancel();
      await waitFor('the watch to be released', () => server.watchCount() === 0, SOON);
    });

    it('WatchIncidents fromIncidentId=no-such → NOT_FOUND', async () => {
      const { ended } = collect(client.watchIncidents({ fromIncidentId: 'no-such' }));
      expect(await ended).to.equal(status.NOT_FOUND);
    });

    it('WatchIncidents with a 300 ms deadline → DEADLINE_EXCEEDED and the subscription is released', async () => {
      const { ended } = collect(client.watchIncidents({}, { deadline: Date.now() + 300 }));
      await waitFor('the watch to open', () => server.watchCount() === 1, SOON);
      expect(await ended).to.equal(status.DEADLINE_EXCEEDED);
      await waitFor('the watch to be released', () => server.watchCount() === 0 && history.subscriberCount === 0, SOON);
    });
  });
});

describe('grpc-server lifecycle', function () {
  this.timeout(60_000);

  it('health NOT_SERVING → SERVING → NOT_SERVING on close; a watch of a burst of 200 sees all in order and ends OK', async () => {
    const history = new IncidentHistory();
    const source = composeStatusSource(history, { getStatus: () => makeStatus(), listHosts: () => [] });
    const server = await startGrpcServer({ listen: '127.0.0.1:0', source, logger: recordingLogger() });
    const health = healthClient(server.address);
    const client = connect({ server: server.address });
    try {
      const statuses: string[] = [];
      const healthWatch = health.watch({ service: 'lastgasp.v1.Collector' });
      healthWatch.on('data', (m: { status: string }) => statuses.push(m.status));
      healthWatch.on('error', () => undefined);
      await waitFor('first health status', () => statuses.length >= 1, SOON);
      expect(statuses).to.deep.equal(['NOT_SERVING']);

      server.setServing(true);
      await waitFor('SERVING', () => statuses.length >= 2, SOON);
      const checked = await new Promise<string>((resolve, reject) =>
        health.check({ service: '' }, (err, res) => (err !== null || res === undefined ? reject(err ?? new Error('empty')) : resolve(res.status))),
      );
      expect(checked).to.equal('SERVING');

      const watch = client.watchIncidents({});
      const { items, ended } = collect<IncidentEvent__Output>(watch);
      await waitFor('the watch to open', () => server.watchCount() === 1, SOON);
      for (let i = 0; i < 200; i++) {
        history.recordIncidentEvent({ type: 'opened', incident: makeIncident({ id: `burst-${i}`, openedAt: T0 + i }) }, T0 + i, { node: `n${i}` });
      }
      await waitFor(`200 events (have ${items.length})`, () => items.length >= 200, SOON);
      expect(items.map((e) => e.incident?.id)).to.deep.equal(Array.from({ length: 200 }, (_, i) => `burst-${i}`));
      expect(items.map((e) => e.sequence)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));

      // The health watch stream stays open: close() must still finish, by cutting it after the grace period.
      const started = Date.now();
      await server.close(500);
      expect(Date.now() - started).to.be.below(15_000);
      expect(await ended).to.equal(status.OK);
      await waitFor('NOT_SERVING', () => statuses.length >= 3, SOON);
      expect(statuses).to.deep.equal(['NOT_SERVING', 'SERVING', 'NOT_SERVING']);
      expect(history.subscriberCount).to.equal(0);
    } finally {
      health.close();
      client.close();
      await server.close(0);
    }
  });

  it('listen=127.0.0.1:99999 → an error naming grpcListen', async () => {
    const source = composeStatusSource(new IncidentHistory(), { getStatus: () => makeStatus(), listHosts: () => [] });
    let error: unknown;
    try {
      await startGrpcServer({ listen: '127.0.0.1:99999', source, logger: recordingLogger() });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/grpcListen/);
  });
});
