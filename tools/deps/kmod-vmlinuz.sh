#!/usr/bin/env bash
# The Debian kernel images matching the headers metapackages of
# tools/kver.sh (6.1: linux-headers-amd64, 6.12: linux-headers-6.12-amd64),
# extracted (not installed) into $VIEW_VM_DIR (default /opt/viewfs/vm) for
# tests/vm: vmlinuz-KVER, one per series.  Idempotent and quiet when the
# images are already there.
set -euo pipefail
dir=${VIEW_VM_DIR:-/opt/viewfs/vm}
kver_sh=$(dirname "$0")/../kver.sh
updated=

# fetch KVER: extract ./boot/vmlinuz-KVER of linux-image-KVER into $dir.
fetch() {
	local kver=$1 tmp deb
	echo "deps(kmod): fetching linux-image-$kver into $dir"
	mkdir -p "$dir"
	tmp=$(mktemp -d)
	# apt's lists may be missing or stale when every package was present.
	if ! (cd "$tmp" && apt-get download -qq "linux-image-$kver" >/dev/null 2>&1); then
		[ -n "$updated" ] || { apt-get update -qq; updated=1; }
		(cd "$tmp" && apt-get download "linux-image-$kver") || { rm -rf "$tmp"; return 1; }
	fi
	# (a function called before ||: set -e does not apply, hence the &&)
	deb=$(ls "$tmp"/linux-image-*.deb) &&
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./boot/vmlinuz-$kver" &&
		mv "$tmp/boot/vmlinuz-$kver" "$dir/vmlinuz-$kver.part" &&
		mv "$dir/vmlinuz-$kver.part" "$dir/vmlinuz-$kver"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

rc=0
for s in $(bash "$kver_sh" --list); do
	# The installed metapackage decides (as for kmod/kmod.mk and
	# tests/vm/run.sh); apt's candidate only when it is not installed.
	if ! kver=$(bash "$kver_sh" --candidate "$s"); then
		echo "deps(kmod): cannot tell which kernel $(bash "$kver_sh" --meta "$s") depends on" >&2
		rc=1
		continue
	fi
	[ -s "$dir/vmlinuz-$kver" ] && continue
	fetch "$kver" || { echo "deps(kmod): cannot fetch linux-image-$kver" >&2; rc=1; }
done
exit $rc
