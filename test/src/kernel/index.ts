// @lastgasp/testbed/kernel — Debian's kernel booted under QEMU, for tests against a real kernel.
//
//   const vm = await bootGuest({ hostAddresses: ['10.77.0.1/24'], guestAddress: '10.77.0.2/24', log });
//   vm.netns                                   // network namespace; start host-side peers in it:
//   vm.network.spawn(file, args)               //   `ip netns exec <netns> file args`
//   const sink = await startUdpSink(vm.network, '10.77.0.1', 6666);
//   await vm.run('cat /proc/version')          // → { code, signal, stdout, stderr, guestGone }
//   const agent = vm.spawn('node agent.js …', { env, onLine })  // long-running; agent.kill(), agent.exited
//   await vm.panic()                            // sysrq-c; resolves when QEMU has exited
//   vm.console()                                // serial console so far (attach it to failures)
//   await vm.stop()                             // idempotent: QEMU, namespace, TAP, temp files
//
// The guest runs the host's own root file system read-only (over 9p) with tmpfs /tmp and /run, so the
// host's Node.js and this checkout are usable in the guest at the same paths. /sys/kernel/config
// (configfs, netconsole loaded) and /sys/kernel/debug are mounted. More modules of the guest kernel:
// `vm.run(vm.modprobeCommand('loop'))`. Boot options: see BootGuestOptions. Needs root, qemu-system-x86,
// busybox-static, cpio, kmod, iproute2 (assertPrerequisites names what is missing). Everything started is
// also removed when the test process gets SIGINT/SIGTERM. Env: LASTGASP_KERNEL=6.1|6.12|7.3 picks the
// kernel line (kernel-matrix.ts; bootGuest's `kernel` option wins), LASTGASP_KERNEL_VERSION overrides the
// pinned 6.1 (test/kernel/versions.env), LASTGASP_QEMU_ACCEL=tcg|kvm forces the accelerator,
// LASTGASP_CACHE moves the cache.
export { bootGuest, type BootGuestOptions, type Guest, type PanicResult } from './guest.js';
export type { GuestCommandResult, GuestExit, GuestProcess, GuestSpawnOptions } from './guest-channel.js';
export { KernelTestBedError, type KernelTestBedErrorCode } from './errors.js';
export { ensureKernelPackage, kernelVersion, type KernelPackage } from './kernel-package.js';
export { defaultKernelId, KERNEL_LINES, kernelLine, type KernelId, type KernelLine } from './kernel-matrix.js';
export { createNetns, type Netns, type NetnsOptions } from './netns.js';
export { assertPrerequisites, missingPrerequisites } from './prerequisites.js';
export { startUdpSink, type SunkDatagram, type UdpSink } from './udp-sink.js';
export { consoleOnFailure } from './mocha-console.js';
