#!/usr/bin/env bash
# Prints the Debian kernel release the project builds viewdev against and
# boots in QEMU: the one the installed linux-headers-amd64 depends on
# (e.g. 6.1.0-56-amd64).  With --candidate, apt's candidate is used when
# the metapackage is not installed yet (make deps, before installing).
# Prints nothing (and exits 1) when neither answers.  Shared by
# kmod/kmod.mk, tests/vm/run.sh, bench/vm.sh and tools/deps/kmod-vmlinuz.sh.
kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
	sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
if [ -z "$kver" ] && [ "${1:-}" = --candidate ]; then
	kver=$(apt-cache depends linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)$/\1/p' | head -n 1)
fi
[ -n "$kver" ] || exit 1
echo "$kver"
