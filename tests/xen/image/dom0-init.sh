#!/bin/sh
# /init of the testbed's dom0 (PID 1, busybox sh; installed by build.sh).
# Brings up what a Xen dom0 toolstack needs (xenfs, the backend modules,
# xenstored, xen-init-dom0, xenconsoled), runs /xentb/payload.sh (put there by
# run.sh) and powers the machine off.
#
# The payload's output goes to the console and, when qemu gives dom0 a second
# UART (ttyS1), there too, so that run.sh reads it without Xen's messages
# mixed in. Markers on the console, read by run.sh:
#   XENTB-DOM0-READY ...        Xen services up; the payload starts
#   XENTB-PAYLOAD-EXIT=<rc>     the payload finished with exit status <rc>
#   XENTB-DOM0-FAILED: <why>    bring-up failed (then XENTB-PAYLOAD-EXIT=125)
#
# dom0 kernel command line options:
#   xentb.xenstored=oxenstored  the OCaml xenstored instead of the C one
#   xentb.shell=1               a shell on the console after the payload

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin
HOME=/root
export PATH HOME
XENBIN=/usr/lib/xen-4.17/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
# What udev would add. Xen's hotplug scripts lock with flock on /dev/stdin
# style paths and loop forever when these links are missing.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
exec </dev/console >/dev/console 2>&1

opt() {
    read -r cmdline </proc/cmdline
    for w in $cmdline; do
        case $w in "xentb.$1="*) echo "${w#*=}" ;; esac
    done
}
uptime_s() { read -r u _ </proc/uptime; echo "$u"; }
halt_machine() {
    poweroff -f
    while :; do sleep 60; done
}
failed() {
    echo "XENTB-DOM0-FAILED: $*"
    echo "XENTB-PAYLOAD-EXIT=125"
    halt_machine
}

echo "XENTB-DOM0-INIT uptime=$(uptime_s)"
hostname dom0
ip link set lo up
for m in xen-evtchn xenfs xen-privcmd xen-gntdev xen-gntalloc xen-blkback xen-netback loop bridge tun; do
    modprobe "$m" || echo "xentb: modprobe $m failed"
done
mount -t xenfs xenfs /proc/xen || failed "cannot mount xenfs: not running on Xen?"
grep -q control_d /proc/xen/capabilities || failed "this kernel is not Xen's dom0"
# The run overlay may have brought libraries to /usr/local/lib.
ldconfig

mkdir -p /run/lock /run/xen /run/xenstored /var/lib/xen /var/lib/xenstored /var/log/xen/console
XENSTORED=$(opt xenstored)
XENSTORED=${XENSTORED:-xenstored}
case $XENSTORED in
    xenstored | oxenstored) ;;
    *) failed "unknown xentb.xenstored=$XENSTORED" ;;
esac
XENSTORED_ROOTDIR=/var/lib/xenstored "$XENBIN/$XENSTORED" --pid-file /run/xenstored.pid ||
    failed "$XENSTORED did not start"
n=0
until xenstore-exists / 2>/dev/null; do
    n=$((n + 1))
    [ $n -lt 100 ] || failed "$XENSTORED does not answer"
    sleep 0.2
done
"$XENBIN/xen-init-dom0" >/dev/null || failed "xen-init-dom0 failed"
"$XENBIN/xenconsoled" --pid-file=/run/xenconsoled.pid --log=guest \
    --log-dir=/var/log/xen/console || failed "xenconsoled did not start"

# Second UART for the payload's output, if qemu provides one.
OUT=/dev/null
OUTNAME=none
if grep -q '^1: uart:16550' /proc/tty/driver/serial 2>/dev/null &&
    stty -F /dev/ttyS1 115200 raw -echo 2>/dev/null; then
    OUT=/dev/ttyS1
    OUTNAME=ttyS1
fi

XEN=$(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor)$(cat /sys/hypervisor/version/extra)
echo "XENTB-DOM0-READY uptime=$(uptime_s) xen=$XEN xenstored=$XENSTORED out=$OUTNAME"

rc=127
if [ -f /xentb/payload.sh ]; then
    cd /xentb || failed "no /xentb"
    # run.sh's --env settings.
    set -a
    # shellcheck disable=SC1091  # written by run.sh
    [ ! -f /xentb/env ] || . /xentb/env
    set +a
    chmod +x payload.sh
    { ./payload.sh </dev/null; echo $? >/run/payload.rc; } 2>&1 | tee "$OUT"
    rc=$(cat /run/payload.rc 2>/dev/null || echo 126)
    cd /
else
    echo "xentb: no payload at /xentb/payload.sh"
fi
echo
echo "XENTB-PAYLOAD-EXIT=$rc"
if [ "$(opt shell)" = 1 ]; then
    echo "xentb: shell on the console; exit it to power off"
    setsid cttyhack sh -l
fi
halt_machine
