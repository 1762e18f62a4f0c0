#!/bin/bash
# tests/xen/image/build.sh - the Xen testbed image used by tests/xen/run.sh,
# made from Debian bookworm packages (Xen 4.17, a Debian 6.1 kernel as PV dom0
# and as guest kernel, busybox). Normally called by run.sh; two subcommands:
#
#   build.sh base OUTDIR
#       Make the base image in OUTDIR/base-<key>/, or reuse it if it is there,
#       and print that directory on stdout. <key> hashes the package files, the
#       files of this directory and the host programs copied in, so nothing is
#       rebuilt while they stay the same. The directory holds:
#         xen              the hypervisor, uncompressed (qemu's multiboot loader
#                          does not take the .gz)
#         vmlinuz          the kernel, for dom0 and for guests
#         dom0.cpio.gz     dom0's initramfs (guest kernel and initrd in /guest)
#         guest-initrd.gz  the guests' initramfs
#         busybox          static busybox, to pack cpio archives
#         manifest         the files in dom0's /, one per line
#         versions         the package versions that went in
#
#   build.sh overlay BASEDIR OUT.cpio.gz TREE...
#       Pack the TREEs (a DESTDIR install, test files) into one initramfs
#       archive that is appended to dom0.cpio.gz at boot, so that they land on
#       top of dom0's /. The shared libraries their ELF files need and the base
#       image lacks are taken from this machine (found with ldd).
#
# Environment:
#   XENOPS_XENTB_CACHE       where downloaded .debs are kept
#                            (default ${XDG_CACHE_HOME:-$HOME/.cache}/libxenops-xentb/debs)
#   XENOPS_XENTB_KERNEL_PKG  kernel package (default: the one linux-image-amd64 pulls in)
#
# Needs a Debian bookworm host (apt-get with package lists, dpkg-deb), plus
# ldd, gzip, bash and flock (bash and flock are copied into dom0 for Xen's
# hotplug scripts, and so is the static /sbin/ldconfig). Root is not needed.
set -euo pipefail
shopt -s nullglob

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XENVER=4.17
MULTIARCH=x86_64-linux-gnu
# Backend side: event channels, xenfs, privcmd, grant devices, blkback and
# netback, plus loop (file-backed disks), bridge and tun. In Debian's 6.1
# config these are modules; hvc_xen, xenbus and the balloon are built in.
# virtio-net for the link between two testbeds (run.sh --link), loaded only
# by the sections that use it.
DOM0_MODULES=(xen-evtchn xenfs xen-privcmd xen-gntdev xen-gntalloc
              xen-blkback xen-netback loop bridge tun virtio_pci virtio_net)
GUEST_MODULES=(xen-blkfront xen-netfront)
HOST_LIBC=/usr/lib/$MULTIARCH/libc.so.6
HOST_LDCONFIG=/sbin/ldconfig

say() { printf 'xentb-image: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

CACHE=${XENOPS_XENTB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libxenops-xentb/debs}

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------

kernel_package() {
    if [ -n "${XENOPS_XENTB_KERNEL_PKG:-}" ]; then
        echo "$XENOPS_XENTB_KERNEL_PKG"
        return
    fi
    local k
    k=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
    if [ -z "$k" ]; then
        # No package lists (offline, no apt-get update): newest cached kernel.
        k=$(find "$CACHE" -maxdepth 1 -name 'linux-image-[0-9]*.deb' -printf '%f\n' |
            sed 's/_.*//' | sort -V | tail -n 1)
    fi
    [ -n "$k" ] || die "cannot tell which kernel linux-image-amd64 means (run apt-get update)"
    echo "$k"
}

# cached_deb PKG [VERSION]: the cached .deb of PKG at VERSION (apt-get
# download's file naming, ':' written '%3a'), or the newest cached one.
cached_deb() {
    local pattern="${1}_*.deb"
    [ -z "${2:-}" ] || pattern="$1_${2//:/%3a}_*.deb"
    find "$CACHE" -maxdepth 1 -name "$pattern" -printf '%p\n' | sort -V | tail -n 1
}

# fetch_debs: fill DEBS with one .deb file per package of PKGS, downloading
# what the cache lacks. apt's candidate version wins when apt knows it, so a
# Debian update is picked up; offline, whatever is cached is used.
fetch_debs() {
    local -A cand=()
    local p v f
    local -a need=()
    mkdir -p "$CACHE"
    command -v apt-cache >/dev/null || die "apt-cache not found (needs a Debian bookworm host)"
    while read -r p v; do
        cand[$p]=$v
    done < <(apt-cache policy "${PKGS[@]}" 2>/dev/null |
             awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
                  /^  Candidate:/ { print p, $2 }')
    for p in "${PKGS[@]}"; do
        v=${cand[$p]:-}
        [ "$v" != "(none)" ] || v=
        f=$(cached_deb "$p" "$v")
        [ -n "$f" ] || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        command -v apt-get >/dev/null || die "apt-get not found"
        say "downloading ${need[*]} into $CACHE"
        local -a opt=()
        # As root apt-get hands the download to user _apt, which may not be
        # able to write the cache directory; download as root then.
        [ "$(id -u)" != 0 ] || opt=(-o APT::Sandbox::User=root)
        (
            flock 9
            cd "$CACHE" && apt-get "${opt[@]}" -q download "${need[@]}" >&2
        ) 9>"$CACHE/.lock" || die "apt-get download ${need[*]} failed"
    fi
    DEBS=()
    for p in "${PKGS[@]}"; do
        v=${cand[$p]:-}
        [ "$v" != "(none)" ] || v=
        f=$(cached_deb "$p" "$v")
        [ -n "$f" ] || die "no .deb for $p in $CACHE"
        DEBS+=("$f")
        # Drop the versions this one replaces.
        find "$CACHE" -maxdepth 1 -name "${p}_*.deb" ! -name "${f##*/}" -delete
    done
}

# ---------------------------------------------------------------------------
# Root trees
# ---------------------------------------------------------------------------

# new_root DIR: an empty merged-/usr tree with busybox and its applets.
new_root() {
    local r=$1 a
    mkdir -p "$r"/usr/{bin,sbin,lib/$MULTIARCH,lib64,local/bin,local/sbin,local/lib} \
             "$r"/{dev,proc,sys,run,tmp,root,etc,mnt,var/lib,var/log}
    ln -s usr/bin "$r/bin"
    ln -s usr/sbin "$r/sbin"
    ln -s usr/lib "$r/lib"
    ln -s usr/lib64 "$r/lib64"
    ln -s ../run "$r/var/run"
    ln -s ../run/lock "$r/var/lock"
    chmod 1777 "$r/tmp"
    install -m 0755 "$BUSYBOX" "$r/usr/bin/busybox"
    for a in $("$BUSYBOX" --list-full); do
        case $a in */*) ;; *) continue ;; esac
        a=usr/${a#usr/}
        [ -e "$r/$a" ] || [ -L "$r/$a" ] || ln -s /usr/bin/busybox "$r/$a"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
    echo 'root:x:0:' >"$r/etc/group"
}

# module_deps FILE.ko: the modules FILE needs, from its .modinfo strings.
module_deps() {
    LC_ALL=C tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '
}

# add_modules ROOT NAME...: copy kernel modules and what they depend on.
add_modules() {
    local r=$1; shift
    local src=$KROOT/lib/modules/$KVER dst=$r/usr/lib/modules/$KVER
    local -a todo=("$@")
    local -A seen=()
    local m f d
    while [ ${#todo[@]} -gt 0 ]; do
        m=${todo[0]//-/_}
        todo=("${todo[@]:1}")
        [ -z "${seen[$m]:-}" ] || continue
        seen[$m]=1
        f=${MODFILE[$m]:-}
        if [ -z "$f" ]; then
            grep -q "/${m//_/[-_]}\.ko\$" "$src/modules.builtin" ||
                die "kernel module $m is neither in $KPKG nor built in"
            continue
        fi
        mkdir -p "$dst/${f%/*}"
        cp "$src/$f" "$dst/$f"
        for d in $(module_deps "$src/$f"); do todo+=("$d"); done
    done
    cp "$src/modules.builtin" "$src/modules.order" "$dst/"
    "$BUSYBOX" depmod -b "$r" "$KVER"
}

is_elf() {
    [ -f "$1" ] && [ ! -L "$1" ] && [ "$(od -An -N4 -tx1 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ]
}

# elf_files DIR: the ELF files under DIR (kernel modules excluded).
elf_files() {
    local f
    find "$1" -type f ! -name '*.ko' -print | while IFS= read -r f; do
        if is_elf "$f"; then echo "$f"; fi
    done
}

# add_libs ROOT [MANIFEST]: read ELF file names on stdin and copy the shared
# libraries they load (per ldd, with ROOT's library directories searched
# first) from this machine into ROOT, at their canonical paths (/lib ->
# /usr/lib). Libraries already in ROOT or listed in MANIFEST (the base
# image's files) are skipped.
add_libs() {
    local r=$1 manifest=${2:-/dev/null}
    local libpath f a b c dir lib dst
    libpath=$(find "$r" \( -name '*.so' -o -name '*.so.*' \) ! -path '*/modules/*' -printf '%h\n' |
              sort -u | tr '\n' ':')
    while IFS= read -r f; do
        while read -r a b c _; do
            case "$a $b $c" in
                *"=> not found"*)
                    # Fine if the base image has it (e.g. the Xen libraries).
                    grep -q "/$a\$" "$manifest" || say "warning: ${f#"$r"}: $a not found"
                    continue ;;
            esac
            if [ "$b" = "=>" ]; then lib=$c; else lib=$a; fi
            case $lib in
                /*) ;;
                *) continue ;;        # linux-vdso.so.1 and the like
            esac
            case $lib in "$r"/*) continue ;; esac
            dir=$(readlink -f "${lib%/*}")
            grep -qx "${dir#/}/${lib##*/}" "$manifest" && continue
            dst=$r$dir/${lib##*/}
            [ -e "$dst" ] && continue
            mkdir -p "${dst%/*}"
            cp -L "$lib" "$dst"
        done < <(LD_LIBRARY_PATH=$libpath ldd "$f" 2>/dev/null || true)
    done
}

# copy_over SRC DST: copy SRC's files into DST, replacing (never writing
# through) the busybox symlinks that are there.
copy_over() {
    local f
    (cd "$1" && find . ! -type d -printf '%P\n') | while IFS= read -r f; do
        mkdir -p "$2/$(dirname "$f")"
        rm -f "${2:?}/$f"
        cp -a "$1/$f" "$2/$f"
    done
}

# pack DIR OUT LEVEL: DIR's contents as a gzip'd newc cpio, owned by root.
pack() {
    (cd "$1" && find . -mindepth 1 | sort | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) |
        gzip "-$3" >"$2"
}

# ---------------------------------------------------------------------------
# base
# ---------------------------------------------------------------------------

build_base() {
    local out=$1
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    local kpkg t0=$SECONDS
    kpkg=$(kernel_package)
    PKGS=("xen-hypervisor-$XENVER-amd64" "xen-utils-$XENVER" xen-utils-common xenstore-utils
          "libxenmisc$XENVER" libxenstore4 libxencall1 libxenevtchn1 libxenforeignmemory1
          libxengnttab1 libxentoollog1 libxentoolcore1 libxenhypfs1 libxendevicemodel1
          libyajl2 busybox-static grub-xen-host qemu-system-xen seabios qemu-system-data
          "$kpkg")
    fetch_debs

    local t p host_files=()
    for t in bash flock; do
        p=$(command -v "$t") || die "$t not found on this machine"
        host_files+=("$p")
    done
    [ -x "$HOST_LDCONFIG" ] || die "$HOST_LDCONFIG not found"
    host_files+=("$HOST_LDCONFIG" "$HOST_LIBC")
    # mke2fs -d: tests build guest disks holding /boot/grub/grub.cfg.
    local mke2fs
    mke2fs=$(PATH=$PATH:/sbin:/usr/sbin command -v mke2fs) || die "mke2fs not found on this machine"
    host_files+=("$mke2fs")

    local key
    key=$({
        printf '%s\n' "${DEBS[@]##*/}"
        find "$HERE" -type f -printf '%P\n' | sort | while IFS= read -r t; do
            echo "$t"; cat "$HERE/$t"
        done
        sha256sum "${host_files[@]}"
    } | sha256sum | cut -c1-16)
    local dir=$out/base-$key

    exec 8>"$out/.lock"
    flock 8
    if [ -f "$dir/complete" ]; then
        say "base image up to date: $dir"
        echo "$dir"
        return
    fi
    say "building base image $dir"

    local work
    work=$(mktemp -d "$out/.work.XXXXXX")
    # shellcheck disable=SC2064  # expand now: $work is local
    trap "rm -rf '$work'" EXIT
    local pkg=$work/pkg img=$work/img
    KROOT=$work/kernel
    KPKG=$kpkg
    mkdir -p "$pkg" "$KROOT" "$img"
    local deb
    for deb in "${DEBS[@]}"; do
        if [ "$(dpkg-deb -f "$deb" Package)" = "$kpkg" ]; then
            dpkg-deb -x "$deb" "$KROOT"
        else
            dpkg-deb -x "$deb" "$pkg"
        fi
        dpkg-deb -f "$deb" Package Version | paste -sd' ' | sed 's/Package: //; s/ Version: / /' \
            >>"$img/versions"
    done
    local kdirs=("$KROOT"/lib/modules/*)
    [ ${#kdirs[@]} -eq 1 ] || die "expected one kernel in $kpkg"
    KVER=${kdirs[0]##*/}
    echo "kernel-release $KVER" >>"$img/versions"
    BUSYBOX=$img/busybox
    install -m 0755 "$pkg/bin/busybox" "$BUSYBOX"
    zcat "$pkg/boot/xen-$XENVER-amd64.gz" >"$img/xen"
    cp "$KROOT/boot/vmlinuz-$KVER" "$img/vmlinuz"

    declare -gA MODFILE=()
    local f b
    while IFS= read -r f; do
        b=${f##*/}
        b=${b%.ko}
        MODFILE[${b//-/_}]=$f
    done < <(cd "$KROOT/lib/modules/$KVER" && find kernel -name '*.ko')

    # --- the guests' initramfs
    local g=$work/guest
    new_root "$g"
    add_modules "$g" "${GUEST_MODULES[@]}"
    copy_over "$HERE/guest" "$g"
    ln -s /usr/bin/busybox "$g/init"     # busybox init, reads /etc/inittab
    pack "$g" "$img/guest-initrd.gz" 9

    # --- dom0's initramfs
    local d=$work/dom0
    new_root "$d"
    add_modules "$d" "${DOM0_MODULES[@]}"
    # Debian's layout: the real programs in /usr/lib/xen-4.17/bin, and
    # /usr/sbin/xl & co. are wrappers that pick the Xen version at run time.
    mkdir -p "$d/usr/lib/xen-$XENVER"
    cp -a "$pkg/usr/lib/xen-$XENVER/bin" "$d/usr/lib/xen-$XENVER/"
    rm -f "$d/usr/lib/xen-$XENVER/bin/"{pygrub,xenpvnetboot}
    cp -a "$pkg/usr/lib/xen-common" "$d/usr/lib/"
    for f in "$pkg"/usr/sbin/* "$pkg"/usr/bin/xen*; do
        rm -f "$d/${f#"$pkg"/}"
        cp -a "$f" "$d/${f#"$pkg"/}"
    done
    cp -a "$pkg/usr/lib/$MULTIARCH/." "$d/usr/lib/$MULTIARCH/"
    cp -a "$pkg/etc/xen" "$d/etc/"
    # HVM guests: the device model (its libraries come from this machine,
    # which needs qemu-system-xen installed for ldd to find them), hvmloader,
    # SeaBIOS, and the option ROMs and keymap the device model loads.
    mkdir -p "$d/usr/libexec" "$d/usr/lib/xen-$XENVER/boot" "$d/usr/share/seabios" \
             "$d/usr/share/qemu/keymaps"
    cp "$pkg/usr/libexec/xen-qemu-system-i386" "$d/usr/libexec/"
    cp "$pkg/usr/lib/xen-$XENVER/boot/hvmloader" "$d/usr/lib/xen-$XENVER/boot/"
    cp "$pkg"/usr/share/seabios/{bios-256k.bin,vgabios-cirrus.bin,vgabios-stdvga.bin} \
       "$d/usr/share/seabios/"
    for f in linuxboot_dma.bin linuxboot.bin kvmvapic.bin; do
        cp -L "$pkg/usr/share/qemu/$f" "$d/usr/share/qemu/$f"
    done
    cp "$pkg/usr/share/qemu/keymaps/en-us" "$d/usr/share/qemu/keymaps/"
    ln -s ../seabios/vgabios-cirrus.bin "$d/usr/share/qemu/vgabios-cirrus.bin"
    # GRUB built for Xen: what guests booting from their own disk load.
    mkdir -p "$d/usr/lib/grub-xen"
    cp "$pkg"/usr/lib/grub-xen/grub-*.bin "$d/usr/lib/grub-xen/"
    rm -f "$d/usr/sbin/mke2fs"
    cp -L "$mke2fs" "$d/usr/sbin/mke2fs"
    for f in "${host_files[@]:0:2}"; do
        rm -f "$d/usr/bin/${f##*/}"
        cp -L "$f" "$d/usr/bin/${f##*/}"
    done
    cp -L "$HOST_LDCONFIG" "$d/usr/sbin/ldconfig"
    # ldd (a bash script) for tests and debugging.
    [ ! -f /usr/bin/ldd ] || cp /usr/bin/ldd "$d/usr/bin/ldd"
    printf '%s\n' /usr/local/lib "/usr/local/lib/$MULTIARCH" "/usr/lib/$MULTIARCH" >"$d/etc/ld.so.conf"
    mkdir -p "$d/guest" "$d/var/lib/xen" "$d/var/lib/xenstored" "$d/var/log/xen/console"
    cp "$img/vmlinuz" "$d/guest/vmlinuz"
    cp "$img/guest-initrd.gz" "$d/guest/initrd.gz"
    install -m 0755 "$HERE/dom0-init.sh" "$d/init"
    elf_files "$d" | add_libs "$d"
    # glibc dlopen()s libgcc_s for pthread_cancel() and backtraces.
    f=/usr/lib/$MULTIARCH/libgcc_s.so.1
    [ ! -e "$f" ] || [ -e "$d$f" ] || cp -L "$f" "$d$f"
    "$HOST_LDCONFIG" -r "$d"
    (cd "$d" && find . -mindepth 1 ! -type d -printf '%P\n' | sort) >"$img/manifest"
    pack "$d" "$img/dom0.cpio.gz" 6

    touch "$img/complete"
    rm -rf "$out"/base-*
    mv "$img" "$dir"
    rm -rf "$work"
    trap - EXIT
    say "base image built in $((SECONDS - t0))s: $dir"
    echo "$dir"
}

# ---------------------------------------------------------------------------
# overlay
# ---------------------------------------------------------------------------

build_overlay() {
    local base=$1 out=$2; shift 2
    [ -f "$base/complete" ] || die "$base is not a base image"
    BUSYBOX=$base/busybox
    local t tree d
    t=$(mktemp -d)
    # shellcheck disable=SC2064  # expand now
    trap "rm -rf '$t'" EXIT
    chmod 0755 "$t"
    for tree in "$@"; do
        [ -d "$tree" ] || die "$tree: no such directory"
        cp -a "$tree/." "$t/"
    done
    # dom0 has a merged /usr: move /bin, /lib... of the trees under /usr so
    # that the archive never tries to replace those symlinks by directories.
    for d in bin sbin lib lib64; do
        if [ -d "$t/$d" ] && [ ! -L "$t/$d" ]; then
            mkdir -p "$t/usr/$d"
            cp -a "$t/$d/." "$t/usr/$d/"
            rm -rf "${t:?}/$d"
        fi
    done
    elf_files "$t" | add_libs "$t" "$base/manifest"
    pack "$t" "$out" 1
    rm -rf "$t"
    trap - EXIT
}

case ${1:-} in
    base)
        [ $# -eq 2 ] || die "usage: $0 base OUTDIR"
        build_base "$2" ;;
    overlay)
        [ $# -ge 3 ] || die "usage: $0 overlay BASEDIR OUT.cpio.gz TREE..."
        shift
        build_overlay "$@" ;;
    *)
        sed -n '2,/^set -euo/{/^#/{s/^# \{0,1\}//;p}}' "$0" >&2
        exit 2 ;;
esac
