// docker-compose.yml, validated and resolved by docker-compose itself (`docker-compose config`, no
// Docker engine needed), then checked for what the stack relies on: k3s reachable by its service name,
// health-gated start order, the sender on the node's address, and every mounted file present.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { readPcapUdp } from '../compose/replay-send.mjs';
import { parseDockerfile } from './dockerfile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  depends_on?: Record<string, { condition: string }>;
  network_mode?: string;
  profiles?: string[];
  cap_add?: string[];
  healthcheck?: { test: string[] };
  volumes?: Array<string | { type: string; source: string; target: string }>;
}

function compose(args: string[]): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COMPOSE_') && !k.startsWith('DOCKER_')));
  return new Promise((resolve, reject) => {
    execFile('docker-compose', ['--project-directory', ROOT, '-f', join(ROOT, 'docker-compose.yml'), ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker-compose ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Host paths of bind mounts, from short ("src:dst[:mode]") or long syntax. Named volumes are skipped. */
function bindSources(service: Service): string[] {
  return (service.volumes ?? []).flatMap((v) => {
    if (typeof v === 'string') {
      const source = v.split(':')[0] ?? '';
      return source.startsWith('/') ? [source] : [];
    }
    return v.type === 'bind' ? [v.source] : [];
  });
}

function service(services: Record<string, Service>, name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

describe('docker-compose.yml', function () {
  this.timeout(120_000);
  let services: Record<string, Service> = {};

  before(async () => {
    const resolved = parse(await compose(['--profile', 'death', 'config'])) as { services: Record<string, Service> };
    services = resolved.services;
  });

  it('names the k3s, collector and panic-sender services, and the death profile\'s node-dies and last-gasp', () => {
    expect(Object.keys(services).sort()).to.deep.equal(['collector', 'k3s', 'last-gasp', 'node-dies', 'panic-sender']);
  });

  it('runs a rancher/k3s server whose certificate names the service (--tls-san=k3s) with a readiness healthcheck', () => {
    const k3s = service(services, 'k3s');
    expect(k3s.image).to.match(/^rancher\/k3s:v\d+\.\d+\.\d+-k3s\d+$/);
    expect(k3s.command?.[0]).to.equal('server');
    expect(k3s.command).to.include('--tls-san=k3s');
    expect(k3s.healthcheck?.test.join(' ')).to.contain('/readyz').and.contain('nodeincidents.lastgasp.dev');
  });

  it('builds the collector from its Dockerfile and starts it once k3s is healthy, pointed at https://k3s:6443', () => {
    const collector = service(services, 'collector');
    expect(collector.build?.dockerfile).to.equal('deploy/images/collector.Dockerfile');
    expect(existsSync(join(ROOT, collector.build?.dockerfile ?? ''))).to.equal(true);
    expect(collector.depends_on?.['k3s']?.condition).to.equal('service_healthy');
    const start = (collector.entrypoint ?? []).join(' ');
    expect(start).to.contain('https://k3s:6443').and.contain('serve --kubeconfig').and.contain('--config /etc/lastgasp/config.yaml');
    expect(collector.healthcheck?.test.join(' ')).to.contain('/readyz');
  });

  it("replays the panic from the k3s node's network namespace to the collector's netconsole port", () => {
    const sender = service(services, 'panic-sender');
    const config = parse(readFileSync(join(ROOT, 'deploy/compose/collector-config.yaml'), 'utf8')) as { udpListen: string };
    const udpPort = config.udpListen.split(':').at(-1);
    expect(udpPort).to.equal('6666');
    expect(sender.network_mode).to.equal('service:k3s');
    expect(sender.depends_on?.['collector']?.condition).to.equal('service_healthy');
    const from = parseDockerfile(readFileSync(join(ROOT, 'deploy/images/collector.Dockerfile'), 'utf8')).at(-1)?.image;
    expect(sender.image, 'the Node.js image of the collector').to.equal(from);
    expect(sender.entrypoint).to.include(`--to=collector:${udpPort ?? ''}`);
    expect(sender.entrypoint).to.include('--from-port=6665');
  });

  it('--profile death: the node falls silent (its kubelet port, which the probe connects to, dropped), then sends the same last gasp', () => {
    const dies = service(services, 'node-dies');
    const gasp = service(services, 'last-gasp');
    const sender = service(services, 'panic-sender');
    for (const s of [dies, gasp]) {
      expect(s.profiles).to.deep.equal(['death']);
      expect(s.network_mode).to.equal('service:k3s');
    }
    expect(sender.profiles, 'the default stack sends from a live node').to.equal(undefined);
    expect(dies.cap_add).to.deep.equal(['NET_ADMIN']);
    expect(dies.entrypoint?.join(' ')).to.equal('iptables -I INPUT ! -i lo -p tcp --dport 10250 -j DROP');
    expect(dies.image).to.equal(service(services, 'k3s').image);
    expect(gasp.depends_on?.['node-dies']?.condition).to.equal('service_completed_successfully');
    expect(gasp.entrypoint).to.deep.equal(sender.entrypoint);
    expect(gasp.volumes).to.deep.equal(sender.volumes);
  });

  for (const name of ['k3s', 'collector', 'panic-sender', 'last-gasp']) {
    it(`mounts only files that exist: ${name}`, () => {
      for (const source of bindSources(service(services, name))) {
        expect(existsSync(source), source).to.equal(true);
      }
    });
  }

  it('replays a capture that holds a kernel panic sent by netconsole', () => {
    const capture = join(ROOT, 'collector/fixtures/real-kernel/sysrq-panic-extended.pcap');
    const texts = readPcapUdp(readFileSync(capture)).map((d) => d.payload.toString('utf8'));
    expect(texts.some((t) => /^0,\d+,\d+,[^;]*;Kernel panic - not syncing/.test(t)), texts.slice(0, 5).join('\n')).to.equal(true);
  });
});
