#!/usr/bin/env bash
# The Debian kernel images matching the headers metapackages of
# tools/kver.sh (6.1: linux-headers-amd64, 6.12: linux-headers-6.12-amd64),
# extracted (not installed) into tools/vmboot.sh's vmdir ($VIEW_VM_DIR,
# default /opt/viewfs/vm), where tests/vm and bench/vm.sh look, for
# tests/vm: vmlinuz-KVER, one per series, and vgem-KVER/: the package's
# vgem.ko with the modules it needs (decompressed) and load-order, the
# order to insmod them, for the dma-buf import test (the kernels have
# CONFIG_DRM_VGEM=m).  Idempotent and quiet when both are there.
set -euo pipefail
# shellcheck source=../vmboot.sh
. "$(dirname "$0")/../vmboot.sh"
dir=$vmdir
kver_sh=$(dirname "$0")/../kver.sh
updated=

# The vgem chain in load order (each needs only those before it or
# built-in code; checked with modinfo below).
vgem_mods=(drm drm_kms_helper drm_shmem_helper vgem)

# vgem_extract KVER TMP DEB: vgem-KVER/ of the unpacked package in TMP.
vgem_extract() {
	local kver=$1 tmp=$2 deb=$3 out=$dir/vgem-$1 m f dep have=" "
	local base=./lib/modules/$kver/kernel/drivers/gpu/drm
	rm -rf "$out.part"
	mkdir -p "$out.part"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards \
		"$base/drm.ko*" "$base/drm_kms_helper.ko*" "$base/drm_shmem_helper.ko*" \
		"$base/vgem/vgem.ko*" 2>/dev/null
	for m in "${vgem_mods[@]}"; do
		f=$(ls "$tmp/$base/$m.ko"* "$tmp/$base/$m/$m.ko"* 2>/dev/null | head -n 1)
		[ -n "$f" ] || continue		# not every kernel needs every helper
		case $f in
		*.xz) xz -dc "$f" >"$out.part/$m.ko" ;;
		*.zst) zstd -qdc "$f" >"$out.part/$m.ko" ;;
		*) cp "$f" "$out.part/$m.ko" ;;
		esac || { rm -rf "$out.part"; return 1; }
		for dep in $(modinfo -F depends "$out.part/$m.ko" | tr ',' ' '); do
			case $have in
			*" $dep "*) ;;
			*) echo "deps(kmod): $kver: $m needs $dep, not in the vgem chain" >&2
			   rm -rf "$out.part"; return 1 ;;
			esac
		done
		have="$have$m "
		echo "$m.ko" >>"$out.part/load-order"
	done
	case $have in
	*" vgem "*) rm -rf "$out" && mv "$out.part" "$out" ;;
	*) echo "deps(kmod): linux-image-$kver has no vgem.ko" >&2; rm -rf "$out.part"; return 1 ;;
	esac
}

# fetch KVER: extract ./boot/vmlinuz-KVER of linux-image-KVER into $dir,
# and its vgem chain.
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
		mv "$dir/vmlinuz-$kver.part" "$dir/vmlinuz-$kver" &&
		vgem_extract "$kver" "$tmp" "$deb"
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
	[ -s "$dir/vmlinuz-$kver" ] && [ -s "$dir/vgem-$kver/load-order" ] && continue
	fetch "$kver" || { echo "deps(kmod): cannot fetch linux-image-$kver" >&2; rc=1; }
done
exit $rc
