#!/usr/bin/env bash
# bench/vm.sh - the kernel-module (viewdev) rows of `make bench`.
#
#   bash bench/vm.sh OUT_DIR        (QUICK=1 in the environment: short run)
#
# Finds the kernel and QEMU, packs and boots as tests/vm/run.sh does (the
# shared tools/vmboot.sh).  Builds kmod/viewdev.ko (`make kmod`, against
# the headers that linux-headers-amd64 depends on) and
# build/bench/vmbench (static), packs them with busybox into an initramfs
# of its own under build/bench/vm/ (/init is bench/vm-init.sh), boots
# Debian's packaged kernel of the same version under QEMU TCG (-smp 1),
# and turns vmbench's lines into bench samples (one JSON object a line,
# part "kmod", subjects "viewdev", "vm-tmpfs", the control "vm-tmpfs-b" and
# "vm-tmpfs-huge", a tmpfs mounted huge=within_size)
# on stdout; run.sh
# appends them to measure.jsonl and report.py makes ratio = viewdev/tmpfs.
#
# Exit 0 with samples; 77 (reason on stderr as "SKIP: ...") when QEMU,
# the kernel image or the headers are missing; 1 when something failed
# ("FAIL: ..." on stderr; the serial log is OUT_DIR/vm/serial.log).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=SCRIPTDIR/../tools/vmboot.sh
. tools/vmboot.sh
OUT=${1:-build/bench}
vm=$OUT/vm
mkdir -p "$vm"

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Size of each file, repetitions, random 4 KiB reads per random test.
# TCG runs ~10-30x slower than the host: the full run takes ~1 min of VM.
if [ "${QUICK:-0}" != 0 ]; then
	SIZE_MB=32 REPS=5 OPS=16000 TMO=90
else
	SIZE_MB=128 REPS=7 OPS=40000 TMO=240
fi

# the first kernel of VIEW_VM_KVER (which tests/vm reads as a list), else the default series
# shellcheck disable=SC2086
vm_kernel ${VIEW_VM_KVER:-} || skip "$vm_why"
vm_qemu || skip "$vm_why"
[ -x "$busybox" ] || skip "no $busybox (busybox-static; make deps)"

# kmod/ is shared with the tests/vm harness: build, then take a copy at once.
if ! make --no-print-directory kmod KMOD_KVER="$kver" >"$vm/kmod.log" 2>&1 ||
	[ ! -s kmod/viewdev.ko ]; then
	fail "the module does not build (make kmod; see $vm/kmod.log)"
fi
cp kmod/viewdev.ko "$vm/viewdev.ko" || fail "cannot copy kmod/viewdev.ko"
if ! make --no-print-directory SAN=0 BUILD=build build/bench/vmbench >"$vm/vmbench.log" 2>&1; then
	fail "bench/vmbench.c does not build static (see $vm/vmbench.log)"
fi

root=$vm/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,lib,proc,sys,dev,mnt}
cp "$busybox" "$root/bin/busybox"
cp "$vm/viewdev.ko" "$root/lib/viewdev.ko"
cp build/bench/vmbench "$root/bin/vmbench"
cp bench/vm-init.sh "$root/init"
chmod 755 "$root/init"
vm_pack "$root" "$vm/initrd.cpio.gz" ||
	fail "cannot pack the initramfs"

# Guest RAM: the four files and the mmap-touch one, plus room for the
# kernel and the initramfs.
mem=$((SIZE_MB * 5 + 320))
log=$vm/serial.log
start=$SECONDS
vm_boot "$TMO" 1 "${mem}M" "$log" "$kernel" "$vm/initrd.cpio.gz" "quiet vmbench=$SIZE_MB,$REPS,$OPS"
rc=$?
echo "vm: kernel $kver, QEMU TCG -smp 1 -m ${mem}M, ${SIZE_MB} MiB files, $REPS reps, $OPS random reads: $((SECONDS - start)) s (qemu exit $rc)" >&2
grep '^VMBENCH-INFO' "$log" | sed 's/^VMBENCH-INFO /vm: guest: /' >&2
if grep -q '^VMBENCH-ERROR' "$log"; then
	fail "$(grep -m1 '^VMBENCH-ERROR' "$log" | sed 's/^VMBENCH-ERROR //')"
fi
[ "$rc" = 124 ] && fail "the VM did not finish in ${TMO} s (TCG on a busy machine?); samples so far are dropped"
grep -q '^VMBENCH-DONE' "$log" || fail "vmbench did not finish (see $log)"
grep -q '^@@VMBENCH-END@@' "$log" || fail "the VM did not reach its end marker (see $log)"

awk -v size="$SIZE_MB" -v reps="$REPS" -v ops="$OPS" -v kver="$kver" '
$1 == "VMBENCH" && NF == 6 {
	subj = $3 == "viewdev" ? $3 : "vm-" $3
	printf "{\"part\":\"kmod\",\"test\":\"%s\",\"subject\":\"%s\",\"unit\":\"%s\",\"better\":\"higher\",\"value\":%s,\"rep\":%s,\"size_mib\":%s,\"rand_ops\":%s,\"guest_kernel\":\"%s\"}\n",
		$2, subj, $4, $5, $6, size, ops, kver
}' "$log"
