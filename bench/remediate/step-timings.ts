// Where one remediation's time went, from the collector's own account (gRPC GetIncident): each step's
// start and duration, in ms from the incident's opening.
import { connect } from '@lastgasp/collector';

interface Stamp {
  seconds?: string | number | null;
  nanos?: number | null;
}

const ms = (t: Stamp | null | undefined): number | null =>
  t === null || t === undefined ? null : Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;

/** One line: `name +start/duration` per step, e.g. `fail-pods +120/640`. */
export async function stepTimings(grpcAddress: string, node: string): Promise<string> {
  const api = connect({ server: grpcAddress });
  try {
    const list = await api.listIncidents({ node });
    const id = list.incidents[0]?.id;
    if (id === undefined) return `no incident of ${node} on the collector`;
    const incident = await api.getIncident({ id });
    const opened = ms(incident.openTime) ?? 0;
    return incident.steps
      .map((s) => {
        const start = ms(s.startTime);
        const finish = ms(s.finishTime);
        if (start === null) return `${s.name} -`;
        return `${s.name} +${Math.round(start - opened)}/${finish === null ? '?' : Math.round(finish - start)}`;
      })
      .join(', ');
  } finally {
    api.close();
  }
}
