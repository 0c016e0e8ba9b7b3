#!/bin/sh
# /init of the test bed's initramfs (busybox sh). Kernel command line parameters it reads:
#   lastgasp.ip=ADDR/LEN      IPv4 address of eth0 (required)
#   lastgasp.ip6=ADDR/LEN     optional IPv6 address of eth0 (duplicate address detection off)
#   lastgasp.gw=ADDR          optional IPv4 default gateway
#   lastgasp.server=PATH      guest command server script, a path on the host root
#   lastgasp.node=PATH        Node.js binary on the host root
# Modules are loaded in the order of /etc/modules.order (dependencies first, computed at build time).
# The host's root is mounted read-only over 9p at /host, with /proc, /dev and /sys (recursively: configfs
# and debugfs are submounts) bound into it and a tmpfs on /host/tmp (the checkout, when it lives under /tmp,
# bound back in); the command server runs chrooted there.
export PATH=/bin
fail() { echo "lastgasp-init: $*" >/dev/console; sleep 1; poweroff -f; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm

while read -r mod; do
  insmod "/lib/modules/$mod" || fail "insmod $mod failed"
done </etc/modules.order

mount -t configfs configfs /sys/kernel/config || fail "mount configfs"
mount -t debugfs debugfs /sys/kernel/debug || true

ip4='' ip6='' gw='' server='' node=''
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    lastgasp.ip=*) ip4="${arg#lastgasp.ip=}" ;;
    lastgasp.ip6=*) ip6="${arg#lastgasp.ip6=}" ;;
    lastgasp.gw=*) gw="${arg#lastgasp.gw=}" ;;
    lastgasp.server=*) server="${arg#lastgasp.server=}" ;;
    lastgasp.node=*) node="${arg#lastgasp.node=}" ;;
  esac
done
[ -n "$ip4" ] || fail "lastgasp.ip missing on the kernel command line"

ip link set lo up
ip link set eth0 up || fail "no eth0"
ip addr add "$ip4" dev eth0 || fail "ip addr add $ip4"
if [ -n "$ip6" ]; then
  echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad
  ip -6 addr add "$ip6" dev eth0 || fail "ip addr add $ip6"
fi
if [ -n "$gw" ]; then ip route add default via "$gw" || fail "default route via $gw"; fi

mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /host || fail "mount 9p hostroot"
mount --bind /proc /host/proc
mount --bind /dev /host/dev
mount --rbind /sys /host/sys
# The guest gets its own writable /tmp, but a checkout that lives under the host's /tmp (a CI clone,
# say) must stay visible: keep a handle on the host's /tmp and bind the command server's top-level
# folder there back in, read-only like the rest of the host.
mkdir -p /hosttmp
mount --bind /host/tmp /hosttmp
mount -t tmpfs -o mode=1777 tmpfs /host/tmp
case "$server" in
  /tmp/?*)
    top="${server#/tmp/}"
    top="${top%%/*}"
    mkdir -p "/host/tmp/$top"
    mount --bind "/hosttmp/$top" "/host/tmp/$top" || fail "bind /tmp/$top"
    ;;
esac
mount -t tmpfs tmpfs /host/run

port=''
for p in /sys/class/virtio-ports/*; do
  [ "$(cat "$p/name" 2>/dev/null)" = "lastgasp.cmd" ] && port="/dev/$(basename "$p")"
done
[ -n "$port" ] || fail "virtio-serial port lastgasp.cmd not found"

echo "lastgasp-init: ready to start the command server on $port" >/dev/console
chroot /host "$node" "$server" "$port"
echo "lastgasp-init: command server exited with status $?" >/dev/console
poweroff -f
