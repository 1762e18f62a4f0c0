# shellcheck shell=bash disable=SC2016
# (SC2016: commands for the guest's shell are single-quoted on purpose.)
# tests/xen/running.sh - section xo_running of the Xen suite: a running
# guest resized, watched and reached through xenopsd (VM.set_memory,
# VM.set_vcpus, VM.stats, consoles, HOST.stat, HOST.dmesg, VM.set_xenstore,
# the guest's data/ and attr/, xenopsctl console), each against a witness
# that is not xenopsd: the guest's own view (its sysfs and counters, read
# through a shell on its console), xl, xenstore-read and dom0's sysfs.
# Sourced by suite.sh after xenops.sh (whose helpers it uses).

# The guest runs a shell on hvc0; dom0 types into the console's pty and
# reads the answers in xenconsoled's log of that console.

# xr_tty NAME: the pty xenconsoled publishes for NAME's console.
xr_tty() { xenstore-read "/local/domain/$(domid_of "$1")/console/tty"; }

# xr_sh NAME CMD [SECS]: run CMD in the guest's console shell; print what it
# printed (between two marks). The marks are typed with quotes in them, so
# that the terminal's echo of the command line never matches.
xr_sh() {
    local name=$1 cmd=$2 secs=${3:-60} log tty n
    # Unique without a counter: callers run this in $(...), a subshell.
    n=$(_xentb_cs)x$RANDOM$RANDOM
    log=$(console_log "$name")
    tty=$(xr_tty "$name") || return 1
    printf "echo XR-BE''GIN-%s; %s; echo XR-E''ND-%s\n" "$n" "$cmd" "$n" >"$tty" || return 1
    wait_for "$secs" grep -aq "^XR-END-$n" "$log" || { echo "no answer from the guest to: $cmd"; return 1; }
    tr -d '\r' <"$log" | sed -n "/^XR-BEGIN-$n\$/,/^XR-END-$n\$/p" | sed '1d;$d'
}

# xr_json_num JSON KEY: the first number after "KEY": in JSON.
xr_json_num() { sed -n "s/.*\"$2\":\(-\{0,1\}[0-9.e+]*\).*/\1/p" <<<"$1" | head -n 1; }
xr_stats() { xoctl --json stats "$1"; }
# awk_last2 VAR PROGRAM: run awk PROGRAM on the last two lines of VAR's text.
awk_last2() { tail -n 2 <<<"${!1}" | awk "$2"; }
# xr_dev_num JSON DEV KEY: KEY of the device object whose id is DEV.
xr_dev_num() {
    grep -o "{\"id\":\"$2\"[^}]*}" <<<"$1" | head -n 1 | sed -n "s/.*\"$3\":\([0-9]*\).*/\1/p"
}
xr_vcpu_ns() { grep -o "{\"id\":$2,[^}]*}" <<<"$1" | head -n 1 | sed -n 's/.*"time_ns":\([0-9]*\).*/\1/p'; }
# xr_near A B TOL: |A - B| <= TOL (integers).
xr_near() {
    local d=$(($1 - $2))
    [ "${d#-}" -le "$3" ] || { echo "$1 and $2 differ by more than $3"; return 1; }
}
# xr_xl_mem NAME: xl list's memory column (MiB).
xr_xl_mem() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
xr_xl_mem_near() { local m; m=$(xr_xl_mem "$1"); [ -n "$m" ] && xr_near "$m" "$2" "$3"; }
# xr_xl_vcpu_offline NAME N: xl vcpu-list shows vCPU N offline ('p' in its state).
xr_xl_vcpu_state() { xl vcpu-list "$1" 2>/dev/null | awk -v v="$2" 'NR > 1 && $3 == v { print $5 }'; }
xr_xl_vcpu_online() { case $(xr_xl_vcpu_state "$1" "$2") in ??p | '') return 1 ;; esac; }
# xr_field TEXT N: the Nth whitespace-separated word of TEXT (newlines too).
xr_field() { local -a w; read -r -d '' -a w <<<"$1"; echo "${w[$(($2 - 1))]}"; }
# xr_refused WORD CMD...: CMD fails with exit 11 (EINVAL) and names WORD.
xr_refused() {
    local out rc
    out=$("${@:2}" 2>&1)
    rc=$?
    echo "status $rc: $out"
    [ "$rc" = 11 ] && grep -q "$1" <<<"$out"
}
xr_guest_is() {
    local got
    got=$(xr_sh "$1" "$2")
    echo "the guest says '$got', want '$3'"
    [ "$got" = "$3" ]
}

# xr_dump NAME: what explains a guest that did not come up.
xr_dump() {
    echo "----- xl list"; xl list
    echo "----- xenstore of $1"; xenstore-ls -f "/local/domain/$(domid_of "$1")" 2>&1 | head -n 60
    echo "----- console of $1"; tail -n 30 "$(console_log "$1")"
    echo "----- xenopsd log"; tail -n 30 "$XO_LOG"
}

xr_running() {
    local d tty st s0 s1 g0 g1 t0 t1 x0 x1 o out v
    rm -rf /tmp/xr && mkdir -p /tmp/xr
    cat >/tmp/xr/guest-payload.sh <<'EOS'
#!/bin/sh
# A vCPU made available (cpu/N/availability = online) is only added by the
# kernel; a distribution's udev rule brings it online. The same here:
uevent sh -c '[ "$SUBSYSTEM" = cpu ] && [ "$ACTION" = add ] && echo 1 >"/sys$DEVPATH/online"' &
# A shell on the console for dom0 to type into.
echo XENTB-XR-SHELL
exec sh </dev/hvc0 >/dev/hvc0 2>&1
EOS
    chmod +x /tmp/xr/guest-payload.sh
    guest_initrd_with /tmp/xr /tmp/xr-initrd.gz
    printf '{"id": "xr", "name": "xr", "memory_mib": 256, "vcpus": 1, "vcpus_max": 2,
      "kernel": "%s", "ramdisk": "/tmp/xr-initrd.gz", "cmdline": "console=hvc0 loglevel=4"}\n' \
        "$XENTB_GUEST_KERNEL" >/tmp/xr.json
    check "xenopsctl vm add xr (256 MiB, 1 of 2 vCPUs)" xoctl vm add /tmp/xr.json || return
    dd if=/dev/zero of=/tmp/xr-disk.img bs=1M count=16 2>/dev/null
    check "vbd add xvdb" xoctl vbd add xr --device xvdb --backend file:/tmp/xr-disk.img
    check "vif add on xenbr0" xoctl vif add xr --bridge xenbr0 --mac 00:16:3e:00:70:01
    # A loaded host (TCG, other testbeds) can take minutes to boot a guest.
    # shellcheck disable=SC2034  # read by xo_boot
    local BOOT_SECS=420
    xo_boot xr || { xr_dump xr; xo_cleanup_vm xr; return; }
    check "the guest's console shell is up" wait_console xr XENTB-XR-SHELL 60
    check "guest got its disk" wait_console xr 'XENTB-GUEST-BLOCK-ADDED xvdb' 60
    d=$(xo_domid xr)
    check "the guest answers on its console" xr_guest_is xr 'echo $((6 * 7))' 42 || {
        xo_cleanup_vm xr; return; }

    # --- consoles: VM.stat lists the pty xenconsoled publishes ---
    tty=$(xr_tty xr)
    st=$(xoctl --json vm stat xr)
    check "VM.stat lists the console: vt100 on $tty (xenstore console/tty)" \
        grep -qF "\"consoles\":[{\"protocol\":\"vt100\",\"path\":\"$tty\"}]" <<<"$st"

    # --- memory ---
    check "guest target_kb is 262144 at start" \
        xr_guest_is xr 'cat /sys/devices/system/xen_memory/xen_memory0/target_kb' 262144
    check "vm set-memory xr 160M" xoctl vm set-memory xr 160M
    check "the guest's balloon target is 163840 KiB" \
        xr_guest_is xr 'cat /sys/devices/system/xen_memory/xen_memory0/target_kb' 163840
    check "xl list shows xr at about 160 MiB" xr_xl_mem_near xr 160 4
    st=$(xoctl --json vm stat xr)
    check "VM.stat: memory_target 160 MiB" test "$(xr_json_num "$st" memory_target)" = $((160 << 20))
    check "VM.stat: memory_actual within 4 MiB of 160 MiB (xl: $(xr_xl_mem xr))" \
        xr_near $(($(xr_json_num "$st" memory_actual) >> 20)) 160 4
    s0=$(xr_stats xr)
    check "VM.stats: memory max is the VM's 256 MiB, target 160 MiB" \
        text_has s0 "\"memory\":{\"target\":$((160 << 20)),\"actual\":[0-9]*,\"max\":$((256 << 20))}"
    check "vm set-memory xr 224M" xoctl vm set-memory xr 224M
    check "the guest's balloon target is 229376 KiB" \
        xr_guest_is xr 'cat /sys/devices/system/xen_memory/xen_memory0/target_kb' 229376
    check "xl list shows xr at about 224 MiB" xr_xl_mem_near xr 224 4
    check "a target above memory_mib is refused, naming the field" \
        xr_refused target xoctl vm set-memory xr 512M
    # A paused guest cannot balloon: the target is not reached, and that is said.
    check "vm pause xr" xoctl vm pause xr
    xoctl vm set-memory xr 128M --timeout 5 >/tmp/xr/unreached 2>&1
    o=$?
    cat /tmp/xr/unreached
    check "an unreachable target is reported (exit 17, not 0: got $o)" test "$o" = 17
    check "and said on stderr" grep -q "did not reach its memory target of 128 MiB" /tmp/xr/unreached
    out=$(xoctl --json vm set-memory xr 128M --timeout 3 2>/dev/null)
    check "its task result says reached false" grep -q '"reached":false' <<<"$out"
    check "vm unpause xr" xoctl vm unpause xr
    check "once running, the guest gets there (xl ~128 MiB)" wait_for 60 xr_xl_mem_near xr 128 4
    check "vm set-memory xr 256M (back)" xoctl vm set-memory xr 256M

    # --- vCPUs ---
    # An offline vCPU of a Linux PV guest is removed (no cpu1/ in sysfs): the
    # witness is the guest's list of online CPUs.
    check "vCPU 1 offline at start (guest)" xr_guest_is xr 'cat /sys/devices/system/cpu/online' 0
    check "vCPU 1 offline at start (xl vcpu-list)" _xentb_not xr_xl_vcpu_online xr 1
    check "vm set-vcpus xr 2" xoctl vm set-vcpus xr 2
    check "the guest brings cpu1 online" \
        wait_for 30 xr_guest_is xr 'cat /sys/devices/system/cpu/cpu1/online /sys/devices/system/cpu/online' '1
0-1'
    check "xl vcpu-list shows vCPU 1 online" wait_for 10 xr_xl_vcpu_online xr 1
    check "VM.stat: state.vcpus 2" sh -c "xenopsctl --socket $XO_SOCK --json vm stat xr | grep -q '\"state\":{.*\"vcpus\":2,'"
    check "a count above vcpus_max is refused, naming the field" xr_refused vcpus xoctl vm set-vcpus xr 3
    check "vm set-vcpus xr 1" xoctl vm set-vcpus xr 1
    check "the guest takes cpu1 offline" \
        wait_for 30 xr_guest_is xr 'cat /sys/devices/system/cpu/online' 0
    check "xl vcpu-list shows vCPU 1 offline" wait_for 10 _xentb_not xr_xl_vcpu_online xr 1
    xl vcpu-list xr

    # --- VM.stats: CPU time while the guest burns CPU ---
    s0=$(xr_stats xr)
    t0=$(xr_vcpu_ns "$s0" 0)
    xr_sh xr '(while :; do :; done) & echo $! >/run/burn' >/dev/null
    sleep 6
    # xl's reading (0.1 s steps) just before and just after xenopsd's (the guest burns on).
    x0=$(xl vcpu-list xr | awk 'NR > 1 && $3 == 0 { print int($6 * 1000) - 100 }')
    s1=$(xr_stats xr)
    x1=$(xl vcpu-list xr | awk 'NR > 1 && $3 == 0 { print int($6 * 1000) + 100 }')
    xr_sh xr 'kill $(cat /run/burn)' >/dev/null
    t1=$(xr_vcpu_ns "$s1" 0)
    note "vCPU 0 time: +$(((t1 - t0) / 1000000)) ms over 6 s of burning; xenopsd $((t1 / 1000000)) ms, xl vcpu-list $x0 ms before and $x1 ms after"
    check "vCPU 0 time grew by at least 1.5 s while the guest burned 6 s" \
        test $((t1 - t0)) -ge 1500000000
    check "vCPU 0 time is between xl vcpu-list's readings before and after" \
        test "$x0" -le $((t1 / 1000000)) -a $((t1 / 1000000)) -le "$x1"

    # --- VM.stats: the disk ---
    s0=$(xr_stats xr)
    g0=$(xr_sh xr 'cat /sys/block/xvdb/stat')
    xr_sh xr 'dd if=/dev/zero of=/dev/xvdb bs=4096 count=1024 conv=fsync 2>&1 | tail -n 1' 120
    xr_sh xr 'sync; echo 3 >/proc/sys/vm/drop_caches; dd if=/dev/xvdb of=/dev/null bs=4096 count=512 2>&1 | tail -n 1' 120
    g1=$(xr_sh xr 'cat /sys/block/xvdb/stat')
    s1=$(xr_stats xr)
    # /sys/block/X/stat: 1 reads, 3 sectors read, 5 writes, 7 sectors written.
    local gr_req=$(($(xr_field "$g1" 1) - $(xr_field "$g0" 1))) gr_sec=$(($(xr_field "$g1" 3) - $(xr_field "$g0" 3)))
    local gw_req=$(($(xr_field "$g1" 5) - $(xr_field "$g0" 5))) gw_sec=$(($(xr_field "$g1" 7) - $(xr_field "$g0" 7)))
    local wr_sec=$(($(xr_dev_num "$s1" xvdb wr_sectors) - $(xr_dev_num "$s0" xvdb wr_sectors)))
    local wr_req=$(($(xr_dev_num "$s1" xvdb wr_reqs) - $(xr_dev_num "$s0" xvdb wr_reqs)))
    local rd_sec=$(($(xr_dev_num "$s1" xvdb rd_sectors) - $(xr_dev_num "$s0" xvdb rd_sectors)))
    local rd_req=$(($(xr_dev_num "$s1" xvdb rd_reqs) - $(xr_dev_num "$s0" xvdb rd_reqs)))
    note "xvdb: xenopsd wr +$wr_req req +$wr_sec sect, rd +$rd_req req +$rd_sec sect; guest wr +$gw_req req +$gw_sec sect, rd +$gr_req req +$gr_sec sect"
    check "written sectors: the 4 MiB the guest wrote (8192, +256 at most)" \
        sh -c "[ $wr_sec -ge 8192 ] && [ $wr_sec -le $((8192 + 256)) ]"
    check "written sectors = the guest's own count ($gw_sec)" xr_near "$wr_sec" "$gw_sec" 64
    check "write requests: some, at most the guest's count + 8 ($wr_req, guest $gw_req)" \
        sh -c "[ $wr_req -ge 1 ] && [ $wr_req -le $((gw_req + 8)) ]"
    check "read sectors: the 2 MiB the guest read (4096, readahead allowed to 8192)" \
        sh -c "[ $rd_sec -ge 4096 ] && [ $rd_sec -le 8192 ]"
    check "read sectors = the guest's own count ($gr_sec)" xr_near "$rd_sec" "$gr_sec" 64

    # --- VM.stats: the network ---
    check "guest eth0 up as 10.99.0.2" \
        xr_sh xr 'ip link set eth0 up && ip addr add 10.99.0.2/24 dev eth0 && echo ok'
    xr_sh xr 'ping -c 2 -W 5 10.99.0.1 >/dev/null 2>&1; echo warm' 30 >/dev/null
    sleep 1
    s0=$(xr_stats xr)
    g0=$(xr_sh xr 'cat /sys/class/net/eth0/statistics/tx_packets /sys/class/net/eth0/statistics/tx_bytes /sys/class/net/eth0/statistics/rx_packets /sys/class/net/eth0/statistics/rx_bytes')
    x0=$(cat "/sys/class/net/vif$d.0/statistics/rx_bytes")
    out=$(xr_sh xr 'ping -c 10 -s 1000 10.99.0.1 2>&1 | tail -n 2' 90)
    echo "$out"
    g1=$(xr_sh xr 'cat /sys/class/net/eth0/statistics/tx_packets /sys/class/net/eth0/statistics/tx_bytes /sys/class/net/eth0/statistics/rx_packets /sys/class/net/eth0/statistics/rx_bytes')
    x1=$(cat "/sys/class/net/vif$d.0/statistics/rx_bytes")
    s1=$(xr_stats xr)
    local gtp=$(($(xr_field "$g1" 1) - $(xr_field "$g0" 1))) gtb=$(($(xr_field "$g1" 2) - $(xr_field "$g0" 2)))
    local grp=$(($(xr_field "$g1" 3) - $(xr_field "$g0" 3))) grb=$(($(xr_field "$g1" 4) - $(xr_field "$g0" 4)))
    local tp=$(($(xr_dev_num "$s1" 0 tx_packets) - $(xr_dev_num "$s0" 0 tx_packets)))
    local tb=$(($(xr_dev_num "$s1" 0 tx_bytes) - $(xr_dev_num "$s0" 0 tx_bytes)))
    local rp=$(($(xr_dev_num "$s1" 0 rx_packets) - $(xr_dev_num "$s0" 0 rx_packets)))
    local rb=$(($(xr_dev_num "$s1" 0 rx_bytes) - $(xr_dev_num "$s0" 0 rx_bytes)))
    note "vif 0: xenopsd tx +$tp pkts +$tb B, rx +$rp pkts +$rb B; guest eth0 tx +$gtp +$gtb, rx +$grp +$grb; dom0 vif$d.0 rx_bytes +$((x1 - x0))"
    check "the guest's 10 pings were answered" grep -q '10 packets received' <<<"$out"
    check "tx packets: at least the 10 pings" test "$tp" -ge 10
    check "tx packets = the guest's own count ($gtp, +-2)" xr_near "$tp" "$gtp" 2
    check "tx bytes = the guest's own count ($gtb, +-256)" xr_near "$tb" "$gtb" 256
    check "tx bytes: at least 10 x 1028" test "$tb" -ge $((10 * 1028))
    check "rx packets = the guest's own count ($grp, +-2)" xr_near "$rp" "$grp" 2
    check "rx bytes = the guest's own count ($grb, +-256)" xr_near "$rb" "$grb" 256
    check "tx bytes are dom0's vif rx_bytes ($((x1 - x0)), +-256)" xr_near "$tb" $((x1 - x0)) 256
    check "drops reported (tx_drops, rx_drops present)" \
        text_has s1 '"tx_drops":[0-9]' '"rx_drops":[0-9]'
    check "stats has a monotonic timestamp that moves" \
        sh -c "awk -v a=$(xr_json_num "$s0" time) -v b=$(xr_json_num "$s1" time) 'BEGIN { exit !(b > a) }'"
    check "stats of every VM lists xr" sh -c "xenopsctl --socket $XO_SOCK --json stats | grep -q '\"id\":\"xr\"'"
    check "stats --prometheus has xr's counters" \
        sh -c "xenopsctl --socket $XO_SOCK stats --prometheus | grep -q '^xenops_vm_vif_transmit_packets_total{vm=\"xr\",vif=\"0\"} [0-9]'"

    # --- HOST.stat against xl info ---
    xl info >/tmp/xr/xl-info
    xl info -n >/tmp/xr/xl-info-n 2>&1
    st=$(xoctl --json host)
    echo "$st"
    v=$(awk -F': ' '$1 ~ /^xen_version/ { print $2 }' /tmp/xr/xl-info)
    check "HOST.stat xen_version is xl's ($v)" grep -qF "\"xen_version\":\"$v\"" <<<"$st"
    for o in nr_cpus threads_per_core cores_per_socket; do
        v=$(awk -v k="$o" '$1 == k { print $3 }' /tmp/xr/xl-info)
        check "HOST.stat $o is xl's ($v)" test "$(xr_json_num "$st" "$o")" = "$v"
    done
    v=$(awk '$1 == "nr_nodes" { print $3 }' /tmp/xr/xl-info)
    check "HOST.stat lists xl's $v NUMA node(s)" \
        test "$(grep -o '"numa_nodes":\[[^]]*\]' <<<"$st" | grep -o '"id":' | wc -l)" = "$v"
    v=$(awk '$1 == "free_memory" { print $3 }' /tmp/xr/xl-info)
    check "node 0's free memory is xl's free_memory ($v MiB, +-8)" \
        xr_near $(($(grep -o '"numa_nodes":\[[^]]*\]' <<<"$st" | sed -n 's/.*"free_memory":\([0-9]*\).*/\1/p') >> 20)) "$v" 8
    v=$(awk '$1 == "total_memory" { print $3 }' /tmp/xr/xl-info)
    check "node 0's memory is about xl's total_memory ($v MiB, +-64)" \
        xr_near $(($(grep -o '"numa_nodes":\[[^]]*\]' <<<"$st" | sed -n 's/.*"total_memory":\([0-9]*\).*/\1/p') >> 20)) "$v" 64

    # --- HOST.dmesg against xl dmesg ---
    xoctl host dmesg >/tmp/xr/xo-dmesg
    # As HOST.dmesg gives it: other bytes than printable ASCII, tab and newline as '?'
    # (sed, not tr: dom0's tr may know no character classes).
    xl dmesg | LC_ALL=C sed "s/[^[:print:]$(printf '\t')]/?/g" >/tmp/xr/xl-dmesg
    check "host dmesg is not empty" test -s /tmp/xr/xo-dmesg
    check "host dmesg's last 20 lines are in xl dmesg (read after)" \
        sh -c 'wc -lc /tmp/xr/xo-dmesg /tmp/xr/xl-dmesg; tail -n 20 /tmp/xr/xo-dmesg | grep -vxF -f /tmp/xr/xl-dmesg | cat -A | { ! grep .; }'
    # (The first line may be cut where the ring wrapped.)
    check "xl dmesg's first 20 lines are in host dmesg" \
        sh -c 'sed 1d /tmp/xr/xl-dmesg | head -n 20 | grep -vxF -f /tmp/xr/xo-dmesg | cat -A | { ! grep .; }'
    # The banner is the ring's first line until the ring wraps: after a long
    # run (many domains built) it has scrolled out for xl too.
    if grep -q 'Xen version 4\.17' /tmp/xr/xl-dmesg; then
        check "host dmesg has the Xen version banner (as xl dmesg)" grep -q 'Xen version 4\.17' /tmp/xr/xo-dmesg
    else
        skip "the Xen version banner: it has left Xen's console ring (xl dmesg lacks it too)"
    fi

    # --- VM.set_xenstore: dom0 writes and deletes under the guest's data/ ---
    check "vm set-xenstore xr data/xr-key hello" xoctl vm set-xenstore xr data/xr-key hello
    check "xenstore-read data/xr-key is hello" xs_is "/local/domain/$d/data/xr-key" hello
    check "the key is the guest's" xs_perms_are "/local/domain/$d/data/xr-key" "n$d"
    check "vm set-xenstore xr data/xr-key (delete)" xoctl vm set-xenstore xr data/xr-key
    check "xenstore-read data/xr-key fails" _xentb_not xenstore-read "/local/domain/$d/data/xr-key"
    check "a key outside data/ is refused" _xentb_not xoctl vm set-xenstore xr name evil
    check "the name is unchanged" xs_is "/local/domain/$d/name" xr

    # --- what the guest publishes in data/ and attr/ (xenstore wire protocol
    # written to /dev/xen/xenbus by printf: XS_WRITE = 11, little-endian) ---
    cat >/tmp/xr/xs-write.sh <<'EOS'
# xsw PATH VALUE: write PATH (relative to the guest's home) = VALUE (may hold \ooo escapes).
xsw() {
    p=$1; v=$(printf "$2"); n=$((${#p} + 1 + ${#v}))
    printf "\013\0\0\0\001\0\0\0\0\0\0\0\\$(printf %03o $((n % 256)))\\$(printf %03o $((n / 256)))\0\0%s\0%s" "$p" "$v" >/dev/xen/xenbus
}
EOS
    check "the guest writes data/ and attr/ keys itself" \
        xr_sh xr "$(cat /tmp/xr/xs-write.sh); xsw data/os-name busybox && xsw attr/eth0/ip 10.99.0.2 && xsw data/ctl 'a\\033[2Jb\\001c' && xsw data/long \$(printf '%0300d' 0) && echo wrote"
    check "xenstore-read shows the guest's data/os-name" wait_for 10 xs_is "/local/domain/$d/data/os-name" busybox
    st=$(xoctl --json vm stat xr)
    grep -o '"guest":{[^}]*}[^}]*' <<<"$st"
    check "VM.stat's guest data has data/os-name" grep -qF '"data/os-name":"busybox"' <<<"$st"
    check "and attr/eth0/ip" grep -qF '"attr/eth0/ip":"10.99.0.2"' <<<"$st"
    check "control characters are escaped ('?')" grep -qF '"data/ctl":"a?[2Jb?c"' <<<"$st"
    check "a 300-byte value is cut to 256 and flagged" \
        text_has st -E '"data/long":"0{256}"' '"guest_truncated":true'
    check "VM.stat (text) has no control characters" \
        sh -c "xenopsctl --socket $XO_SOCK vm stat xr | LC_ALL=C grep -aq '[[:cntrl:]]'; [ \$? = 1 ]"

    # --- xenopsctl console: type a command, read its output ---
    : >/tmp/xr/console.out
    { sleep 3; printf 'echo XR-CON""SOLE-$((40 + 2))\n'; sleep 5; printf '\035'; } |
        timeout 30 xenopsctl --socket "$XO_SOCK" console xr >/tmp/xr/console.out 2>/tmp/xr/console.err
    o=$?
    check "xenopsctl console exits on Ctrl-] (status $o)" test "$o" = 0
    check "the console shows the guest's answer to what was typed" \
        grep -aq 'XR-CONSOLE-42' /tmp/xr/console.out
    check "and the echo of the command line" grep -aqF 'XR-CON""SOLE' /tmp/xr/console.out
    check "the guest still answers after the console detached" xr_guest_is xr 'echo $((6 * 8))' 48

    # --- the end ---
    check "vm shutdown xr --force" xoctl vm shutdown xr --force
    check "xr is gone (xl)" wait_gone xr 30
    check "console of a halted VM: a clear error" \
        sh -c "xenopsctl --socket $XO_SOCK console xr </dev/null 2>&1 | grep -q 'not running'"
    xo_cleanup_vm xr
    rm -f /tmp/xr-disk.img /tmp/xr-initrd.gz
    assert_no_leftovers "after xo_running"
}

# Two busy guests (CPU, disk, network) watched with xenopsctl top and
# stats --prometheus; both outputs are printed between "-----" lines.
xr_running_top() {
    local g i out
    rm -rf /tmp/xt && mkdir -p /tmp/xt
    for i in 1 2; do
        mkdir -p "/tmp/xt/$i"
        cat >"/tmp/xt/$i/guest-payload.sh" <<EOS
#!/bin/sh
# Busy: a CPU burner, a disk writer and a pinger.
while [ ! -b /dev/xvdb ] || [ ! -e /sys/class/net/eth0 ]; do sleep 1; done
ip link set eth0 up; ip addr add 10.99.0.1$i/24 dev eth0
(while :; do :; done) &
(while :; do dd if=/dev/zero of=/dev/xvdb bs=64k count=64 conv=fsync 2>/dev/null; sleep 1; done) &
(ping -s 1400 -i 0.2 10.99.0.1 >/dev/null 2>&1 || ping -s 1400 10.99.0.1 >/dev/null 2>&1) &
echo XENTB-XT-BUSY
EOS
        chmod +x "/tmp/xt/$i/guest-payload.sh"
        guest_initrd_with "/tmp/xt/$i" "/tmp/xt/initrd-$i.gz"
        g=busy$i
        printf '{"id": "%s", "name": "%s", "memory_mib": %d, "vcpus": 1,
          "kernel": "%s", "ramdisk": "/tmp/xt/initrd-%s.gz", "cmdline": "console=hvc0 loglevel=4"}\n' \
            "$g" "$g" $((96 + 32 * i)) "$XENTB_GUEST_KERNEL" "$i" >"/tmp/xt/$g.json"
        check "vm add $g" xoctl vm add "/tmp/xt/$g.json" || return
        dd if=/dev/zero of="/tmp/xt/$g.img" bs=1M count=8 2>/dev/null
        xoctl vbd add "$g" --device xvdb --backend "file:/tmp/xt/$g.img" >/dev/null
        xoctl vif add "$g" --bridge xenbr0 --mac "00:16:3e:00:71:0$i" >/dev/null
        # shellcheck disable=SC2034  # read by xo_boot
        local BOOT_SECS=420
        xo_boot "$g" || { xr_dump "$g"; xo_cleanup_vm "$g"; return; }
    done
    check "both guests are busy" wait_console busy1 XENTB-XT-BUSY 60
    check "both guests are busy (2)" wait_console busy2 XENTB-XT-BUSY 60
    sleep 5
    out=$(xoctl top --iterations 3)
    echo "----- xenopsctl top --iterations 3 (testbed, two busy guests)"
    echo "$out"
    echo "-----"
    check "top shows busy1 and busy2" text_has out '^busy1 ' '^busy2 '
    # The last frame: both burn CPU (column 3 is CPU %).
    check "top: both use CPU (> 10 %)" \
        awk_last2 out '$1 !~ /^busy/ || $3 + 0 <= 10 { exit 1 }'
    out=$(xoctl stats --prometheus)
    echo "----- xenopsctl stats --prometheus (testbed, two busy guests)"
    echo "$out"
    echo "-----"
    check "prometheus: counters of both" \
        text_has out 'xenops_vm_cpu_seconds_total{vm="busy1"' 'xenops_vm_vbd_written_bytes_total{vm="busy2"'
    for g in busy1 busy2; do
        xoctl vm shutdown "$g" --force >/dev/null
        xo_cleanup_vm "$g"
    done
    rm -rf /tmp/xt
    assert_no_leftovers "after xo_running_top"
}

# xr_with_daemon FUNCTION: run FUNCTION with xenopsd up (started here when
# no section before did, and then stopped on every way out: a daemon left
# running would hold the payload's output open) and dom0 on 10.99.0.1 of
# xenbr0.
xr_with_daemon() {
    local started=''
    if ! xoctl query >/dev/null 2>&1; then
        mkdir -p "$XO_STATE" /run
        check "xenopsd starts on the xen backend" xo_daemon_start || { xo_daemon_stop; return; }
        started=1
    fi
    brctl addbr xenbr0 2>/dev/null
    ip link set xenbr0 up
    ip addr add 10.99.0.1/24 dev xenbr0 2>/dev/null
    "$1"
    ip addr del 10.99.0.1/24 dev xenbr0 2>/dev/null
    [ -z "$started" ] || xo_daemon_stop
}
section_xo_running() { xr_with_daemon xr_running; }
section_xo_running_top() { xr_with_daemon xr_running_top; }

# shellcheck disable=SC2034  # used by suite.sh, which sources this file
RUNNING_SECTIONS=(xo_running xo_running_top)
