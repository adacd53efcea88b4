# shellcheck shell=bash disable=SC2034
# tools/vmboot.sh: how tests/vm/run.sh and bench/vm.sh find a kernel and
# QEMU, pack an initramfs and boot it.  Sourced from the top of the tree:
#
#   . tools/vmboot.sh
#   vm_qemu             sets qemu to a qemu-system-x86_64 that starts here;
#                       else sets vm_why and returns 1
#   vm_kernel [WANT]    WANT a series or release of tools/kver.sh (none:
#                       its default series); sets kver (the release),
#                       kernel (its image: $vmdir/vmlinuz-KVER, which
#                       tools/deps/kmod-vmlinuz.sh fetches, else
#                       /boot/vmlinuz-KVER) and headers
#                       (/usr/src/linux-headers-KVER); else sets vm_why
#                       and returns 1
#   vm_pack DIR INITRD  packs DIR into INITRD (newc cpio, gzip -1)
#   vm_boot TIMEOUT SMP MEM LOG KERNEL INITRD APPEND...
#                       boots KERNEL with INITRD under TCG (q35, -cpu max,
#                       MEM as -m takes it), the serial console in LOG
#                       (carriage returns removed), the command line
#                       "console=ttyS0 panic=-1 oops=panic APPEND...";
#                       returns QEMU's exit status (124: TIMEOUT seconds
#                       passed)
#
# vmdir is $VIEW_VM_DIR, else /opt/viewfs/vm; busybox is the static
# busybox both initramfs hold (/bin/busybox, from busybox-static).
vmdir=${VIEW_VM_DIR:-/opt/viewfs/vm}
busybox=/bin/busybox
vm_why=

vm_qemu() {
	qemu=$(command -v qemu-system-x86_64) ||
		{ vm_why="qemu-system-x86_64 is not installed"; return 1; }
	"$qemu" -machine help >/dev/null 2>&1 ||
		{ vm_why="qemu-system-x86_64 does not start here"; return 1; }
}

vm_kernel() {
	local want=${1:-$(bash tools/kver.sh --list | head -n 1)} meta
	kver=$(bash tools/kver.sh "$want")
	if [ -z "$kver" ]; then
		if meta=$(bash tools/kver.sh --meta "$want"); then
			vm_why="$meta is not installed (run make deps)"
		else
			vm_why="not a kernel series of tools/kver.sh: $(bash tools/kver.sh --list | paste -sd ' ')"
		fi
		return 1
	fi
	kernel=$vmdir/vmlinuz-$kver
	[ -s "$kernel" ] || kernel=/boot/vmlinuz-$kver
	[ -s "$kernel" ] ||
		{ vm_why="no kernel image $vmdir/vmlinuz-$kver (run make deps)"; return 1; }
	headers=/usr/src/linux-headers-$kver
	[ -d "$headers" ] ||
		{ vm_why="no headers $headers (run make deps)"; return 1; }
}

vm_pack() {
	(cd "$1" && find . | cpio -o -H newc --quiet) | gzip -1 >"$2"
}

vm_boot() {
	local tmo=$1 smp=$2 mem=$3 log=$4 kern=$5 initrd=$6 rc
	shift 6
	timeout "$tmo" "$qemu" -machine q35 -accel tcg -cpu max -smp "$smp" -m "$mem" \
		-display none -no-reboot -nodefaults -serial "file:$log" \
		-kernel "$kern" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic $*" </dev/null
	rc=$?
	sed -i 's/\r$//' "$log"
	return $rc
}
