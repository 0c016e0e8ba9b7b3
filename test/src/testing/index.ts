// @lastgasp/testbed/testing — what every test and benchmark shares: polling with a deadline, free
// ports, and capture files built from hand-made frames.
export { waitFor, WaitForTimeoutError, type WaitForOptions } from './wait-for.js';
export { freePort, freePorts, type FreePortOptions } from './free-port.js';
export {
  LINKTYPE,
  ethernet,
  frameFor,
  ipv4Udp,
  ipv6Udp,
  linuxSll,
  linuxSll2,
  writePcap,
  writePcapng,
  type CaptureRecord,
  type PcapngInterface,
  type UdpSpec,
} from './capture-writer.js';
