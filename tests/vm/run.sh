#!/usr/bin/env bash
# tests/vm: the viewdev kernel module, tested inside QEMU.
#
# Builds kmod/viewdev.ko against the headers linux-headers-amd64 depends
# on (W=1, -Werror), the VM test programs (not sanitized: they run inside
# the initramfs) and a plain build of the view CLI, packs them with
# busybox into an initramfs and boots Debian's packaged kernel of the same
# version (from tools/deps/kmod-vmlinuz.sh) under TCG.  /init is
# tests/vm/guest.sh; it prints TAP lines that this script counts.
#
#   bash tests/vm/run.sh [BUILD]      (BUILD is unused: the VM needs its own)
#   VIEW_VM_SMP2=0 skips the second, -smp 2 boot that runs the stress test
# Exit 0 all passed, 1 a failure, 77 when QEMU cannot run here.
set -u
cd "$(dirname "$0")/../.."
out=build/vm
vmdir=${VIEW_VM_DIR:-/opt/viewfs/vm}
mkdir -p "$out"

skip() {
	echo "vm: SKIP: $*"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 77
}
fail() {
	echo "vm: FAIL: $*"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
}

# VIEW_VM_KVER=6.12.x+deb12-amd64 tests another kernel whose headers and
# image (/boot or $vmdir) are installed.
kver=${VIEW_VM_KVER:-$(bash tools/kver.sh)}
[ -n "$kver" ] || fail "linux-headers-amd64 is not installed (run make deps)"
kernel=$vmdir/vmlinuz-$kver
[ -s "$kernel" ] || kernel=/boot/vmlinuz-$kver
[ -s "$kernel" ] || fail "no kernel image $vmdir/vmlinuz-$kver (run make deps)"
qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 is not installed"
"$qemu" -machine help >/dev/null 2>&1 || skip "qemu-system-x86_64 does not start here"
[ -x /bin/busybox ] || fail "no /bin/busybox (busybox-static; run make deps)"

echo "vm: kernel $kver, module built with W=1 against /usr/src/linux-headers-$kver"
if ! make --no-print-directory kmod KMOD_KVER="$kver" >"$out/kmod.log" 2>&1; then
	cat "$out/kmod.log"
	fail "the module does not build"
fi
if grep -E 'warning:' "$out/kmod.log"; then
	fail "the module builds with warnings"
fi
if ! make --no-print-directory vm-bins >"$out/bins.log" 2>&1; then
	cat "$out/bins.log"
	fail "the VM test programs do not build"
fi
view_bin=
if make --no-print-directory SAN=0 BUILD="$out/host" "$out/host/bin/view" \
	>"$out/view.log" 2>&1; then
	view_bin=$out/host/bin/view
else
	echo "vm: the view CLI does not build yet; its checks are skipped:"
	tail -n 5 "$out/view.log" | sed 's/^/vm:   /'
fi

# The initramfs: busybox, the module, the programs and their libraries.
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,lib,proc,sys,dev,tmp,etc}
cp /bin/busybox "$root/bin/busybox"
cp kmod/viewdev.ko "$root/lib/viewdev.ko"
cp tests/vm/guest.sh "$root/init"
chmod 755 "$root/init"
add_prog() {
	local lib
	cp "$1" "$root/bin/"
	for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
add_prog "$out/bin/viewdev_test"
if [ -x "$out/bin/filesem" ]; then
	add_prog "$out/bin/filesem"
	cp tests/vm/filesem.sh "$root/bin/filesem.sh"
fi
if [ -n "$view_bin" ]; then
	add_prog "$view_bin"
	cp tests/vm/cli.sh "$root/bin/cli.sh"
else
	echo "the view CLI did not build" >"$root/etc/no-view"
fi
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out/initrd.cpio.gz" ||
	fail "cannot pack the initramfs"

# boot SMP LOG EXTRA_CMDLINE: one VM run; the serial console goes to LOG.
boot() {
	local start=$SECONDS rc
	timeout 400 "$qemu" -machine q35 -accel tcg -cpu max -smp "$1" -m 512M \
		-display none -no-reboot -nodefaults -serial "file:$2" \
		-kernel "$kernel" -initrd "$out/initrd.cpio.gz" \
		-append "console=ttyS0 panic=-1 oops=panic slub_debug=FZP quiet $3" </dev/null
	rc=$?
	sed -i 's/\r$//' "$2"
	echo "vm: boot -smp $1 took $((SECONDS - start)) s (qemu exit $rc)"
	return $rc
}

pass=0 failed=0 skipped=0 bad=
# count LOG: add the TAP lines of one run to the totals.
count() {
	local p f s
	p=$(grep -E '^ok ' "$1" | grep -vc '# SKIP')
	s=$(grep -cE '^(not )?ok .*# SKIP' "$1")
	f=$(grep -E '^not ok ' "$1" | grep -vc '# SKIP')
	pass=$((pass + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if ! grep -q '^@@TEST-RESULT: PASS@@' "$1"; then
		grep -q '^@@TEST-RESULT: FAIL@@' "$1" ||
			{ echo "vm: $1: the VM did not finish (no result marker)"; failed=$((failed + 1)); }
		bad=1
	fi
}

log=$out/serial.log
boot 1 "$log" "viewtest=all"
grep -vE '^\s*$' "$log" | sed 's/^/  /'
count "$log"

if [ "${VIEW_VM_SMP2:-1}" != 0 ]; then
	log2=$out/serial-smp2.log
	boot 2 "$log2" "viewtest=stress"
	sed 's/^/  [smp2] /' "$log2" | grep -vE '^\s*\[smp2\]\s*$'
	count "$log2"
fi

[ "$failed" -eq 0 ] && [ -z "$bad" ] || failed=$((failed > 0 ? failed : 1))
echo "RESULT: $pass passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
