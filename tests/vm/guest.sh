#!/bin/busybox sh
# /init of the test VM (tests/vm/run.sh packs it): loads viewdev.ko, runs
# the CMocka suites and the CLI checks, checks dmesg, prints one TAP line
# per test and the marker @@TEST-RESULT: PASS@@ or FAIL, then powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
dmesg -n 1
cd /tmp
ko=/lib/viewdev.ko
fails=0
group=$(sed -n 's/.*viewtest=\([a-z]*\).*/\1/p' /proc/cmdline)

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fails=$((fails + 1)); }
skip() { echo "ok - $1 # SKIP $2"; }

# t NAME CMD...: one test, passing when CMD exits 0; its output on failure.
t() {
	name=$1
	shift
	if "$@" >/tmp/t.out 2>&1; then
		ok "$name"
	else
		notok "$name"
		sed 's/^/#   /' /tmp/t.out
	fi
}

# suite NAME CMD...: a TAP-printing program; a crash or a short run fails.
suite() {
	name=$1
	shift
	"$@" >/tmp/suite.out 2>&1
	rc=$?
	cat /tmp/suite.out
	fails=$((fails + $(grep '^not ok ' /tmp/suite.out | grep -vc '# SKIP')))
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' /tmp/suite.out | head -n 1)
	ran=$(grep -cE '^(not )?ok ' /tmp/suite.out)
	if [ -z "$plan" ] || [ "$ran" -ne "$plan" ]; then
		notok "$name ran ${ran} of ${plan:-?} tests (exit $rc)"
	elif [ "$rc" -ne 0 ] && ! grep -q '^not ok ' /tmp/suite.out; then
		notok "$name exit $rc with no failed test"
	fi
}

t "insmod viewdev.ko" insmod $ko
t "/dev/viewctl exists" test -c /dev/viewctl

if [ "$group" = stress ]; then
	suite "stress" /bin/viewdev_test stress
	# tests/vm/viewdev_fuzz.c: random ioctls/file operations, races and
	# rmmod/insmod cycles for viewfuzz= seconds; its counts go to the log.
	fuzz_s=$(sed -n 's/.*viewfuzz=\([0-9.]*\).*/\1/p' /proc/cmdline)
	fuzz_seed=$(sed -n 's/.*viewseed=\([0-9a-fA-Fx]*\).*/\1/p' /proc/cmdline)
	if [ -n "$fuzz_s" ] && [ "$fuzz_s" != 0 ]; then
		/bin/viewdev_fuzz -s "${fuzz_seed:-0x5eed0013}" -t "$fuzz_s" -k $ko >/tmp/fuzz.out 2>&1
		rc=$?
		sed 's/^/# /' /tmp/fuzz.out
		if [ "$rc" -eq 0 ] && grep -q '^fuzz: violations 0$' /tmp/fuzz.out; then
			ok "fuzz: ioctls, file operations, races, rmmod/insmod: no violation (seed ${fuzz_seed:-0x5eed0013})"
		else
			notok "fuzz: exit $rc (seed ${fuzz_seed:-0x5eed0013}; viewdev_fuzz -s SEED replays phase 1)"
		fi
		t "fuzz: the module is loaded again after its rmmod cycles" test -c /dev/viewctl
	else
		skip "fuzz" "viewfuzz=0"
	fi
else
	suite "api" /bin/viewdev_test api
	suite "file" /bin/viewdev_test file
	suite "seal" /bin/viewdev_test seal
	suite "dmabuf" /bin/viewdev_test dmabuf
	# a real importer: vgem's PRIME import (DRM_IOCTL_PRIME_FD_TO_HANDLE)
	if [ -s /lib/vgem/load-order ]; then
		vgem_ok=1
		for m in $(cat /lib/vgem/load-order); do
			insmod "/lib/vgem/$m" 2>/tmp/vgem.err || { vgem_ok=; cat /tmp/vgem.err; break; }
		done
		# no other DRM device in this VM; the suite checks it is vgem
		card=$(ls /dev/dri/card* 2>/dev/null | head -n 1)
		t "vgem: the package's DRM modules load" test -n "$vgem_ok"
		if [ -n "$vgem_ok" ] && [ -n "$card" ]; then
			suite "vgem" /bin/viewdev_test vgem "$card" $ko
		elif [ -n "$vgem_ok" ]; then
			notok "vgem: no /dev/dri/card* after loading vgem"
		fi
	else
		skip "vgem: dma-buf import" "no vgem.ko for this kernel (make deps extracts it)"
	fi
	suite "stress" /bin/viewdev_test stress
	if [ -x /bin/filesem ] && [ -f /bin/filesem.sh ]; then
		. /bin/filesem.sh
	else
		skip "filesem checks" "tests/common/filesem.c was not built"
	fi
	if [ -x /bin/view ] && [ -f /bin/cli.sh ]; then
		. /bin/cli.sh
	else
		skip "view CLI checks" "$(cat /etc/no-view 2>/dev/null)"
	fi
	suite "unload" /bin/viewdev_test unload $ko
fi

t "rmmod viewdev with buffers left frees them" sh -c '
	viewdev_test mk left1 4096 && viewdev_test mk left2 65536 &&
	test -c /dev/view/left2 && rmmod viewdev &&
	! test -e /dev/viewctl && ! test -e /dev/view/left1 &&
	! test -e /sys/module/viewdev && ! test -e /sys/class/view'
if [ -x /bin/view ] && [ "$group" != stress ]; then
	t "cli: error when the module is not loaded" sh -c '
		! view kmod list 2>/tmp/e && cat /tmp/e && grep -q "not loaded" /tmp/e'
fi

dmesg >/tmp/dmesg
# The check below means something only when dmesg shows the kernel's log:
# loading the unsigned out-of-tree module logs a taint line once a boot.
t "dmesg holds the kernel log (viewdev's taint line)" grep -q 'viewdev' /tmp/dmesg
if grep -q 'kfence.sample_interval=[1-9]' /proc/cmdline; then
	t "KFENCE is on (tests/vm/run.sh asked for it)" grep -q 'kfence: initialized' /tmp/dmesg
fi
if grep -E 'BUG|WARNING|Oops|KASAN|KFENCE|UBSAN|refcount|general protection|leak' /tmp/dmesg >/tmp/bad; then
	notok "dmesg has no BUG/WARNING/Oops"
	sed 's/^/#   /' /tmp/bad
	sed 's/^/#   dmesg: /' /tmp/dmesg | tail -n 60
else
	ok "dmesg has no BUG/WARNING/Oops"
	[ "$fails" -eq 0 ] || sed 's/^/#   dmesg: /' /tmp/dmesg | tail -n 30
fi

if [ "$fails" -eq 0 ]; then
	echo "@@TEST-RESULT: PASS@@"
else
	echo "@@TEST-RESULT: FAIL@@"
fi
sync
poweroff -f
