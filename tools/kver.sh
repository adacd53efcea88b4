#!/usr/bin/env bash
# The Debian kernel releases the project builds viewdev against and boots
# in QEMU.  Each kernel is a series named by a headers metapackage:
#
#   6.1    linux-headers-amd64        bookworm's default kernel (the default)
#   6.12   linux-headers-6.12-amd64   bookworm's 6.12.*+deb12 kernel
#
# A series' release is the one its installed metapackage depends on
# (e.g. 6.1.0-57-amd64, 6.12.117+deb12-amd64); with --candidate, apt's
# candidate is used when the metapackage is not installed yet (make deps,
# before installing).
#
#   kver.sh [--candidate]           the default series' release
#   kver.sh [--candidate] SERIES    that series' release (6.1, 6.12)
#   kver.sh [--candidate] RELEASE   a release (anything with a '-') as is
#   kver.sh --list                  the series, one a line (tests/vm runs each)
#   kver.sh --meta SERIES           the series' metapackage
#
# Prints nothing (and exits 1) when nothing answers or the series is
# unknown.  Shared by kmod/kmod.mk, tools/vmboot.sh (tests/vm/run.sh,
# bench/vm.sh), tests/install and tools/deps/kmod-vmlinuz.sh; tools/deps/kmod.list
# installs the metapackages.
series=(6.1 6.12)
meta() {
	case $1 in
	6.1) echo linux-headers-amd64 ;;
	6.12) echo linux-headers-6.12-amd64 ;;
	*) return 1 ;;
	esac
}

candidate=
case ${1:-} in
--list) printf '%s\n' "${series[@]}"; exit 0 ;;
--meta) meta "${2:-}"; exit ;;
--candidate) candidate=1; shift ;;
esac
want=${1:-${series[0]}}
case $want in
*-*) echo "$want"; exit 0 ;;
esac
pkg=$(meta "$want") || exit 1

kver=$(dpkg-query -W -f='${Depends}' "$pkg" 2>/dev/null |
	sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
if [ -z "$kver" ] && [ -n "$candidate" ]; then
	kver=$(apt-cache depends "$pkg" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)$/\1/p' | head -n 1)
fi
[ -n "$kver" ] || exit 1
echo "$kver"
