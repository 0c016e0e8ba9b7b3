// Takes real netconsole captures for the collector's fixtures: boots the guest once per scenario, arms a
// netconsole target from the guest's configfs, runs tcpdump on the TAP inside the namespace, provokes the
// scenario and writes <out>/<scenario>.pcap. Run as root:
//   npx tsx test/src/kernel/capture-panics.ts collector/fixtures/real-kernel [scenario ...]
// Env LASTGASP_KERNEL=6.12|7.3 takes the capture on a newer kernel line; the target then also gets what
// the agent sets there: release, userdata node=capture-node and (7.x) the sysdata switches msgid,
// cpu_nr and taskname.

import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bootGuest, startUdpSink, type Guest, type SunkDatagram, type UdpSink } from './index.js';

const HOST = '10.77.0.1';
const PORT = 6666;

interface Scenario {
  name: string;
  extended: boolean;
  panicTimeoutSeconds?: number;
  /** Provokes the scenario; resolves when what should arrive has arrived (or provably nothing more). */
  provoke(vm: Guest, sink: UdpSink): Promise<void>;
}

const panicLine = /Kernel panic - not syncing/;

async function waitQuiet(sink: UdpSink, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = sink.datagrams().length;
  let lastChange = Date.now();
  while (Date.now() < deadline) {
    await delay(200);
    const now = sink.datagrams().length;
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= quietMs) {
      return;
    }
  }
}

async function mustRun(vm: Guest, cmd: string): Promise<string> {
  const result = await vm.run(cmd, { timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`guest command failed (${result.code}): ${cmd}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

async function panicAndDrain(vm: Guest, sink: UdpSink, trigger: () => void, timeoutMs = 180_000): Promise<void> {
  trigger();
  await sink.waitFor(panicLine, timeoutMs);
  await vm.waitForExit(timeoutMs).catch(() => undefined);
  await waitQuiet(sink, 1500, 10_000);
}

/** An ext4 on a loop device, frozen, with hung_task_panic: the next write to it blocks until the panic. */
async function freezeForHungTask(vm: Guest): Promise<void> {
  await mustRun(vm, `${vm.modprobeCommand('loop')} && ${vm.modprobeCommand('ext4')}`);
  await mustRun(
    vm,
    'truncate -s 16M /tmp/fs.img && mkfs.ext4 -q /tmp/fs.img && mkdir -p /tmp/frozen && ' +
      'mount -o loop /tmp/fs.img /tmp/frozen && sysctl -w kernel.hung_task_timeout_secs=2 kernel.hung_task_panic=1 && ' +
      'fsfreeze -f /tmp/frozen',
  );
}

const SCENARIOS: Scenario[] = [
  {
    name: 'sysrq-panic-extended',
    extended: true,
    provoke: (vm, sink) => panicAndDrain(vm, sink, () => vm.sysrq('c')),
  },
  {
    name: 'sysrq-panic-extended-panic0',
    extended: true,
    panicTimeoutSeconds: 0,
    provoke: async (vm, sink) => {
      vm.sysrq('c');
      await sink.waitFor(/---\[ end Kernel panic/, 120_000);
      await waitQuiet(sink, 1500, 10_000);
    },
  },
  {
    name: 'hung-task-panic-panic0',
    extended: true,
    panicTimeoutSeconds: 0,
    provoke: async (vm, sink) => {
      await freezeForHungTask(vm);
      vm.spawn('echo blocked > /tmp/frozen/file');
      await sink.waitFor(/---\[ end Kernel panic/, 180_000);
      await waitQuiet(sink, 1500, 10_000);
    },
  },
  {
    name: 'sysrq-panic-legacy',
    extended: false,
    provoke: (vm, sink) => panicAndDrain(vm, sink, () => vm.sysrq('c')),
  },
  {
    name: 'userspace-fake-panic',
    extended: true,
    provoke: async (vm, sink) => {
      await mustRun(vm, 'echo "<0>Kernel panic - not syncing: fake" > /dev/kmsg');
      await sink.waitFor(/fake/, 30_000);
      await waitQuiet(sink, 3000, 15_000);
    },
  },
  {
    name: 'oom-panic',
    extended: true,
    provoke: async (vm, sink) => {
      await mustRun(vm, 'sysctl -w vm.panic_on_oom=1');
      await panicAndDrain(vm, sink, () => {
        vm.spawn('tail /dev/zero');
      });
    },
  },
  {
    name: 'hung-task-panic',
    extended: true,
    provoke: async (vm, sink) => {
      await freezeForHungTask(vm);
      await panicAndDrain(vm, sink, () => {
        vm.spawn('echo blocked > /tmp/frozen/file');
      });
    },
  },
];

const ARM = `
const fs = require('node:fs');
const [remoteMac, extended] = process.argv.slice(1);
const dir = '/sys/kernel/config/netconsole/capture';
fs.mkdirSync(dir);
for (const [attr, value] of [['dev_name', 'eth0'], ['remote_ip', '${HOST}'], ['remote_port', '${PORT}'],
  ['remote_mac', remoteMac], ['extended', extended]]) fs.writeFileSync(dir + '/' + attr, value);
const has = (name) => fs.existsSync(dir + '/' + name);
if (extended === '1' && has('release')) fs.writeFileSync(dir + '/release', '1');
if (extended === '1' && has('userdata')) {
  fs.mkdirSync(dir + '/userdata/node');
  fs.writeFileSync(dir + '/userdata/node/value', 'capture-node');
  for (const sw of ['msgid', 'cpu_nr', 'taskname']) {
    if (has('userdata/' + sw + '_enabled')) fs.writeFileSync(dir + '/userdata/' + sw + '_enabled', '1');
  }
}
fs.writeFileSync(dir + '/enabled', '1');
console.log(fs.readdirSync(dir).join(' ') + (has('userdata') ? ' | userdata: ' + fs.readdirSync(dir + '/userdata').join(' ') : ''));
`;

function summary(datagrams: readonly SunkDatagram[]): string {
  return datagrams
    .slice(0, 3)
    .map((d) => d.payload.toString('utf8').trimEnd().slice(0, 100))
    .join(' | ');
}

async function capture(scenario: Scenario, outDir: string): Promise<void> {
  const vm = await bootGuest({
    hostAddresses: [`${HOST}/24`],
    guestAddress: '10.77.0.2/24',
    panicTimeoutSeconds: scenario.panicTimeoutSeconds ?? -1,
  });
  let sink: UdpSink | null = null;
  const file = resolve(outDir, `${scenario.name}.pcap`);
  const tcpdump = vm.network.spawn('tcpdump', ['-i', vm.network.tapName, '-U', '-n', '-s', '0', '-w', file, 'udp', 'port', String(PORT)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const tcpdumpDone = new Promise<void>((r) => tcpdump.on('exit', () => r()));
  try {
    let stderr = '';
    tcpdump.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    while (!stderr.includes('listening on')) {
      if (tcpdump.exitCode !== null) throw new Error(`tcpdump exited: ${stderr}`);
      await delay(100);
    }
    sink = await startUdpSink(vm.network, HOST, PORT);
    const mac = (await vm.network.run('cat', [`/sys/class/net/${vm.network.tapName}/address`])).stdout.trim();
    const armed = await vm.run(`node -e "$SCRIPT" ${mac} ${scenario.extended ? 1 : 0}`, { env: { SCRIPT: ARM } });
    if (armed.code !== 0) throw new Error(`arming netconsole failed: ${armed.stderr}`);
    const t0 = Date.now();
    await scenario.provoke(vm, sink);
    const datagrams = sink.datagrams();
    console.log(`${scenario.name} on ${vm.kernel.release}: ${datagrams.length} datagrams in ${Date.now() - t0} ms, boot ${vm.bootMs} ms; ${summary(datagrams)}`);
    console.log(`  target: ${armed.stdout.trim()}`);
  } catch (err) {
    console.error(`${scenario.name} failed; console tail:\n${vm.console().split('\n').slice(-40).join('\n')}`);
    throw err;
  } finally {
    tcpdump.kill('SIGINT');
    await tcpdumpDone;
    await sink?.close();
    await vm.stop();
  }
  console.log(`  ${file}: ${(await stat(file)).size} bytes`);
}

async function main(): Promise<void> {
  const [outDir, ...only] = process.argv.slice(2);
  if (outDir === undefined) throw new Error('usage: capture-panics.ts <output dir> [scenario ...]');
  await mkdir(outDir, { recursive: true });
  const chosen = only.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => only.includes(s.name));
  for (const scenario of chosen) {
    try {
      await capture(scenario, outDir);
    } catch (err) {
      console.error(`${scenario.name}: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
}

await main();
