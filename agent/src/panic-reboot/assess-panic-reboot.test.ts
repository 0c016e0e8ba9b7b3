import { expect } from 'chai';
import { decidePanicReboot, netconsoleIsNbcon, panicRebootMessage, parseConsoles, parsePanicSeconds } from './assess-panic-reboot.js';

// /proc/consoles as Debian's 7.3.4 and 6.12 print it with one netconsole target enabled (7.3.4 checked
// under QEMU; the 8250 serial console is nbcon there too).
const CONSOLES_7_3 = 'ttyS0                -W- (EC Np a)    4:64\nnetcon0              -W- (E  N   )\n';
const CONSOLES_6_12 = 'ttyS0                -W- (EC  p a)    4:64\nnetcon_ext0          -W- (E      )\n';
const CONSOLES_NO_TARGET = 'ttyS0                -W- (EC Np a)    4:64\n';

describe('the panic-reboot check (nbcon netconsole + kernel.panic)', () => {
  it('parses /proc/consoles lines', () => {
    expect(parseConsoles(CONSOLES_7_3)).to.deep.equal([
      { name: 'ttyS0', flags: 'EC Np a' },
      { name: 'netcon0', flags: 'E  N   ' },
    ]);
  });
  it('7.3: netcon0 with flag N → nbcon; 6.12: netcon_ext0 without → legacy; no target or no file → unknown', () => {
    expect(netconsoleIsNbcon(CONSOLES_7_3)).to.equal(true);
    expect(netconsoleIsNbcon(CONSOLES_6_12)).to.equal(false);
    // The serial console's N says nothing about netconsole.
    expect(netconsoleIsNbcon(CONSOLES_NO_TARGET)).to.equal(null);
    expect(netconsoleIsNbcon(null)).to.equal(null);
  });
  it('kernel.panic values', () => {
    expect(parsePanicSeconds('10\n')).to.equal(10);
    expect(parsePanicSeconds('-1\n')).to.equal(-1);
    expect(parsePanicSeconds('0')).to.equal(0);
    expect(parsePanicSeconds('')).to.equal(null);
    expect(parsePanicSeconds(null)).to.equal(null);
  });

  const cases = [
    { name: 'legacy console, panic=10', nbcon: false, panic: 10, remedy: 'set-panic-zero', protect: null, want: 'sends' },
    { name: 'nbcon, panic=0', nbcon: true, panic: 0, remedy: 'report', protect: null, want: 'sends' },
    { name: 'nbcon, panic=10, report only', nbcon: true, panic: 10, remedy: 'report', protect: null, want: 'suppressed' },
    { name: 'nbcon, panic=-1 (reboot at once), remedy on', nbcon: true, panic: -1, remedy: 'set-panic-zero', protect: false, want: 'set-zero' },
    { name: 'nbcon, panic=10, remedy on, kubelet config unreadable', nbcon: true, panic: 10, remedy: 'set-panic-zero', protect: null, want: 'set-zero' },
    { name: 'nbcon, panic=10, remedy on, protectKernelDefaults', nbcon: true, panic: 10, remedy: 'set-panic-zero', protect: true, want: 'refuse' },
    { name: 'no netconsole console registered yet', nbcon: null, panic: 10, remedy: 'set-panic-zero', protect: null, want: 'sends' },
  ] as const;
  for (const c of cases) {
    it(`${c.name} → ${c.want}`, () => {
      const d = decidePanicReboot({ nbcon: c.nbcon, panicSeconds: c.panic, remedy: c.remedy, protectKernelDefaults: c.protect });
      expect(d.kind).to.equal(c.want);
    });
  }

  it('the message says what happens and what to do', () => {
    const message = panicRebootMessage({ nbcon: true, panicSeconds: 10, sendsPanic: false, remedy: 'off', detail: '' });
    expect(message).to.match(/^nbcon netconsole with kernel\.panic=10: the kernel reboots before netconsole sends the panic/);
    expect(message).to.contain('agent.panicReboot: set-panic-zero');
    expect(message).to.contain('watchdog');
    const refused = panicRebootMessage({ nbcon: true, panicSeconds: 10, sendsPanic: false, remedy: 'refused', detail: 'the kubelet has protectKernelDefaults: true' });
    expect(refused).to.contain('not setting kernel.panic=0: the kubelet has protectKernelDefaults: true');
  });
});
