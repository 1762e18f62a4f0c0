#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# install_consumer: install the build into a staging DESTDIR, check the
# installed files, then build and run tests/abi/consumer/consumer.c as an
# application would: (a) with pkg-config --cflags --libs libxenops, (b) as
# a CMake project using find_package(xenops) and xenops::xenops.
#
#   install_consumer.sh --cmake=CMAKE --build=BUILD_DIR --work=WORK_DIR
#       --consumer=SRC_DIR --cc=CC --pkg-config=PKG_CONFIG --readelf=READELF
#       --prefix=CMAKE_INSTALL_PREFIX --libdir=FULL_LIBDIR
#       --includedir=FULL_INCLUDEDIR --headers=SRC_HEADER_DIR
#       --version=X.Y.Z --soname=SONAME --generator=GEN [--make=MAKE]
#       [--cflags="..."] [--ldflags="..."]
#
# The prefix is the configured one, so the installed .pc and CMake files
# are the ones a distribution package would ship; PKG_CONFIG_SYSROOT_DIR
# and CMAKE_PREFIX_PATH point into the staging directory.
set -euo pipefail

cmake='' build='' work='' consumer='' cc='' pkgconfig='' readelf='' prefix='' libdir='' includedir=''
headers='' version='' soname='' generator='' make='' cflags='' ldflags=''
for arg in "$@"; do
	case "$arg" in
	--cmake=*) cmake=${arg#*=} ;;
	--build=*) build=${arg#*=} ;;
	--work=*) work=${arg#*=} ;;
	--consumer=*) consumer=${arg#*=} ;;
	--cc=*) cc=${arg#*=} ;;
	--pkg-config=*) pkgconfig=${arg#*=} ;;
	--readelf=*) readelf=${arg#*=} ;;
	--prefix=*) prefix=${arg#*=} ;;
	--libdir=*) libdir=${arg#*=} ;;
	--includedir=*) includedir=${arg#*=} ;;
	--headers=*) headers=${arg#*=} ;;
	--version=*) version=${arg#*=} ;;
	--soname=*) soname=${arg#*=} ;;
	--generator=*) generator=${arg#*=} ;;
	--make=*) make=${arg#*=} ;;
	--cflags=*) cflags=${arg#*=} ;;
	--ldflags=*) ldflags=${arg#*=} ;;
	*) echo "install_consumer: unknown argument $arg" >&2; exit 2 ;;
	esac
done
for v in cmake build work consumer cc pkgconfig readelf prefix libdir includedir headers version soname generator; do
	if [ -z "${!v}" ]; then
		echo "install_consumer: missing --$v" >&2
		exit 2
	fi
done
case "$work" in
/*/*) ;;
*) echo "install_consumer: --work must be an absolute path below /" >&2; exit 2 ;;
esac

step() { echo "== $*"; }
die() {
	echo "install_consumer: $*" >&2
	exit 1
}

rm -rf "$work"
mkdir -p "$work"
stage=$work/stage
s_prefix=$stage$prefix
s_lib=$stage$libdir
s_inc=$stage$includedir

step "install into DESTDIR=$stage (prefix $prefix)"
DESTDIR=$stage "$cmake" --install "$build" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log" >&2; die "cmake --install failed"; }

step "installed files"
missing=0
for f in "$s_inc/xenops/xenops.h" "$s_lib/libxenops.so" "$s_lib/$soname" \
	"$s_lib/pkgconfig/libxenops.pc" "$s_lib/cmake/xenops/xenopsConfig.cmake" \
	"$s_lib/cmake/xenops/xenopsConfigVersion.cmake" "$s_lib/cmake/xenops/xenopsTargets.cmake"; do
	if [ -e "$f" ]; then
		echo "   ${f#"$stage"}"
	else
		echo "install_consumer: not installed: ${f#"$stage"}" >&2
		missing=1
	fi
done
# Every public header is installed, and nothing else lands beside them.
diff <(cd "$headers" && ls) <(cd "$s_inc/xenops" 2>/dev/null && ls) >"$work/headers.diff" ||
	{ cat "$work/headers.diff" >&2; echo "install_consumer: installed headers differ from $headers (< source, > installed)" >&2; missing=1; }
[ $missing -eq 0 ] || die "installation incomplete (see $work/install.log)"
got=$(LC_ALL=C "$readelf" -d "$s_lib/$soname" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$got" = "$soname" ] || die "installed library has SONAME '$got', expected '$soname'"
# Installed text files must not point back into the build tree.
case "$prefix/" in
"$build"/*) ;;
*)
	if leaks=$(grep -rlF "$build" "$s_inc" "$s_lib/pkgconfig" "$s_lib/cmake" 2>/dev/null); then
		die "installed files refer to the build directory $build: $leaks"
	fi
	;;
esac

# Which libxenops.so.0 a program loads: the staged one, not another.
check_loads_staged() { # check_loads_staged PROGRAM
	local line
	line=$(LD_LIBRARY_PATH=$s_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} ldd "$1" | grep -F "$soname" || true)
	case "$line" in
	*"=> $s_lib/$soname "*) echo "   $1 loads $s_lib/$soname" ;;
	*) die "$1 does not load the staged library: '${line:-no $soname}'" ;;
	esac
}

step "(a) pkg-config"
export PKG_CONFIG_PATH=$s_lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_SYSROOT_DIR=$stage
# Keep -I/usr/include and -L/usr/lib if the prefix is /usr: filtered, they
# would be looked up outside the staging directory.
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
pc_version=$("$pkgconfig" --modversion libxenops) || die "pkg-config does not find libxenops"
[ "$pc_version" = "$version" ] || die "libxenops.pc says version $pc_version, expected $version"
pc_cflags=$("$pkgconfig" --cflags libxenops) || die "pkg-config --cflags libxenops failed"
pc_libs=$("$pkgconfig" --libs libxenops) || die "pkg-config --libs libxenops failed"
echo "   version $pc_version"
echo "   cflags  $pc_cflags"
echo "   libs    $pc_libs"
case " $pc_cflags " in
*" -I$s_inc "*) ;;
*) die "pkg-config --cflags does not give -I$s_inc (libxenops.pc includedir wrong?)" ;;
esac
case " $pc_libs " in
*" -L$s_lib "*) ;;
*) die "pkg-config --libs does not give -L$s_lib (libxenops.pc libdir wrong?)" ;;
esac
case " $pc_libs " in
*" -lxenops "*) ;;
*) die "pkg-config --libs does not give -lxenops" ;;
esac
# shellcheck disable=SC2086 # the flags are word lists
"$cc" -std=c99 -Wall -Wextra -pedantic -Werror $cflags $pc_cflags \
	-o "$work/consumer-pc" "$consumer/consumer.c" $ldflags $pc_libs ||
	die "the pkg-config consumer does not build"
check_loads_staged "$work/consumer-pc"
LD_LIBRARY_PATH=$s_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$work/consumer-pc" ||
	die "the pkg-config consumer failed"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_ALLOW_SYSTEM_CFLAGS PKG_CONFIG_ALLOW_SYSTEM_LIBS

step "(b) find_package(xenops)"
margs=()
[ -z "$make" ] || margs+=("-DCMAKE_MAKE_PROGRAM=$make")
"$cmake" -S "$consumer" -B "$work/cmake-build" -G "$generator" "${margs[@]}" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE= \
	-DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
	-DCMAKE_PREFIX_PATH="$s_prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
	-DXO_EXPECT_VERSION="$version" -DXO_STAGE="$stage" >"$work/cmake-configure.log" 2>&1 ||
	{ cat "$work/cmake-configure.log" >&2; die "the CMake consumer does not configure"; }
grep -E '^-- xenops ' "$work/cmake-configure.log" | sed 's/^/   /'
"$cmake" --build "$work/cmake-build" >"$work/cmake-build.log" 2>&1 ||
	{ cat "$work/cmake-build.log" >&2; die "the CMake consumer does not build"; }
app=$work/cmake-build/app
check_loads_staged "$app"
LD_LIBRARY_PATH=$s_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$app" || die "the CMake consumer failed"

echo "install_consumer: ok"
