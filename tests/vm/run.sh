#!/usr/bin/env bash
# tests/vm: the viewdev kernel module, tested inside QEMU, on every kernel
# of tools/kver.sh (bookworm's 6.1 and 6.12+deb12) or the ones selected.
#
# For each kernel: builds kmod/viewdev.ko against its headers (W=1,
# -Werror), packs it with the VM test programs (not sanitized: they run
# inside the initramfs), a plain build of the view CLI and busybox into an
# initramfs and boots Debian's packaged kernel of the same version (from
# tools/deps/kmod-vmlinuz.sh, with the package's vgem.ko and the DRM
# modules it needs, for the dma-buf import test) under TCG.  /init is tests/vm/guest.sh; it
# prints TAP lines (the dmesg check for BUG/WARNING/Oops/KASAN among them)
# that this script counts, per kernel and in one RESULT line for all.
#
#   bash tests/vm/run.sh [BUILD]      (BUILD is unused: the VM needs its own)
#   make test-vm KVER=6.12            one kernel: a series of tools/kver.sh
#                                     (6.1, 6.12), or a release such as
#                                     6.12.117+deb12-amd64; a list in quotes
#   VIEW_VM_KVER=...                  the same, for this script (KVER sets it)
#   VIEW_VM_SMP2=0 skips the second, -smp 2 boot that runs the stress test
#                                     and the fuzzer
#   VIEW_VM_FUZZ_S=20                 seconds of tests/vm/viewdev_fuzz.c in
#                                     the -smp 2 boot of each kernel (0: none)
#   VIEW_VM_FUZZ_SEED=0x5eed0013      its seed (fixed, printed); "random"
#                                     picks one (printed, to replay it)
# A kernel whose headers or image are missing is a failure (make deps
# installs them).  Cost here (2 cores, TCG, shared): 40-60 s per kernel
# (module build and both boots; the suite prints each as "vm: cost:"),
# 90-120 s for the suite, depending on the load; the fuzzer's 20 s in each
# -smp 2 boot are about 20 of those per kernel.
# Exit 0 all passed, 1 a failure, 77 when QEMU cannot run here.
set -u
cd "$(dirname "$0")/../.."
# shellcheck source=SCRIPTDIR/../common/result.sh
. tests/common/result.sh
# shellcheck source=SCRIPTDIR/../../tools/vmboot.sh
. tools/vmboot.sh
out=build/vm
mkdir -p "$out"


vm_qemu || suite_skip "vm: $vm_why"
[ -x "$busybox" ] || suite_broken "vm: no $busybox (busybox-static; run make deps)"

if ! make --no-print-directory vm-bins >"$out/bins.log" 2>&1; then
	cat "$out/bins.log"
	suite_broken "vm: the VM test programs do not build"
fi
view_bin=
if make --no-print-directory SAN=0 BUILD="$out/host" "$out/host/bin/view" \
	>"$out/view.log" 2>&1; then
	view_bin=$out/host/bin/view
else
	echo "vm: the view CLI does not build yet; its checks are skipped:"
	tail -n 5 "$out/view.log" | sed 's/^/vm:   /'
fi

# The initramfs: busybox, the programs and their libraries; each kernel
# adds its module (lib/viewdev.ko).
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,lib,proc,sys,dev,tmp,etc}
cp "$busybox" "$root/bin/busybox"
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
add_prog "$out/bin/viewdev_fuzz"
fuzz_s=${VIEW_VM_FUZZ_S:-20}
fuzz_seed=${VIEW_VM_FUZZ_SEED:-0x5eed0013}
[ "$fuzz_seed" = random ] && fuzz_seed=$(printf '0x%04x%04x%04x' $RANDOM $RANDOM $RANDOM)
case $fuzz_s$fuzz_seed in
*[!0-9a-fA-Fx.]*) suite_broken "vm: VIEW_VM_FUZZ_S=$fuzz_s / VIEW_VM_FUZZ_SEED=$fuzz_seed: numbers please" ;;
esac
[ "$fuzz_s" != 0 ] && echo "vm: fuzzer: $fuzz_s s per kernel, seed $fuzz_seed (VIEW_VM_FUZZ_SEED=$fuzz_seed replays it)"
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

bad=
# kfail KERNEL WHY: one kernel cannot be tested, a failure of the suite.
kfail() {
	echo "not ok - kernel $1: $2"
	count 0 1 0
}

# count_log LOG: add the TAP lines of one run to the totals.
count_log() {
	local p f s
	p=$(grep -E '^ok ' "$1" | grep -vc '# SKIP')
	s=$(grep -cE '^(not )?ok .*# SKIP' "$1")
	f=$(grep -E '^not ok ' "$1" | grep -vc '# SKIP')
	count "$p" "$f" "$s"
	if ! grep -q '^@@TEST-RESULT: PASS@@' "$1"; then
		grep -q '^@@TEST-RESULT: FAIL@@' "$1" ||
			{ echo "vm: $1: the VM did not finish (no result marker)"; count 0 1 0; }
		bad=1
	fi
}

# boot SMP LOG EXTRA_CMDLINE: one VM run of $kernel with $initrd; the
# serial console goes to LOG.  Debian's kernels have no KASAN; 6.12 has
# KFENCE (off by default), a sampling detector of out-of-bounds and
# use-after-free accesses that reports "BUG: KFENCE" (guest.sh's dmesg
# check): on where the kernel has it.
boot() {
	local start=$SECONDS rc
	vm_boot 400 "$1" 512M "$2" "$kernel" "$initrd" "slub_debug=FZP $kfence quiet $3"
	rc=$?
	echo "vm: [$tag] boot -smp $1 took $((SECONDS - start)) s (qemu exit $rc)"
	return $rc
}

# The kernels: VIEW_VM_KVER (series or releases), else every series.
sel=${VIEW_VM_KVER:-$(bash tools/kver.sh --list)}
timing=()
# run_kernel SERIES|RELEASE: build, pack and boot one kernel.
run_kernel() {
	want=$1
	local kstart=$SECONDS p0=$pass f0=$fail s0=$skip t
	tag=$want
	if ! vm_kernel "$want"; then
		kfail "$want" "$vm_why"
		return
	fi
	kout=$out/$kver
	mkdir -p "$kout"

	kfence=
	grep -qx 'CONFIG_KFENCE=y' "$headers/.config" 2>/dev/null &&
		kfence=kfence.sample_interval=10
	echo "vm: [$tag] kernel $kver${kfence:+ ($kfence)}, module built with W=1 against $headers"
	# kmod/ holds one kernel's objects at a time: clean, build, take a copy.
	make --no-print-directory kmod-clean >/dev/null 2>&1
	if ! make --no-print-directory kmod KMOD_KVER="$kver" >"$kout/kmod.log" 2>&1 ||
		[ ! -s kmod/viewdev.ko ]; then
		sed 's/^/  /' "$kout/kmod.log"
		kfail "$want" "the module does not build against $kver"
		return
	fi
	if grep -E 'warning:' "$kout/kmod.log"; then
		kfail "$want" "the module builds with warnings against $kver"
		return
	fi
	echo "ok - kernel $want: viewdev.ko builds W=1 -Werror against $kver"
	count 1 0 0
	cp kmod/viewdev.ko "$kout/viewdev.ko"

	initrd=$kout/initrd.cpio.gz
	cp "$kout/viewdev.ko" "$root/lib/viewdev.ko"
	# vgem and the DRM modules it needs, for the dma-buf import test
	# (tools/deps/kmod-vmlinuz.sh extracts them from the kernel's package)
	rm -rf "$root/lib/vgem"
	if [ -s "$vmdir/vgem-$kver/load-order" ]; then
		cp -r "$vmdir/vgem-$kver" "$root/lib/vgem"
	else
		echo "vm: [$tag] no $vmdir/vgem-$kver (make deps): the vgem import test is skipped"
	fi
	if ! vm_pack "$root" "$initrd"; then
		kfail "$want" "cannot pack the initramfs"
		return
	fi

	log=$kout/serial.log
	boot 1 "$log" "viewtest=all"
	grep -vE '^\s*$' "$log" | sed "s/^/  [$tag] /"
	count_log "$log"

	if [ "${VIEW_VM_SMP2:-1}" != 0 ]; then
		log2=$kout/serial-smp2.log
		boot 2 "$log2" "viewtest=stress viewfuzz=$fuzz_s viewseed=$fuzz_seed"
		sed "s/^/  [$tag smp2] /" "$log2" | grep -vE '^\s*\[[^]]*\]\s*$'
		count_log "$log2"
	fi
	t=$((SECONDS - kstart))
	timing+=("$want ($kver) ${t} s")
	echo "vm: [$tag] kernel $kver: $((pass - p0)) passed, $((fail - f0)) failed, $((skip - s0)) skipped in ${t} s"
}

for want in $sel; do
	run_kernel "$want"
done

# make kmod-clean removes the module's products and nothing else (kbuild's
# own clean with M= at the top would take every *.o of the tree with it).
probe=$out/kmod-clean-probe
mkdir -p "$probe"
: >"$probe/keep.o"
: >"$probe/keep.a"
: >kmod/viewdev.ko
# kbuild_left: what kbuild made that is still in kmod/ or at the top.
kbuild_left() {
	git ls-files --others --directory -- kmod . 2>/dev/null | grep -E '^(kmod/)?[^/]+$' |
		grep -E '(\.o|\.ko|\.cmd|\.mod|\.mod\.c|modules\.order|Module\.symvers)$'
}
if make --no-print-directory kmod-clean >"$out/kmod-clean.log" 2>&1 &&
	[ -e "$probe/keep.o" ] && [ -e "$probe/keep.a" ] && [ ! -e kmod/viewdev.ko ] &&
	[ -z "$(kbuild_left)" ]; then
	echo "ok - make kmod-clean removes the module's products, keeps other *.o/*.a"
	count 1 0 0
else
	echo "not ok - make kmod-clean removes only the module's products"
	{ cat "$out/kmod-clean.log"; kbuild_left; } | sed 's/^/#   /'
	count 0 1 0
fi
rm -rf "$probe"

for t in "${timing[@]}"; do echo "vm: cost: $t"; done
[ "$fail" -eq 0 ] && [ -z "$bad" ] || fail=$((fail > 0 ? fail : 1))
result
