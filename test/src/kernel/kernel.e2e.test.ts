// The test bed itself against the real kernel: boot, run commands, arm netconsole from Node.js in the guest
// through configfs, panic, and see the panic line arrive at a UDP listener on the host side of the TAP.
import { expect } from 'chai';
import { bootGuest, consoleOnFailure, startUdpSink, type Guest, type UdpSink } from './index.js';

const HOST = '10.77.0.1';
const HOST6 = 'fd77::1';
const PORT = 6666;

/** Creates and enables a netconsole target via configfs; argv: name, remote ip, remote port, remote mac, extended. */
const ARM_NETCONSOLE = `
const fs = require('node:fs');
const [name, remoteIp, remotePort, remoteMac, extended] = process.argv.slice(1);
const dir = '/sys/kernel/config/netconsole/' + name;
fs.mkdirSync(dir);
const write = (attr, value) => fs.writeFileSync(dir + '/' + attr, value);
write('dev_name', 'eth0');
write('remote_ip', remoteIp);
write('remote_port', remotePort);
write('remote_mac', remoteMac);
write('extended', extended);
write('enabled', '1');
console.log(JSON.stringify(fs.readdirSync(dir).sort()));
console.log(fs.readFileSync(dir + '/enabled', 'utf8').trim());
`;

describe('kernel test bed (QEMU, Debian kernel)', function () {
  this.timeout(600_000);
  let vm: Guest | null = null;
  let sink: UdpSink | null = null;
  let sink6: UdpSink | null = null;
  consoleOnFailure(() => vm?.console() ?? null);

  before(async () => {
    vm = await bootGuest({
      hostAddresses: [`${HOST}/24`, `${HOST6}/64`],
      guestAddress: '10.77.0.2/24',
      guestAddress6: 'fd77::2/64',
    });
    console.log(
      `    boot: ${vm.bootMs} ms from starting QEMU to a ready guest command server (${vm.accel}); ` +
        `guest uptime then ${vm.guestUptimeAtReadyMs} ms; kernel ${vm.kernel.release}`,
    );
    sink = await startUdpSink(vm.network, HOST, PORT);
    sink6 = await startUdpSink(vm.network, HOST6, PORT);
  });

  after(async () => {
    await sink?.close();
    await sink6?.close();
    await vm?.stop();
  });

  function guest(): Guest {
    if (vm === null) throw new Error('guest not booted');
    return vm;
  }

  it('cat /proc/version prints the pinned kernel release', async () => {
    const result = await guest().run('cat /proc/version');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain(guest().kernel.release);
  });

  it('exit 3 with output on both streams returns code 3 and both outputs', async () => {
    const result = await guest().run('echo out; echo err >&2; exit 3');
    expect(result).to.include({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('a long-running process streams lines and stops on kill', async () => {
    const lines: string[] = [];
    const proc = guest().spawn('i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done', {
      onLine: (line) => lines.push(line),
    });
    const deadline = Date.now() + 60_000;
    while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(lines.slice(0, 2), `lines so far: ${JSON.stringify(lines)}`).to.deep.equal(['tick 0', 'tick 1']);
    proc.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit).to.include({ signal: 'SIGTERM', guestGone: false });
  });

  it('the guest reaches the host side of the TAP over IPv4 and IPv6', async () => {
    const script = `
      const s = require('node:dgram').createSocket(process.argv[1].includes(':') ? 'udp6' : 'udp4');
      s.send('reach ' + process.argv[1], ${PORT}, process.argv[1], (e) => { if (e) throw e; s.close(); });`;
    for (const [address, listener] of [[HOST, sink], [HOST6, sink6]] as const) {
      const result = await guest().run(`node -e "$SCRIPT" ${address}`, { env: { SCRIPT: script } });
      expect(result.code, result.stderr).to.equal(0);
      const got = await listener?.waitFor(new RegExp(`^reach ${address}$`), 30_000);
      expect(got?.source).to.equal(address === HOST ? guest().address : guest().address6);
    }
  });

  it('sysrq-c after arming netconsole from Node.js sends the panic line to the host', async () => {
    const vmNow = guest();
    const tapMac = (await vmNow.network.run('cat', [`/sys/class/net/${vmNow.network.tapName}/address`])).stdout.trim();
    const armed = await vmNow.run(`node -e "$SCRIPT" lastgasp-test ${HOST} ${PORT} ${tapMac} 1`, {
      env: { SCRIPT: ARM_NETCONSOLE },
    });
    expect(armed.code, armed.stderr).to.equal(0);
    console.log(`    netconsole target attributes: ${armed.stdout.split('\n')[0]}`);
    expect(armed.stdout.split('\n')[1]).to.equal('1');

    const marker = `lastgasp-e2e-${Date.now()}`;
    await vmNow.run(`echo "<4>${marker}" > /dev/kmsg`);
    await sink?.waitFor(new RegExp(`^12,\\d+,\\d+,-;${marker}`), 30_000);

    const before = sink?.datagrams().length ?? 0;
    const panicked = await vmNow.panic({ timeoutMs: 120_000 });
    const line = await sink?.waitFor(/^0,\d+,\d+,-;Kernel panic - not syncing: sysrq triggered crash/, 30_000);
    const count = (sink?.datagrams().length ?? 0) - before;
    console.log(`    panic: QEMU gone ${panicked.elapsedMs} ms after the trigger; ${count} datagrams from the panic`);
    expect(line?.source).to.equal(vmNow.address);
    expect(line?.sourcePort).to.equal(6665);
  });
});
