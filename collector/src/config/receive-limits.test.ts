import { expect } from 'chai';
import { DEFAULT_HISTORY_LIMITS } from '../api/incident-history.js';
import { DEFAULT_MAX_QUEUE, DEFAULT_MAX_QUEUE_BYTES } from '../ingest/udp-listener.js';
import { DEFAULT_PIPELINE_LIMITS, resolveLimits } from '../pipeline-limits.js';
import { defaultConfig } from './config.js';
import { defaultReceiveLimits, historyOptions, listenerQueueOptions, pipelineLimitOptions, seriesSettings, type ReceiveLimits } from './receive-limits.js';

describe('receive limits', () => {
  it('the defaults → exactly the stages\' own defaults', () => {
    const limits = defaultReceiveLimits();
    expect(resolveLimits(pipelineLimitOptions(limits))).to.deep.equal(DEFAULT_PIPELINE_LIMITS);
    expect(historyOptions(limits)).to.deep.equal(DEFAULT_HISTORY_LIMITS);
    expect(listenerQueueOptions(limits)).to.deep.equal({ maxQueue: DEFAULT_MAX_QUEUE, maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES });
  });

  it('every bound set to a distinct value → each lands on its stage option', () => {
    const limits: ReceiveLimits = {
      udpQueue: { datagrams: 1, bytes: 2 },
      fragments: { inFlight: 3, inFlightPerHost: 4, bytes: 5 },
      hosts: { node: { hosts: 6, bytes: 7 }, incident: { hosts: 8, bytes: 9 }, unknown: { hosts: 10, bytes: 11 } },
      history: { incidents: 12, incidentBytes: 13, incidentsPerUnknownSource: 14, events: 15, eventBytes: 16 },
      eventSeries: { series: 17, bytes: 18 },
      rateLimitedSources: 19,
    };
    const pipeline = resolveLimits(pipelineLimitOptions(limits));
    expect(pipeline.fragments).to.include({ maxInFlight: 3, maxInFlightPerHost: 4, maxBytesInFlight: 5 });
    expect(pipeline.hosts).to.deep.equal({
      node: { maxHosts: 6, maxBytes: 7 },
      incident: { maxHosts: 8, maxBytes: 9 },
      unknown: { maxHosts: 10, maxBytes: 11 },
    });
    expect(historyOptions(limits)).to.deep.equal({
      maxIncidents: 12,
      maxIncidentBytes: 13,
      maxIncidentsPerUnknownSource: 14,
      maxEvents: 15,
      maxEventBytes: 16,
    });
    expect(listenerQueueOptions(limits)).to.deep.equal({ maxQueue: 1, maxQueueBytes: 2 });
    const nonFatal = { ...defaultConfig({ identity: 'x', namespace: 'y' }).policy.nonFatal, seriesPeriodMs: 20, seriesRefreshMs: 21 };
    expect(seriesSettings(limits, nonFatal)).to.deep.equal({ periodMs: 20, refreshMs: 21, maxSeries: 17, maxBytes: 18 });
  });
});
