#!/usr/bin/env bash
# The Debian kernel image matching linux-headers-amd64, extracted (not
# installed) into $VIEW_VM_DIR (default /opt/viewfs/vm) for tests/vm.
# Idempotent and quiet when the image is already there.
set -euo pipefail
dir=${VIEW_VM_DIR:-/opt/viewfs/vm}
# The installed metapackage decides (as for kmod/kmod.mk and
# tests/vm/run.sh); apt's candidate only when it is not installed.
kver=$(bash "$(dirname "$0")/../kver.sh" --candidate)
if [ -z "$kver" ]; then
	echo "deps(kmod): cannot tell which kernel linux-headers-amd64 depends on" >&2
	exit 1
fi
[ -s "$dir/vmlinuz-$kver" ] && exit 0
echo "deps(kmod): fetching linux-image-$kver into $dir"
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt's lists may be missing or stale when every package was present.
(cd "$tmp" && { apt-get download -qq "linux-image-$kver" >/dev/null 2>&1 ||
	{ apt-get update -qq && apt-get download "linux-image-$kver"; }; })
deb=$(ls "$tmp"/linux-image-*.deb)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./boot/vmlinuz-$kver"
mv "$tmp/boot/vmlinuz-$kver" "$dir/vmlinuz-$kver.part"
mv "$dir/vmlinuz-$kver.part" "$dir/vmlinuz-$kver"
