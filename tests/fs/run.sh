#!/usr/bin/env bash
# tests/fs: viewfs end to end.  usage: tests/fs/run.sh BUILD_DIR
#
# Mounts build/.../bin/viewfs on temporary directories and drives it with
# the tools users use (coreutils, dd, tar, find, attr, fio, Python mmap,
# numpy.memmap, view show), the shared file-semantics checker
# (tests/common/filesem.c) and tests/fs/checks.py (a random model-based
# test among them).  The data-path tests run with passthrough=on and
# passthrough=off.  Last line: "RESULT: P passed, F failed, S skipped".
set -u
build=${1:-build/san}
cd "$(dirname "$0")/../.."
# shellcheck source=SCRIPTDIR/../common/result.sh
. tests/common/result.sh
root=$PWD
bin=$root/$build/bin/viewfs
view=$root/$build/bin/view
filesem=$root/$build/tests/filesem
checks=$root/tests/fs/checks.py
PY=/usr/bin/python3
# The daemon runs under ASan in the sanitizer build; leaks fail its exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# a missing binary is a broken build (suite_broken), not a reason to skip
[ -x "$bin" ] || suite_broken "$bin not built"
[ -x "$filesem" ] || suite_broken "$filesem not built (make test-bins)"
[ -c /dev/fuse ] || suite_skip "no /dev/fuse on this machine"
[ "$(id -u)" = 0 ] || suite_skip "the fs tests mount and need root"
for t in setfattr getfattr fio fusermount3 "$PY"; do
	command -v "$t" >/dev/null || suite_skip "$t missing (make deps)"
done

tmp=$(mktemp -d /tmp/viewfs-test.XXXXXX)
chmod 755 "$tmp"	# other users reach the mount (other_user_permissions)
mnt=$tmp/mnt
mkdir -p "$mnt"
pid=
uring_saved=	# the kernel's enable_uring to put back (io_uring block below)
cleanup() {
	[ -n "$uring_saved" ] && echo "$uring_saved" >/sys/module/fuse/parameters/enable_uring
	grep -qs " $tmp/ref " /proc/mounts && umount "$tmp/ref"
	if grep -qs " $mnt " /proc/mounts; then fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt"; fi
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

is_mounted() { grep -qs " $mnt fuse.viewfs " /proc/mounts; }

# mount_fs [viewfs options...]: start the daemon in the foreground, in the
# background of this shell; its log is $tmp/log.
mount_fs() {
	: >"$tmp/log"
	# a usual soft descriptor limit: the daemon must raise it itself
	(ulimit -Sn 1024; exec "$bin" "$mnt" -f "$@") >>"$tmp/log" 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		# stat waits for the INIT reply, after which the log says the data path
		is_mounted && stat "$mnt" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "  mount failed:"; sed 's/^/    /' "$tmp/log"
	return 1
}

# umount_fs: unmount and check the daemon ended cleanly (exit 0, no
# sanitizer report).
umount_fs() {
	local rc
	fusermount3 -u "$mnt" || { echo "  fusermount3 -u failed"; return 1; }
	if [ -z "$pid" ]; then echo "  no daemon to wait for"; return 1; fi
	wait "$pid"; rc=$?
	pid=
	if [ "$rc" -ne 0 ]; then
		echo "  daemon exit status $rc:"; sed 's/^/    /' "$tmp/log" | tail -n 30
		return 1
	fi
	return 0
}

# t NAME FUNCTION [ARGS]: one test, run in this shell (it may mount and
# unmount); its output is shown indented when it fails.
t() {
	local name=$1 rc
	shift
	"$@" >"$tmp/out" 2>&1; rc=$?
	if [ $rc -eq 0 ]; then
		ok "$name"
	else
		bad "$name"; sed 's/^/     /' "$tmp/out" | tail -n 25
	fi
}

expect_fail() {	# expect_fail ERRTEXT CMD...: CMD fails, stderr mentions ERRTEXT
	local want=$1 out
	shift
	if out=$("$@" 2>&1); then echo "unexpected success: $*"; return 1; fi
	echo "$out" | grep -qi -- "$want" || { echo "'$*' failed, but not with '$want': $out"; return 1; }
}

# one_line_error ERRTEXT CMD...: CMD fails with exactly one line on stderr,
# which mentions ERRTEXT (no sanitizer report, no usage dump).
one_line_error() {
	local want=$1
	shift
	if "$@" >/dev/null 2>"$tmp/err"; then echo "unexpected success: $*"; return 1; fi
	[ "$(wc -l <"$tmp/err")" = 1 ] && grep -qi -- "$want" "$tmp/err" ||
		{ echo "'$*': wanted one line with '$want' on stderr, got:"; head -n 5 "$tmp/err"; return 1; }
}

# ---------------------------------------------------------------- tests

t_cli() {
	"$bin" --help >"$tmp/help" || return 1
	for w in SYNOPSIS OPTIONS "--store DIR" "size=BYTES" "passthrough=auto" max_files allow_other LIMITS \
		"reserve=on|off" "max_xattr_bytes=BYTES" "huge=never|always|within_size|advise" \
		"io_uring=auto|on|off" "spin=MICROSECONDS"; do
		grep -q -- "$w" "$tmp/help" || { echo "--help lacks $w"; return 1; }
	done
	"$bin" --version | grep -q "^viewfs " || return 1
	"$bin" --version | grep -q "libfuse 3\." || return 1
	expect_fail "passthrough" "$bin" "$mnt" -o passthrough=sometimes || return 1
	expect_fail "usage" "$bin" || return 1
	expect_fail "bad size=abc" "$bin" "$mnt" -o size=abc || return 1
	expect_fail "max_files" "$bin" "$mnt" --store "$tmp" -o max_files=3 || return 1
	one_line_error "bad reserve=maybe" "$bin" "$mnt" -o reserve=maybe || return 1
	one_line_error "bad io_uring=yes" "$bin" "$mnt" -o io_uring=yes || return 1
	for v in -1 10001 x 5us ""; do
		one_line_error "bad spin=$v " "$bin" "$mnt" -o "spin=$v" || return 1
	done
	one_line_error "bad max_xattr_bytes=lots" "$bin" "$mnt" -o max_xattr_bytes=lots || return 1
	one_line_error "max_xattr_bytes" "$bin" "$mnt" --store "$tmp" -o max_xattr_bytes=1m || return 1
	one_line_error "invalid argument" "$bin" "$mnt" extra_argument || return 1
	one_line_error "bad mount point" "$bin" "$tmp/no/such/dir" || return 1
	one_line_error "bad timeout=nan" timeout 5 "$bin" "$mnt" -f -o timeout=nan || return 1
	: >"$tmp/plain-file"
	one_line_error "not a directory" "$bin" "$mnt" --store "$tmp/plain-file" || return 1
	! is_mounted || { echo "a refused start left a mount"; return 1; }
	# a mountpoint inside the store: lookups would reach the mount itself
	local st=$tmp/cli-store
	mkdir -p "$st/sub/m"
	one_line_error "inside --store" timeout 5 "$bin" "$st/sub/m" -f --store "$st"
	local rc=$?
	if grep -qs " $st/sub/m " /proc/mounts; then
		fusermount3 -uz "$st/sub/m"; echo "a mountpoint inside the store was mounted"; return 1
	fi
	rm -rf "$st"
	return $rc
}

t_datapath_reported() {	# $1 = on|off
	if [ "$1" = on ]; then grep -q "data path: kernel passthrough" "$tmp/log"
	else grep -q "data path: daemon" "$tmp/log"; fi || { cat "$tmp/log"; return 1; }
}

t_filesem() {
	touch "$mnt/fsem" && "$filesem" "$mnt/fsem"
}

t_tools() {
	local src=$tmp/src.bin
	head -c 3000000 /dev/urandom >"$src"
	truncate -s 1G "$mnt/big" || return 1
	[ "$(stat -c %s "$mnt/big")" = 1073741824 ] || { echo "truncate -s 1G: size wrong"; return 1; }
	# reserve=on (the RAM store's default): the buffer owns its 1G
	# (t_reserve_off checks that reserve=off keeps it sparse)
	[ "$(du -k "$mnt/big" | cut -f1)" -ge 1048576 ] || { echo "1G buffer does not own its pages: $(du -k "$mnt/big")"; return 1; }
	dd if="$src" of="$mnt/big" bs=64k conv=notrunc status=none || return 1
	cmp -n 3000000 "$src" "$mnt/big" || return 1
	[ "$(du -k "$mnt/big" | cut -f1)" -ge 2900 ] || { echo "du after 3 MB written: $(du -k "$mnt/big")"; return 1; }
	rm "$mnt/big"
	cp "$src" "$mnt/c" && cmp "$src" "$mnt/c" || return 1
	[ "$(sha256sum <"$mnt/c")" = "$(sha256sum <"$src")" ] || { echo sha256 differs; return 1; }
	cat "$mnt/c" >"$tmp/back" && cmp "$src" "$tmp/back" || return 1
	ls -l "$mnt/c" | grep -q " 3000000 " || { ls -l "$mnt"; return 1; }
	dd if="$src" of="$mnt/dio" bs=64k oflag=direct status=none || return 1
	dd if="$mnt/dio" of="$tmp/dio" bs=64k iflag=direct status=none && cmp -n 3000000 "$src" "$tmp/dio" || return 1
	rm "$mnt/dio"
	mkdir -p "$mnt/d1/d2/d3" || return 1
	mv "$mnt/c" "$mnt/d1/d2/moved" && cmp "$src" "$mnt/d1/d2/moved" || return 1
	[ ! -e "$mnt/c" ] || { echo "mv left the source"; return 1; }
	for i in 1 2 3 4 5; do echo "file $i" >"$mnt/d1/d2/d3/f$i"; done
	[ "$(find "$mnt/d1" -type f | wc -l)" = 6 ] || { find "$mnt/d1"; return 1; }
	[ "$(find "$mnt/d1" -type d | wc -l)" = 3 ] || return 1
	tar -C "$mnt" -cf "$tmp/t.tar" d1 || return 1
	mkdir "$mnt/x" && tar -C "$mnt/x" -xf "$tmp/t.tar" || return 1
	diff -r "$mnt/d1" "$mnt/x/d1" || return 1
	tar -C "$mnt" -cf - d1 | tar -tf - | grep -q "d1/d2/d3/f5" || return 1
	expect_fail "not empty" rmdir "$mnt/d1/d2" || return 1
	rm -r "$mnt/x" "$mnt/d1" || return 1
	[ -z "$(ls -A "$mnt" | grep -v fsem)" ] || { ls -A "$mnt"; return 1; }
}

t_links_attrs() {
	echo hello >"$mnt/h" || return 1
	ln "$mnt/h" "$mnt/h2" && [ "$(stat -c %h "$mnt/h")" = 2 ] || { echo "link count"; return 1; }
	echo more >>"$mnt/h2"
	[ "$(cat "$mnt/h")" = "$(printf 'hello\nmore')" ] || { echo "hard link does not share data"; return 1; }
	ln -s h "$mnt/sym" && [ "$(readlink "$mnt/sym")" = h ] || return 1
	[ "$(cat "$mnt/sym")" = "$(cat "$mnt/h")" ] || return 1
	[ "$(stat -c %F "$mnt/sym")" = "symbolic link" ] || return 1
	chmod 640 "$mnt/h" && [ "$(stat -c %a "$mnt/h")" = 640 ] || { echo chmod; return 1; }
	chown 1234:2345 "$mnt/h" && [ "$(stat -c %u:%g "$mnt/h2")" = 1234:2345 ] || { echo chown; return 1; }
	touch -d "2001-02-03 04:05:06 UTC" "$mnt/h" || return 1
	[ "$(stat -c %Y "$mnt/h")" = 981173106 ] || { echo "utimens: $(stat -c %Y "$mnt/h")"; return 1; }
	# device nodes as on tmpfs (root may make them); nodev: never opened as devices
	mknod "$mnt/null" c 1 3 && mknod "$mnt/blk" b 1 2 || { echo "mknod of devices failed"; return 1; }
	[ "$(stat -c '%F %t %T' "$mnt/null")" = "character special file 1 3" ] || { stat -c '%F %t %T' "$mnt/null"; return 1; }
	[ "$(stat -c '%F %t %T %a' "$mnt/blk")" = "block special file 1 2 644" ] || { stat -c '%F %t %T %a' "$mnt/blk"; return 1; }
	expect_fail "denied" dd if="$mnt/null" of=/dev/null count=1 status=none || return 1
	mkdir -p "$mnt/devtree" && mknod "$mnt/devtree/c" c 1 5 && cp -a "$mnt/devtree" "$mnt/devtree2" || { echo "cp -a of a device"; return 1; }
	[ "$(stat -c '%F %t %T' "$mnt/devtree2/c")" = "character special file 1 5" ] || { stat -c '%F %t %T' "$mnt/devtree2/c"; return 1; }
	rm -rf "$mnt/null" "$mnt/blk" "$mnt/devtree" "$mnt/devtree2"
	mkfifo "$mnt/fifo" && [ -p "$mnt/fifo" ] || return 1
	# O_EXCL on an existing name
	$PY -c "import os,sys
try: os.open('$mnt/h', os.O_CREAT|os.O_EXCL|os.O_WRONLY)
except FileExistsError: sys.exit(0)
sys.exit(1)" || { echo "O_EXCL did not fail with EEXIST"; return 1; }
	# locks: kernel-local, but they must exclude
	flock -n "$mnt/h" sleep 1 & local lp=$!
	sleep 0.3
	expect_fail "" flock -n "$mnt/h" true || { wait $lp; echo "flock did not exclude"; return 1; }
	wait $lp
	# fcntl (POSIX) record locks exclude another process too
	$PY -c "
import fcntl, os, sys, time
f = open('$mnt/h', 'r+')
fcntl.lockf(f, fcntl.LOCK_EX, 10, 0)
pid = os.fork()
if pid == 0:
    g = open('$mnt/h', 'r+')
    try:
        fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
        os._exit(1)
    except OSError:
        pass
    fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 20)   # other range is free
    os._exit(0)
_, st = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(st))
" || { echo "fcntl record locks do not exclude"; return 1; }
	sync -f "$mnt/h" || return 1
	$PY -c "import os; f=os.open('$mnt/h', os.O_RDWR); os.fsync(f); os.fdatasync(f)" || return 1
	rm -f "$mnt/h" "$mnt/h2" "$mnt/sym" "$mnt/fifo"
}

t_xattrs() {
	local f=$mnt/xa
	head -c 96 /dev/zero >"$f"
	setfattr -n user.view.format -v '<i' "$f" || return 1
	setfattr -n user.view.shape -v 4,6 "$f" || return 1
	[ "$(getfattr --only-values -n user.view.shape "$f")" = 4,6 ] || return 1
	expect_fail "invalid" setfattr -n user.view.shape -v 5,6 "$f" || return 1	# 120 > 96 bytes
	expect_fail "invalid" setfattr -n user.view.format -v 'Q' "$f" || return 1	# 4*6*8 > 96
	expect_fail "invalid" setfattr -n user.view.format -v 'Zz' "$f" || return 1
	expect_fail "invalid" setfattr -n user.view.shape -v '4,x' "$f" || return 1
	[ "$(getfattr --only-values -n user.view.format "$f")" = '<i' ] || { echo "bad set changed format"; return 1; }
	[ "$(getfattr --only-values -n user.view.shape "$f")" = 4,6 ] || { echo "bad set changed shape"; return 1; }
	setfattr -n user.note -v "any text" "$f" || return 1
	getfattr -d "$f" | grep -q 'user.note="any text"' || return 1
	[ "$(getfattr -d "$f" | grep -c '^user\.')" = 3 ] || { getfattr -d "$f"; return 1; }
	setfattr -x user.note "$f" || return 1
	getfattr -d "$f" | grep -q user.note && { echo "removexattr did not remove"; return 1; }
	expect_fail "not supported" setfattr -n trusted.x -v 1 "$f" || return 1
	mkdir "$mnt/xd" && setfattr -n user.tag -v d "$mnt/xd" || return 1
	if [ -x "$view" ]; then
		$PY -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<24i', *range(24)))" >"$tmp/ints"
		dd if="$tmp/ints" of="$f" conv=notrunc status=none
		local out
		out=$("$view" show "$f" --tolist) || return 1
		[ "$(echo "$out" | tr -d ' ')" = "[[0,1,2,3,4,5],[6,7,8,9,10,11],[12,13,14,15,16,17],[18,19,20,21,22,23]]" ] ||
			{ echo "view show: $out"; return 1; }
	else
		echo "note: $view not built, view show not checked"
	fi
	rm -rf "$f" "$mnt/xd"
}

t_other_user() {	# needs allow_other
	local U="setpriv --reuid=65534 --regid=65534 --clear-groups"
	mkdir "$mnt/pub" && chmod 1777 "$mnt/pub" || return 1
	echo secret >"$mnt/pub/rootfile" && chmod 644 "$mnt/pub/rootfile"
	$U sh -c "echo hi >'$mnt/pub/mine'" || { echo "nobody cannot create in a 1777 dir"; return 1; }
	[ "$(stat -c %u:%g "$mnt/pub/mine")" = 65534:65534 ] || { echo "new file not owned by its creator"; return 1; }
	$U setfattr -n user.a -v 1 "$mnt/pub/mine" || return 1
	expect_fail "denied" $U sh -c "echo x >>'$mnt/pub/rootfile'" || return 1
	expect_fail "not permitted" $U rm "$mnt/pub/rootfile" || return 1	# sticky
	expect_fail "not permitted" $U chmod 666 "$mnt/pub/rootfile" || return 1
	expect_fail "denied" $U truncate -s 0 "$mnt/pub/rootfile" || return 1
	expect_fail "denied" $U setfattr -n user.a -v 1 "$mnt/pub/rootfile" || return 1
	[ "$(cat "$mnt/pub/rootfile")" = secret ] || return 1
	# a write by a user without CAP_FSETID clears set-user-ID and
	# set-group-ID (as tmpfs does), passthrough writes included, and
	# stat sees it at once; reading and root's writes keep them
	echo x >"$mnt/pub/suid" && chmod 6777 "$mnt/pub/suid"
	$U cat "$mnt/pub/suid" >/dev/null && echo y >>"$mnt/pub/suid" || return 1
	[ "$(stat -c %a "$mnt/pub/suid")" = 6777 ] || { echo "mode $(stat -c %a "$mnt/pub/suid") after a read and root's write"; return 1; }
	$U sh -c "echo z >>'$mnt/pub/suid'" || return 1
	[ "$(stat -c %a "$mnt/pub/suid")" = 777 ] ||
		{ echo "set-user-ID/set-group-ID kept after another user's write: $(stat -c %a "$mnt/pub/suid")"; return 1; }
	rm -r "$mnt/pub"
}

t_py() { $PY "$checks" "$1" "$mnt" "${@:2}"; }

# Issue 15: seals (libview's view.h, "Seals"), tests/fs/seals.py: every
# sealed operation refused as root and as nobody, EBUSY while a writable
# fd or mapping exists, a consumer of a shrink-sealed buffer never gets
# SIGBUS, no write lands after a seal won against concurrent writers.  On the mount in place (allow_other: nobody reaches it).
seals_py=$root/tests/fs/seals.py
t_seals() {
	mkdir -p "$mnt/seals" && chmod 1777 "$mnt/seals" || return 1
	$PY "$seals_py" rules "$mnt/seals" || return 1
	$PY "$seals_py" nosigbus "$mnt/seals" || return 1
	$PY "$seals_py" race "$mnt/seals" || return 1
	rmdir "$mnt/seals"
}
# The same on --store DIR, then the seals survive a restart of the daemon.
t_seals_store() {	# $1 = on|off (passthrough)
	local store=$tmp/store-seals-$1 v
	mkdir -p "$store"
	mount_fs --store "$store" -o passthrough="$1",allow_other || return 1
	t_seals && $PY "$seals_py" persist-1 "$mnt" || { umount_fs; return 1; }
	umount_fs || return 1
	v=$(getfattr --only-values -n user.view.seals "$store/persist")
	[ "$v" = write,shrink ] || { echo "the store file's seals: '$v'"; return 1; }
	mount_fs --store "$store" -o passthrough="$1",allow_other || return 1
	$PY "$seals_py" persist-2 "$mnt" || { umount_fs; return 1; }
	umount_fs
}

t_fio_verify() {
	fio --name=v --directory="$mnt" --size=16M --bs=4k --rw=randwrite --verify=crc32c \
		--do_verify=1 --verify_state_save=0 --ioengine=psync --output="$tmp/fio.out" >/dev/null 2>&1 ||
		{ tail -n 20 "$tmp/fio.out"; return 1; }
	grep -q "err= 0" "$tmp/fio.out" || { tail -n 20 "$tmp/fio.out"; return 1; }
	fio --name=m --directory="$mnt" --size=8M --bs=64k --rw=write --ioengine=mmap \
		--verify=md5 --do_verify=1 --verify_state_save=0 --output="$tmp/fio.out" >/dev/null 2>&1 ||
		{ tail -n 20 "$tmp/fio.out"; return 1; }
	rm -f "$mnt"/v.* "$mnt"/m.*
}

t_requests_seen() {	# $1 = on|off: a fresh mount with -o stats
	mount_fs -o passthrough="$1",stats || return 1
	dd if=/dev/zero of="$mnt/w" bs=4k count=3000 status=none || return 1
	dd if=/dev/zero of="$mnt/w" bs=4k count=3000 conv=notrunc status=none || return 1
	umount_fs || return 1
	local line w sec
	line=$(grep "stats: open" "$tmp/log") || { cat "$tmp/log"; return 1; }
	echo "  $line"
	w=$(echo "$line" | sed -E 's/.*write ([0-9]+).*/\1/')
	sec=$(echo "$line" | sed -E 's/.*security\.\* ([0-9]+).*/\1/')
	if [ "$1" = on ]; then
		[ "$w" = 0 ] || { echo "passthrough: $w writes reached the daemon"; return 1; }
	else
		[ "$w" -ge 6000 ] || { echo "daemon path: only $w writes reached the daemon"; return 1; }
	fi
	# 6000 write(2) calls: the security.capability probe must not follow each.
	[ "$sec" -lt 60 ] || { echo "$sec security.* getxattr requests for 6000 writes"; return 1; }
}

t_enospc() {
	local a=$mnt/keep
	head -c 1000000 /dev/urandom >"$tmp/keep"
	cp "$tmp/keep" "$a" || return 1
	df -B1 "$mnt" | grep -q " 8388608 " || { df -B1 "$mnt"; return 1; }
	expect_fail "No space left" dd if=/dev/zero of="$mnt/fill" bs=64k count=1000 status=none || return 1
	cmp "$tmp/keep" "$a" || { echo "ENOSPC changed another file"; return 1; }
	local n; n=$(stat -c %s "$mnt/fill")
	cmp -n "$n" /dev/zero "$mnt/fill" || return 1
	[ "$(df --output=pcent "$mnt" | tail -1 | tr -d ' %')" -ge 95 ] || { df "$mnt"; return 1; }
	rm "$mnt/fill"
	expect_fail "No space left" truncate -s 7900k "$mnt/t" || return 1
	[ "$(stat -c %s "$mnt/t")" = 0 ] || { echo "failed truncate changed the size"; return 1; }
	expect_fail "No space left" fallocate -l 7900k "$mnt/t" || return 1
	[ "$(stat -c %s "$mnt/t")" = 0 ] || { echo "failed fallocate changed the size"; return 1; }
	fallocate -l 4M "$mnt/t" || { echo "fallocate within capacity failed"; return 1; }
	cmp "$tmp/keep" "$a" || return 1
	rm "$mnt/t" "$a"
	# beyond the capacity: EFBIG (POSIX), not ENOSPC
	expect_fail "too large" truncate -s 999999999999999 "$mnt/big" || return 1
	expect_fail "too large" fallocate -l 9M "$mnt/big" || return 1
	[ "$(stat -c %s "$mnt/big")" = 0 ] || return 1
	rm "$mnt/big"
}

# Crash consistency of --store (tests/fs/crash.py): 50 SIGKILLs of the
# daemon (and the writer) at random moments per data path, remount, and
# every byte and xattr a completed fsync/fdatasync/msync made durable
# must be there.  The seed is fixed, so a failure reproduces.
t_crash() {
	local st=$tmp/crash-store-$1
	mkdir -p "$st"
	"$PY" "$root/tests/fs/crash.py" "$bin" "$st" "$mnt" 50 "$2" -o passthrough="$1"
	local rc=$?
	rm -rf "$st"
	return $rc
}

# Races in the daemon: the ThreadSanitizer build (make SAN=thread viewfs,
# built by make test) under 16 client processes churning shared names
# (tests/fs/churn.py: create/write/read/rename/link/unlink/truncate/chmod/
# utime/xattrs/readdir/mmap/mkdir/rmdir).  Any TSan report makes the
# daemon exit 66, which fails umount_fs; the reports are shown.
t_tsan() {	# t_tsan on|off SEED [on: over io_uring] [spin: with -o spin=50]
	local tbin=$root/build/tsan/bin/viewfs rc=0 save=$bin
	[ -x "$tbin" ] || { echo "$tbin not built (make SAN=thread viewfs)"; return 1; }
	rm -f "$tmp"/tsan.*
	bin=$tbin
	TSAN_OPTIONS="halt_on_error=0 exitcode=66 log_path=$tmp/tsan suppressions=$root/tests/fs/tsan.supp" \
		mount_fs -o passthrough="$1",allow_other${3:+,io_uring=$3}${4:+,spin=50,stats} ||
		{ bin=$save; return 1; }
	bin=$save
	if [ "${3:-}" = on ] && ! grep -q "io_uring: on" "$tmp/log"; then
		echo "not over io_uring:"; cat "$tmp/log"; umount_fs; return 1
	fi
	"$PY" "$root/tests/fs/churn.py" "$mnt" 16 2500 12 "$2" || rc=1
	umount_fs || rc=1
	if [ -n "${4:-}" ] && ! grep -q "stats: spin 50 us" "$tmp/log"; then
		echo "not served by the spinning loop:"; grep "stats:" "$tmp/log"; rc=1
	fi
	if ls "$tmp"/tsan.* >/dev/null 2>&1; then
		grep -h -A14 "WARNING: ThreadSanitizer" "$tmp"/tsan.* | head -n 40; rc=1
	fi
	return $rc
}

# Item: no lock-out by descriptor exhaustion.  The daemon's descriptor
# limit is 1024 (soft and hard, set after it started, so it cannot raise
# it); nobody creates 100,000 empty files in a 1777 directory, which the
# kernel keeps cached; then another user and root still open, create and
# stat, and the daemon holds few descriptors.
t_fd_lockout() { t_fd_lockout_ || { is_mounted && umount_fs; return 1; }; }
t_fd_lockout_() {
	local U="setpriv --reuid=65534 --regid=65534 --clear-groups"
	local U2="setpriv --reuid=4321 --regid=4321 --clear-groups" n=100000 nfd rss
	mount_fs -o allow_other || return 1
	grep -q "store objects: file handles" "$tmp/log" || { cat "$tmp/log"; return 1; }
	prlimit --pid "$pid" --nofile=1024:1024 || return 1
	grep -q "Max open files *1024 *1024" "/proc/$pid/limits" || { grep "open files" "/proc/$pid/limits"; return 1; }
	mkdir "$mnt/pub" && chmod 1777 "$mnt/pub" || return 1
	echo rootdata >"$mnt/rootfile" || return 1
	$U $PY -c "
import os, sys
for i in range($n):
    try:
        os.close(os.open('$mnt/pub/f%d' % i, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except OSError as e:
        sys.exit('nobody: file %d of $n: %s' % (i, e))
" || return 1
	nfd=$(ls "/proc/$pid/fd" | wc -l)
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	echo "  daemon after $n files: $nfd descriptors, RSS $rss kB"
	[ "$(ls -f "$mnt/pub" | wc -l)" = $((n + 2)) ] || { echo "listing: $(ls -f "$mnt/pub" | wc -l) entries"; return 1; }
	# another user: create, open, stat (in the shared directory and its own)
	$U2 sh -c "echo other >'$mnt/pub/other' && cat '$mnt/pub/other' >/dev/null &&
		stat '$mnt/pub/f$((n - 1))' >/dev/null && cat '$mnt/pub/f0' &&
		mkdir '$mnt/pub/d2' && touch '$mnt/pub/d2/x' && stat '$mnt/pub/d2/x' >/dev/null" ||
		{ echo "another user locked out"; return 1; }
	# root
	echo new >"$mnt/rootnew" && [ "$(cat "$mnt/rootfile")" = rootdata ] &&
		stat "$mnt/pub/f12345" >/dev/null && setfattr -n user.a -v 1 "$mnt/rootnew" ||
		{ echo "root locked out"; return 1; }
	nfd=$(ls "/proc/$pid/fd" | wc -l)
	[ "$nfd" -lt 200 ] || { echo "daemon holds $nfd descriptors"; return 1; }
	umount_fs
}

# Files held open take a daemon descriptor each: a user other than root
# who holds many gets ENFILE before the daemon runs out, so root can still
# open and create and everyone can still stat.  nobody's processes (500
# open files each, under their own limit) stop at the first ENFILE.
t_open_files_reserve() { t_open_files_reserve_ || { is_mounted && umount_fs; return 1; }; }
t_open_files_reserve_() {
	mount_fs -o allow_other || return 1
	prlimit --pid "$pid" --nofile=1024:1024 || return 1
	mkdir "$mnt/pub" && chmod 1777 "$mnt/pub" && echo rootdata >"$mnt/rootfile" || return 1
	$PY -c "
import errno, os, subprocess, sys
m = '$mnt'
r_go, w_go = os.pipe()
kids, total, errs = [], 0, []
for c in range(4):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r); os.close(w_go)
        os.setgroups([]); os.setgid(65534); os.setuid(65534)
        fds, e = [], 0
        for i in range(500):
            try:
                fds.append(os.open('%s/pub/h%d_%d' % (m, c, i), os.O_RDWR | os.O_CREAT, 0o644))
            except OSError as x:
                e = x.errno
                break
        os.write(w, b'%d %d' % (len(fds), e))
        os.read(r_go, 1)	# EOF when the parent is done
        os._exit(0)
    os.close(w)
    n, e = map(int, os.read(r, 64).split())
    os.close(r)
    kids.append(pid)
    total += n
    if e:
        errs.append(e)
        break
print('  nobody holds %d open files, then %s' % (total, errno.errorcode.get(errs[0]) if errs else 'no error'))
ok = errs == [errno.ENFILE] and 700 < total < 1024
try:
    with open(m + '/rootfile') as f:
        ok = ok and f.read() == 'rootdata\n'
    with open(m + '/rootnew', 'w') as f:
        f.write('x')
    os.stat(m + '/pub/h0_0')
except OSError as x:
    print('  root: %s' % x)
    ok = False
if subprocess.run(['setpriv', '--reuid=4321', '--regid=4321', '--clear-groups',
                   'stat', m + '/pub/h0_1', m + '/rootfile'], stdout=subprocess.DEVNULL).returncode:
    print('  another user cannot stat')
    ok = False
os.close(w_go)
for pid in kids:
    os.waitpid(pid, 0)
sys.exit(0 if ok else 1)
" || return 1
	umount_fs
}

# Item: space is free when rm returns.  A store of 64M nearly filled by
# one file; after rm, a 60M truncate must fit at once.  The O_PATH
# descriptor (it never reaches the daemon) keeps the kernel's inode, as its
# caches may for as long as they like, so the FORGET comes only after the
# truncate: only a daemon that holds nothing of the removed file passes.
# Single-threaded (-s), so the RELEASE of big's last close (queued before
# close returns) is served before the UNLINK that follows it.
t_rm_frees_space() { t_rm_frees_space_ "$@" || { is_mounted && umount_fs; return 1; }; }
t_rm_frees_space_() {	# $1 = on|off
	mount_fs -s -o passthrough="$1",size=64M || return 1
	dd if=/dev/zero of="$mnt/big" bs=1M count=60 status=none || return 1
	rm "$mnt/big" && truncate -s 60M "$mnt/new" || { df "$mnt"; return 1; }
	rm "$mnt/new" || return 1
	dd if=/dev/zero of="$mnt/big" bs=1M count=60 status=none || return 1
	$PY -c "
import os, subprocess, sys
keep = os.open('$mnt/big', os.O_PATH)
r = subprocess.run(['sh', '-c', 'rm \"\$1\" && truncate -s 60M \"\$2\"', 'sh', '$mnt/big', '$mnt/new'])
if r.returncode:
    subprocess.run(['df', '$mnt'])
os.close(keep)
sys.exit(r.returncode)
" || { echo "rm did not free the space while the kernel still knew the file"; return 1; }
	[ "$(stat -c %s "$mnt/new")" = 62914560 ] || return 1
	rm "$mnt/new"
	umount_fs
}

# With handles the daemon keeps nothing of a removed file alive, so a
# --store on ext4 may give its inode number to the next new file while the
# kernel still knows the old one (held here by an O_PATH descriptor): the
# new file must be itself, not the stale old node.
t_inode_number_reused() {
	local st=$tmp/reuse-store
	mkdir -p "$st"
	mount_fs --store "$st" || return 1
	$PY -c "
import os, sys
m = '$mnt'
reused = 0
for i in range(20):
    with open(m + '/a', 'w') as f:
        f.write('A')
    ino = os.stat(m + '/a').st_ino
    keep = os.open(m + '/a', os.O_PATH)
    os.unlink(m + '/a')
    with open(m + '/b', 'w') as f:
        f.write('B%d' % i)
    reused += os.stat(m + '/b').st_ino == ino
    with open(m + '/b') as f:
        assert f.read() == 'B%d' % i, 'b reads wrong'
    os.setxattr(m + '/b', 'user.q', b'1')
    os.close(keep)
    os.unlink(m + '/b')
print('  inode number reused %d of 20 times' % reused)
" || { umount_fs; return 1; }
	umount_fs && rm -rf "$st"
}

# 64 processes create and remove 100,032 files (churn.py --create-only)
# on an allow_other mount: the daemon's open descriptors (its own peak
# count, printed by -o stats) stay below 256, and its RSS comes back to
# within 64 MiB of where it started (ASan's quarantine off for the
# measure).  With the kernel's default of 12 background requests the
# RELEASEs queued in the kernel and the daemon's descriptors reached its
# hard limit (EMFILE for everyone).
t_churn_bounded() {
	local rss0 rss1 peak rc=0
	ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=0 \
		mount_fs -o allow_other,stats,max_files=400000 || return 1
	rss0=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
	"$PY" "$root/tests/fs/churn.py" "$mnt" 64 1563 0 7 --create-only || rc=1
	rss1=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
	umount_fs || rc=1
	peak=$(sed -n 's/.*open descriptors at most \([0-9]*\).*/\1/p' "$tmp/log")
	echo "daemon: open descriptors at most ${peak:-?}, RSS $rss0 kB -> $rss1 kB"
	[ -n "$peak" ] && [ "$peak" -lt 256 ] || { echo "open descriptors peaked at ${peak:-?}"; rc=1; }
	[ $((rss1 - rss0)) -lt 65536 ] || { echo "RSS grew by $((rss1 - rss0)) kB"; rc=1; }
	return $rc
}

t_one_daemon_per_store() {	# a second daemon on the same --store refuses
	local st=$tmp/lock-store m2=$tmp/m2 rc=0
	mkdir -p "$st" "$m2"
	mount_fs --store "$st" || return 1
	one_line_error "in use by another viewfs daemon (pid $pid)" timeout 10 "$bin" "$m2" -f --store "$st" || rc=1
	if grep -qs " $m2 " /proc/mounts; then fusermount3 -uz "$m2"; echo "second daemon mounted"; rc=1; fi
	[ -z "$(ls -A "$mnt")" ] || { echo "the store shows: $(ls -A "$mnt")"; rc=1; }
	umount_fs || return 1
	# the lock ends with the daemon: the store mounts again
	mount_fs --store "$st" || return 1
	umount_fs || return 1
	rm -rf "$st" "$m2"
	return $rc
}

t_nosuid_nodev() {	# whatever the options, the mount is nosuid,nodev
	local o
	for o in suid,dev dev,suid,passthrough=off; do
		mount_fs -o "$o" || return 1
		o=$(awk -v m="$mnt" '$5 == m {print $6}' /proc/self/mountinfo)
		umount_fs || return 1
		case ",$o," in *,nosuid,*) ;; *) echo "no nosuid: $o"; return 1;; esac
		case ",$o," in *,nodev,*) ;; *) echo "no nodev: $o"; return 1;; esac
	done
}

t_max_files() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		touch "$mnt/f$i" 2>/dev/null || { [ "$i" -gt 3 ] && return 0; echo "failed at $i"; return 1; }
	done
	echo "max_files=5 did not limit"; return 1
}

t_store_persists() {
	local store=$tmp/store-$1
	mkdir -p "$store"
	mount_fs --store "$store" -o passthrough="$1" || return 1
	# the store's file system sets the limits: a sparse file larger than
	# its free space is as fine through viewfs as it is in DIR itself
	local big=$(( $(stat -f -c '%a * %S' "$store") + (1 << 30) ))
	truncate -s "$big" "$mnt/sparse" || { echo "sparse truncate to $big bytes refused"; return 1; }
	[ "$(stat -c %s "$store/sparse")" = "$big" ] || { echo "sparse size in the store wrong"; return 1; }
	rm "$mnt/sparse"
	head -c 500000 /dev/urandom >"$tmp/p1"
	mkdir "$mnt/dir" && cp "$tmp/p1" "$mnt/dir/p1" || return 1
	head -c 64 /dev/zero >"$mnt/meta"
	setfattr -n user.view.format -v d "$mnt/meta" && setfattr -n user.view.shape -v 2,4 "$mnt/meta" || return 1
	umount_fs || return 1
	cmp "$tmp/p1" "$store/dir/p1" || { echo "store file differs"; return 1; }
	mount_fs --store "$store" -o passthrough="$1" || return 1
	cmp "$tmp/p1" "$mnt/dir/p1" || { echo "after remount: differs"; return 1; }
	[ "$(getfattr --only-values -n user.view.shape "$mnt/meta")" = 2,4 ] || { echo "xattr lost"; return 1; }
	# a crash: every byte write() returned for is there after kill -9
	$PY -c "
import os
f = os.open('$mnt/crash', os.O_RDWR | os.O_CREAT, 0o644)
for i in range(200):
    assert os.write(f, bytes([i]) * 4096) == 4096
os.setxattr('$mnt/crash', 'user.view.format', b'B')
" || return 1
	kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
	fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt"
	mount_fs --store "$store" -o passthrough="$1" || return 1
	$PY -c "
import os, sys
d = open('$mnt/crash', 'rb').read()
assert len(d) == 200 * 4096, len(d)
for i in range(200):
    assert d[i*4096:(i+1)*4096] == bytes([i]) * 4096, i
assert os.getxattr('$mnt/crash', 'user.view.format') == b'B'
" || { echo "data lost after kill -9"; return 1; }
	cmp "$tmp/p1" "$mnt/dir/p1" || return 1
	umount_fs
}

# A file that appears in the store behind a cached negative entry: the
# kernel then sends CREATE, and the daemon must not hand another user's
# file over (nor truncate it) without the file's own permission check.
t_create_over_stale_negative() {
	local U="setpriv --reuid=65534 --regid=65534 --clear-groups" store=$tmp/store-neg
	mkdir -p "$store/pub" && chmod 1777 "$store/pub"
	mount_fs --store "$store" -o allow_other,timeout=60 || return 1
	$U stat "$mnt/pub/x" >/dev/null 2>&1	# caches the negative entry
	echo rootdata >"$store/pub/x" && chmod 644 "$store/pub/x"
	expect_fail "denied" $U sh -c "echo evil >'$mnt/pub/x'" || return 1
	[ "$(cat "$store/pub/x")" = rootdata ] || { echo "root's file was truncated or written"; return 1; }
	[ "$(stat -c %u "$store/pub/x")" = 0 ] || { echo "root's file changed owner"; return 1; }
	umount_fs
}

t_signal() {	# $1 = TERM|INT
	mount_fs || return 1
	echo x >"$mnt/s"
	kill -s "$1" "$pid"
	local rc
	wait "$pid"; rc=$?; pid=
	[ "$rc" = 0 ] || { echo "exit status $rc after SIG$1"; cat "$tmp/log"; return 1; }
	! is_mounted || { echo "still mounted after SIG$1"; return 1; }
	grep -q "unmounted" "$tmp/log" || return 1
}

t_ram_store_gone() {
	mount_fs -o size=4m || return 1
	echo data >"$mnt/gone"
	umount_fs || return 1
	mount_fs -o size=4m || return 1
	[ ! -e "$mnt/gone" ] || { echo "RAM store survived unmount"; return 1; }
	umount_fs
}

t_unprivileged() {	# a user mount: fusermount3, tmpfs in a user namespace, no passthrough
	local U="setpriv --reuid=65534 --regid=65534 --clear-groups" um=$tmp/um rc
	mkdir -p "$um" && chown 65534:65534 "$um"
	# refused before mounting, in the foreground, not after daemonizing
	one_line_error "CAP_SYS_ADMIN" $U "$bin" "$um" -o passthrough=on || return 1
	$U "$bin" "$um" -f -o size=4m >"$tmp/ulog" 2>&1 &
	local upid=$!
	# (root itself may not enter another user's mount without allow_other)
	for _ in $(seq 100); do grep -qs " $um fuse.viewfs " /proc/mounts && $U stat "$um" >/dev/null 2>&1 && break; sleep 0.05; done
	grep -q "data path: daemon" "$tmp/ulog" || { cat "$tmp/ulog"; kill $upid; return 1; }
	# no CAP_DAC_READ_SEARCH: a descriptor per inode, said so
	grep -q "store objects: one descriptor per cached inode" "$tmp/ulog" || { cat "$tmp/ulog"; kill $upid; return 1; }
	if grep -q "store: RAM (private tmpfs)" "$tmp/ulog"; then
		$U df -B1 "$um" | grep -q " 4194304 " || { $U df -B1 "$um"; $U fusermount3 -u "$um"; return 1; }
		expect_fail "No space left" $U dd if=/dev/zero of="$um/full" bs=1M count=8 status=none ||
			{ $U fusermount3 -u "$um"; return 1; }
		$U rm "$um/full"
	else
		grep -q "store: RAM (directory under /dev/shm)" "$tmp/ulog" || { cat "$tmp/ulog"; kill $upid; return 1; }
		echo "note: no user namespaces here; /dev/shm store"
	fi
	$U sh -c "touch '$um/f' && '$filesem' '$um/f' >/dev/null && setfattr -n user.view.format -v B '$um/f'" ||
		{ echo "file semantics as an unprivileged user failed"; $U fusermount3 -u "$um"; return 1; }
	[ "$($U stat -c %U "$um/f")" = nobody ] || { echo "owner $($U stat -c %U "$um/f")"; return 1; }
	$U fusermount3 -u "$um" || return 1
	wait $upid; rc=$?
	[ $rc = 0 ] || { echo "daemon exit $rc"; cat "$tmp/ulog"; return 1; }
}

# -o auto_unmount: a daemon killed with SIGKILL leaves no dead mount (the
# bound wait is for the watcher process, not a timing claim).
t_auto_unmount() {
	mount_fs -o auto_unmount,size=4m || return 1
	echo x >"$mnt/f" || return 1
	kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
	for _ in $(seq 200); do is_mounted || break; sleep 0.05; done
	! is_mounted || { echo "mount left behind after kill -9"; return 1; }
	# and a clean unmount leaves the watcher nothing to do
	mount_fs -o auto_unmount,size=4m || return 1
	umount_fs
}

# The pid of the auto_unmount watcher of the mount on $mnt (its name is
# viewfs-unmount; its command line is the daemon's).
watcher_pid() {
	local w
	for w in $(pgrep -x viewfs-unmount); do
		tr '\0' ' ' <"/proc/$w/cmdline" 2>/dev/null | grep -qF " $mnt " && { echo "$w"; return 0; }
	done
	return 1
}

# A clean unmount disarms the watcher: held back (SIGSTOP) until a new
# mount is on the same path, which gets the device number of the old one
# (the kernel hands out the lowest free), it must leave that mount alone.
t_auto_unmount_spares_next_mount() {
	local w dev1 dev2
	mount_fs -o auto_unmount,size=4m || return 1
	w=$(watcher_pid) || { echo "no watcher process found"; return 1; }
	dev1=$(stat -c %d "$mnt")
	kill -STOP "$w" || return 1
	umount_fs || { kill -CONT "$w"; return 1; }
	mount_fs -o size=4m || { kill -CONT "$w"; return 1; }
	dev2=$(stat -c %d "$mnt")
	[ "$dev1" = "$dev2" ] || echo "note: the new mount got another device number ($dev1, $dev2)"
	kill -CONT "$w"
	for _ in $(seq 200); do kill -0 "$w" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$w" 2>/dev/null || { echo "watcher $w still running"; return 1; }
	is_mounted && stat "$mnt" >/dev/null || { echo "the watcher of the old mount detached the new one"; return 1; }
	umount_fs
}

# Without it, a remount over the dead mount says how to clear it.
t_dead_mount_named() {
	mount_fs -o size=4m || return 1
	kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
	one_line_error "fusermount3 -uz $mnt" "$bin" "$mnt" -f || return 1
	fusermount3 -uz "$mnt" && ! is_mounted
}

# with_user_fuse CMD...: run the test function CMD in a private mount
# namespace whose /dev/fuse is a node of the same device with mode 0666, so
# an unprivileged user may open it as on a desktop (udev's mode), while the
# host's node (0600 on a machine without udev) stays as it is.  The node
# lives on a small tmpfs of the namespace's own (without nodev).
with_user_fuse() {
	local dev
	dev=$(stat -c '%t %T' /dev/fuse) || return 1
	set -- "$((0x${dev% *}))" "$((0x${dev#* }))" "$@"
	unshare --mount --propagation private bash -c '
		set -u
		eval "$VIEWFS_TEST_DEFS"
		major=$1 minor=$2; shift 2
		mkdir -p "$tmp/userdev" &&
			mount -t tmpfs -o mode=755,size=64k viewfs-userdev "$tmp/userdev" &&
			mknod -m 666 "$tmp/userdev/fuse" c "$major" "$minor" &&
			mount --bind "$tmp/userdev/fuse" /dev/fuse ||
			{ echo "cannot set up a user-openable /dev/fuse in a private mount namespace"; exit 1; }
		[ "$(stat -c %a /dev/fuse)" = 666 ] || { echo "/dev/fuse in the namespace is not 0666"; exit 1; }
		"$@"' with_user_fuse "$@"
}

# The same edge cases on tmpfs (the reference) and on viewfs: errno
# names, modes, link counts, which times move.
t_semantics_like_tmpfs() {
	if [ ! -s "$tmp/sem.ref" ]; then
		mkdir -p "$tmp/ref" && mount -t tmpfs -o size=16m viewfs-ref "$tmp/ref" || return 1
		mkdir "$tmp/ref/s" && $PY "$checks" semantics "$tmp/ref/s" "$tmp/sem.ref"
		umount "$tmp/ref" || return 1
	fi
	mkdir "$mnt/sem" && $PY "$checks" semantics "$mnt/sem" "$tmp/sem.out" || return 1
	rm -rf "$mnt/sem"
	diff -u "$tmp/sem.ref" "$tmp/sem.out"
}

# on_mount FUNC [viewfs options...]: mount, run FUNC [on $mnt], unmount
# whatever it returned (a failed check leaves no mount behind).
on_mount() {
	local f=$1 rc
	shift
	mount_fs "$@" || return 1
	"$f"; rc=$?
	if is_mounted; then umount_fs || rc=1; fi
	return $rc
}

# Issue 9 item 3: no acknowledged write is lost silently.  On a 64M store
# a 60M buffer is sized, another file fills the store, and one byte is
# stored into every page of a MAP_SHARED mapping of the buffer: either
# sizing the buffer failed with ENOSPC, or every stored byte is there
# after the caches are dropped (without reservation ~40% read back as
# zero with passthrough=off; with passthrough the writer died of SIGBUS).
t_reserve_mapped_writes_kept() {	# $1 = on|off (passthrough)
	on_mount reserve_mapped_writes -o size=64M,passthrough="$1"
}
reserve_mapped_writes() {
	if ! truncate -s 60M "$mnt/hole" 2>"$tmp/err"; then
		grep -q "No space left" "$tmp/err" || { cat "$tmp/err"; return 1; }
		return 0
	fi
	dd if=/dev/zero of="$mnt/other" bs=1M count=30 status=none 2>/dev/null	# may fill the store
	$PY -c "
import mmap, os
fd = os.open('$mnt/hole', os.O_RDWR)
m = mmap.mmap(fd, 60 << 20, mmap.MAP_SHARED)
for i in range(0, 60 << 20, 4096):
    m[i] = (i >> 12) % 251 + 1
m.close(); os.close(fd)" || { echo "the writer failed (exit $?)"; return 1; }
	sync
	echo 3 >/proc/sys/vm/drop_caches
	$PY -c "
import sys
d = open('$mnt/hole', 'rb').read()
bad = [i >> 12 for i in range(0, len(d), 4096) if d[i] != (i >> 12) % 251 + 1]
if len(d) != 60 << 20 or bad:
    sys.exit('%d bytes, %d of %d pages lost (first %s)' % (len(d), len(bad), len(d) >> 12, bad[:3]))"
}

# Two grows that each fit but not together: exactly one succeeds, the
# other fails with ENOSPC and leaves its file as it was (the kernel's own
# accounting, no check-then-act).  df counts the reserved buffer.
t_reserve_concurrent_grows() { on_mount reserve_concurrent_grows -o size=64M; }
reserve_concurrent_grows() {
	local round ok a b
	for round in 1 2 3; do
		truncate -s 40M "$mnt/a" 2>"$tmp/err.a" & a=$!
		truncate -s 40M "$mnt/b" 2>"$tmp/err.b" & b=$!
		ok=0
		wait $a && ok=$((ok + 1))
		wait $b && ok=$((ok + 1))
		[ "$ok" = 1 ] || { echo "round $round: $ok of two 40M grows on a 64M store succeeded"; return 1; }
		cat "$tmp/err.a" "$tmp/err.b" | grep -q "No space left" || { cat "$tmp/err.a" "$tmp/err.b"; return 1; }
		[ "$(($(stat -c %s "$mnt/a") + $(stat -c %s "$mnt/b")))" = $((40 << 20)) ] ||
			{ ls -l "$mnt"; echo "the failed grow changed its file"; return 1; }
		# the one reserved buffer is in df's use
		[ "$(df -B1M --output=used "$mnt" | tail -1 | tr -d ' ')" -ge 40 ] || { df "$mnt"; return 1; }
		rm -f "$mnt/a" "$mnt/b"
	done
	# shrinking and O_TRUNC give the pages back
	truncate -s 60M "$mnt/c" && truncate -s 1M "$mnt/c" && truncate -s 60M "$mnt/d" || return 1
	: >"$mnt/d" && truncate -s 60M "$mnt/c" || { echo "shrink/O_TRUNC did not free"; return 1; }
	# beyond the whole capacity: still EFBIG
	expect_fail "too large" truncate -s 65M "$mnt/d" || return 1
	expect_fail "too large" truncate -s 999999999999999 "$mnt/d" || return 1
	[ "$(stat -c %s "$mnt/d")" = 0 ]
}

# A write past the end that fails (here: no room for its data once the
# gap is reserved) gives the gap it reserved back: the store's free space
# is what it was, and the file holds nothing (found by review: the gap
# stayed allocated, invisible, beyond the end).  Without passthrough the
# daemon sees the write.
t_reserve_failed_write_gives_gap_back() { on_mount reserve_failed_write -o size=64M,passthrough=off; }
reserve_failed_write() {
	local free0 free1
	truncate -s 32M "$mnt/a" || return 1
	free0=$(df -B1 --output=avail "$mnt" | tail -1 | tr -d ' ')
	$PY -c "
import errno, os, sys
fd = os.open('$mnt/b', os.O_CREAT | os.O_WRONLY, 0o644)
try:
    os.pwrite(fd, b'x' * 4096, $free0)
    sys.exit('a write past the free space succeeded')
except OSError as e:
    if e.errno != errno.ENOSPC:
        raise
os.close(fd)" || return 1
	free1=$(df -B1 --output=avail "$mnt" | tail -1 | tr -d ' ')
	[ "$free1" = "$free0" ] || { echo "free space $free0 -> $free1 after a failed write"; return 1; }
	[ "$(stat -c %s "$mnt/b")" = 0 ] && [ "$(du -k "$mnt/b" | cut -f1)" = 0 ] ||
		{ ls -ls "$mnt/b"; return 1; }
}

# A name lost under a process that still knows the inode (its working
# directory) answers as a lost name does: ENOENT, not "Stale file handle".
t_removed_cwd_enoent() {
	mkdir "$mnt/gone" || return 1
	(cd "$mnt/gone" && rmdir ../gone && ! stat . 2>"$tmp/err") || { echo "stat . in a removed directory succeeded"; return 1; }
	grep -q "No such file" "$tmp/err" || { cat "$tmp/err"; return 1; }
}

# reserve=off: tmpfs's sparse files; no ENOSPC at sizing, EFBIG kept.
t_reserve_off() { on_mount reserve_off -o size=64M,reserve=off; }
reserve_off() {
	truncate -s 60M "$mnt/x" && truncate -s 60M "$mnt/y" || { echo "sparse grows refused"; return 1; }
	[ "$(du -k "$mnt/x" | cut -f1)" -lt 1024 ] || { echo "60M sparse file uses space"; return 1; }
	[ "$(df -B1M --output=used "$mnt" | tail -1 | tr -d ' ')" -lt 2 ] || { df "$mnt"; return 1; }
	expect_fail "too large" truncate -s 65M "$mnt/x" || return 1
	[ "$(stat -c %s "$mnt/x")" = $((60 << 20)) ]
}

# reserve=off without passthrough: a store through a mapping into a hole
# of a full store is lost at write-back, as documented, but never
# silently: the daemon's log says so.
t_reserve_off_lost_writeback_logged() {
	on_mount reserve_off_lost_writeback -o size=16M,reserve=off,passthrough=off
}
reserve_off_lost_writeback() {
	truncate -s 12M "$mnt/hole" || return 1
	dd if=/dev/zero of="$mnt/other" bs=1M count=16 status=none 2>/dev/null
	$PY -c "
import mmap, os
fd = os.open('$mnt/hole', os.O_RDWR)
m = mmap.mmap(fd, 12 << 20, mmap.MAP_SHARED)
for i in range(0, 12 << 20, 4096):
    m[i] = 1
m.close(); os.close(fd)" || return 1
	sync
	grep -q "write-back of [0-9]* bytes at offset [0-9]* of inode [0-9]* failed: No space left" "$tmp/log" ||
		{ echo "no lost write-back in the log:"; cat "$tmp/log"; return 1; }
}

# Issue 12 item 1: the RAM store's tmpfs has transparent huge pages
# (default huge=within_size).  With passthrough a mapping of a viewfs file
# maps the store's own shmem pages, so a 4 MiB buffer sized by truncate
# (reserve=on: fallocate, which allocates 2 MiB pages where the size covers
# them) and touched through a mapping is mapped with PMDs: the mapping's
# ShmemPmdMapped in smaps (the VMA's file is the store's shmem file, so the
# kernel counts it there, not in FilePmdMapped) and a 2 MiB aligned
# address.  An 8 KiB buffer gets none (and no 2 MiB page), nor does a
# 4 MiB one with -o huge=never.
# map_touch FILE: "ADDR ALIGNED SHMEM_PMD_KB FILE_PMD_KB" of a MAP_SHARED
# mapping of FILE after one byte was stored into each of its pages.
map_touch() {
	$PY - "$1" <<'PYEOF'
import ctypes, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
size = os.fstat(fd).st_size
m = mmap.mmap(fd, size, mmap.MAP_SHARED)
for i in range(0, size, 4096):
    m[i] = 1
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
f, pmd = None, {}
with open("/proc/self/smaps") as sm:
    for line in sm:
        w = line.split()
        if "-" in w[0] and ":" not in w[0]:
            f = int(w[0].split("-")[0], 16) == addr
        elif f and w[0] in ("ShmemPmdMapped:", "FilePmdMapped:"):
            pmd[w[0]] = int(w[1])
print("%#x %d %d %d" % (addr, addr % (2 << 20) == 0,
      pmd.get("ShmemPmdMapped:", -1), pmd.get("FilePmdMapped:", -1)))
PYEOF
}
seek_data_4k() { t_py seek_data; }
t_huge_pages() {
	local r a al shm fil
	mount_fs -o passthrough=on,size=64m || return 1
	grep -q "data path: kernel passthrough" "$tmp/log" || { cat "$tmp/log"; umount_fs; return 1; }
	# free 2 MiB blocks for the test's two huge pages even on a long-running
	# machine whose memory is fragmented (a one-shot compaction, no setting)
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
	truncate -s 4M "$mnt/big" && truncate -s 8K "$mnt/small" || { umount_fs; return 1; }
	r=$(map_touch "$mnt/big") || { umount_fs; return 1; }
	read -r a al shm fil <<<"$r"
	echo "4 MiB, huge=within_size (default): address $a aligned $al, ShmemPmdMapped $shm kB, FilePmdMapped $fil kB"
	[ "$al" = 1 ] || { echo "mapping of a 4 MiB buffer not 2 MiB aligned"; umount_fs; return 1; }
	[ "$shm" -ge 2048 ] || { echo "no PMD mapping of the 4 MiB buffer"; umount_fs; return 1; }
	r=$(map_touch "$mnt/small") || { umount_fs; return 1; }
	read -r a al shm fil <<<"$r"
	echo "8 KiB: address $a, ShmemPmdMapped $shm kB, FilePmdMapped $fil kB"
	[ "$shm" = 0 ] && [ "$fil" = 0 ] || { echo "8 KiB buffer PMD-mapped"; umount_fs; return 1; }
	umount_fs || return 1
	mount_fs -o passthrough=on,size=64m,huge=never || return 1
	truncate -s 4M "$mnt/big" || { umount_fs; return 1; }
	r=$(map_touch "$mnt/big") || { umount_fs; return 1; }
	read -r a al shm fil <<<"$r"
	echo "4 MiB, huge=never: address $a aligned $al, ShmemPmdMapped $shm kB, FilePmdMapped $fil kB"
	[ "$shm" = 0 ] && [ "$fil" = 0 ] || { echo "huge=never, yet PMD-mapped"; umount_fs; return 1; }
	umount_fs
}

# -o huge= values, and where it is refused (one line each).
t_huge_option() {
	one_line_error "bad huge=sometimes" "$bin" "$mnt" -o huge=sometimes || return 1
	one_line_error "its file system decides" "$bin" "$mnt" --store "$tmp" -o huge=always || return 1
	local v
	for v in never always within_size advise; do
		mount_fs -o huge=$v || return 1
		umount_fs || return 1
	done
	! grep -q "4 KiB pages" "$tmp/log" || { cat "$tmp/log"; return 1; }
}

# reserve=on with --store DIR reserves with DIR's own fallocate.
t_reserve_store_dir() {
	local st=$tmp/store-res
	mkdir -p "$st"
	on_mount reserve_store_dir --store "$st" -o reserve=on || return 1
	rm -rf "$st"
	# a file system without fallocate (ramfs): refused at start, clearly
	local rf=$tmp/ramfs rc=0
	mkdir -p "$rf" && mount -t ramfs viewfs-ramfs "$rf" || return 1
	one_line_error "cannot reserve space" timeout 10 "$bin" "$mnt" -f --store "$rf" -o reserve=on || rc=1
	[ -z "$(ls -A "$rf")" ] || { echo "the probe left: $(ls -A "$rf")"; rc=1; }
	umount "$rf" && rmdir "$rf"
	! is_mounted || { echo "mounted anyway"; return 1; }
	return $rc
}
reserve_store_dir() {
	truncate -s 8M "$mnt/r" || return 1
	[ "$(du -k "$tmp/store-res/r" | cut -f1)" -ge 8192 ] || { echo "reserve=on with --store: $(du -k "$tmp/store-res/r")"; return 1; }
}

# Issue 12 item 3: the fallback path reads through a 2 MiB readahead
# window (the mount's bdi), in READ requests of at most 256 KiB unless the
# user gives -o max_read=.  One fault on a mapping of a file the FUSE page
# cache has never held brings in the whole window (the kernel's default
# window, 128 KiB, brought in 128 KiB).
t_readahead() {
	local st=$tmp/store-ra rc=0 dev kb
	mkdir -p "$st" && head -c 8M /dev/urandom >"$st/f" || return 1
	mount_fs --store "$st" -o passthrough=off || return 1
	dev=$(mountpoint -d "$mnt") && kb=$(cat "/sys/class/bdi/$dev/read_ahead_kb") || rc=1
	[ "$kb" = 2048 ] || { echo "read_ahead_kb of the mount: $kb"; rc=1; }
	grep " $mnt fuse.viewfs " /proc/mounts | grep -q "max_read=262144" ||
		{ echo "mount options: $(grep " $mnt " /proc/mounts)"; rc=1; }
	kb=$($PY -c "
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, 0, prot=mmap.PROT_READ)
m[4 << 20]  # one fault in the middle of the file
os.system('fincore -b -n -o RES ' + sys.argv[1] + ' >' + sys.argv[2])
m.close(); os.close(fd)" "$mnt/f" "$tmp/res" && cat "$tmp/res") || rc=1
	[ -n "$kb" ] && [ "$kb" -ge $((2 << 20)) ] ||
		{ echo "one fault cached $kb bytes of the file (want the 2 MiB window)"; rc=1; }
	umount_fs || rc=1
	# a max_read the user gives is the one the mount gets
	mount_fs --store "$st" -o passthrough=off,max_read=131072 || return 1
	grep " $mnt fuse.viewfs " /proc/mounts | grep -q "max_read=131072" ||
		{ echo "mount options with max_read=131072: $(grep " $mnt " /proc/mounts)"; rc=1; }
	cmp -s "$st/f" "$mnt/f" || { echo "the file reads back different"; rc=1; }
	umount_fs || rc=1
	rm -rf "$st"
	return $rc
}

# Issue 12 item 1: with reserve=on an allocation of 2 MiB or more runs on
# the CPU the caller last ran on (fuse/space.c), and the daemon's threads
# get their CPU masks back.  Callers pinned to the last CPU grow files by
# truncate, fallocate and a write past the end; -o stats must count every
# one of them on the caller's CPU (the scheduler alone puts the woken
# daemon thread there about half the time).  Then a daemon confined to
# the first CPU: callers on the last still grow files, nothing moves.
masks_of() { cat /proc/"$1"/task/*/status 2>/dev/null | grep Cpus_allowed_list | sort -u | tr -s '\t ' ' '; }
t_reserve_near_caller() { t_reserve_near_caller_ "$@" || { is_mounted && umount_fs; return 1; }; }
t_reserve_near_caller_() {
	local cpu first rc=0 before after i n=0 line
	# the last and the first CPU this shell may use
	cpu=$(taskset -c -p $$ | sed 's/.*: //;s/.*[-,]//')
	first=$(taskset -c -p $$ | sed 's/.*: //;s/[-,].*//')
	mount_fs -o size=256M,stats,passthrough=off || return 1
	before=$(masks_of "$pid")
	for i in 1 2 3 4; do
		taskset -c "$cpu" truncate -s 8M "$mnt/t$i" || rc=1
		taskset -c "$cpu" fallocate -l 4M "$mnt/f$i" || rc=1
		# a write 3 MiB past the end: the gap is allocated first
		taskset -c "$cpu" dd if=/dev/zero of="$mnt/w$i" bs=4k count=1 seek=768 \
			status=none || rc=1
		n=$((n + 3))
	done
	taskset -c "$cpu" truncate -s 1M "$mnt/small" || rc=1	# not counted
	after=$(masks_of "$pid")
	[ "$before" = "$after" ] || { echo "daemon CPU masks before: $before; after: $after"; rc=1; }
	[ "$(stat -c %b "$mnt/t1")" -ge $((8 << 11)) ] || { echo "t1 not reserved: $(stat -c %b "$mnt/t1") blocks"; rc=1; }
	umount_fs || return 1
	line=$(grep "allocations of 2 MiB or more" "$tmp/log")
	echo "$line" | grep -q "more $n, on the caller's CPU $n " ||
		{ echo "wanted $n of $n on CPU $cpu; the daemon said: $line"; rc=1; }
	# the daemon may not run on the caller's CPU: it allocates where it is
	mount_fs -o size=256M,stats || return 1
	taskset -a -c -p "$first" "$pid" >/dev/null || rc=1
	taskset -c "$cpu" truncate -s 8M "$mnt/t" || rc=1
	after=$(masks_of "$pid")
	[ "$after" = "Cpus_allowed_list: $first" ] || { echo "confined daemon's masks: $after"; rc=1; }
	umount_fs || return 1
	grep -q "allocations of 2 MiB or more 1, on the caller's CPU 0 (moved there 0)" "$tmp/log" ||
		{ echo "confined: $(grep allocations "$tmp/log")"; rc=1; }
	return $rc
}

# -o spin (off by default): the reading thread polls for the next request
# before it sleeps.  Back-to-back lookups are taken while it polls (stats count them), spin=0
# is libfuse's loop (no count), and a request that holds its reader up (a
# 3 GiB fallocate of the RAM store, its pages zeroed one by one) does not
# hold up the others: a watcher takes reading over, so lookups from
# another process are answered while the fallocate is still running.
t_spin() { t_spin_ "$@" || { is_mounted && umount_fs; return 1; }; }
t_spin_() {
	local rc=0 line n fa
	mount_fs -o stats,spin=2000 || return 1
	$PY -c "
import os
for i in range(2000):
    try: os.stat('$mnt/none%d' % i)
    except FileNotFoundError: pass
    else: raise SystemExit('none%d exists' % i)
" || rc=1
	umount_fs || return 1
	line=$(grep "stats: spin 2000 us" "$tmp/log") || { echo "no spin count: $(grep stats: "$tmp/log")"; return 1; }
	n=$(echo "$line" | sed 's/.*taken spinning \([0-9]*\),.*/\1/')
	[ "$n" -ge 1000 ] || { echo "wanted most of 2000 lookups taken spinning: $line"; rc=1; }
	mount_fs -o stats,spin=0 || return 1
	stat "$mnt" >/dev/null || rc=1
	umount_fs || return 1
	! grep -q "stats: spin" "$tmp/log" || { echo "spin=0 spun: $(grep 'stats: spin' "$tmp/log")"; rc=1; }

	mount_fs -o stats,spin=50,size=4G,huge=never || return 1
	fallocate -l 3G "$mnt/big" &
	fa=$!
	sleep 0.2
	kill -0 "$fa" 2>/dev/null || { echo "the fallocate ended within 0.2 s: nothing to hold up"; rc=1; }
	$PY -c "
import os
for i in range(20):
    try: os.stat('$mnt/other%d' % i)
    except FileNotFoundError: pass
" || rc=1
	kill -0 "$fa" 2>/dev/null || { echo "lookups were answered only after the fallocate ended"; rc=1; }
	wait "$fa" || { echo "fallocate failed"; rc=1; }
	umount_fs || return 1
	grep -q "readers replaced [1-9]" "$tmp/log" || { echo "no reader replaced: $(grep 'stats: spin' "$tmp/log")"; rc=1; }
	return $rc
}

# Issue 9 item 9: as nobody, 64 KiB user.* values until ENOSPC: the total
# is bounded (default: size/16 = 4 MiB here, each attribute charged
# name + value + 64 bytes), and removing, replacing, unlinking, rmdir and
# rename-over give bytes back.
t_xattr_bound() {
	on_mount xattr_bound -o size=64M,allow_other,stats || return 1
	# every attribute removed, every object gone: nothing charged
	grep -q "user xattr bytes charged at exit: 0 of 4194304" "$tmp/log" || { grep charged "$tmp/log"; return 1; }
}
xattr_bound() {
	local U="setpriv --reuid=65534 --regid=65534 --clear-groups"
	mkdir "$mnt/pub" && chmod 1777 "$mnt/pub" || return 1
	$U $PY -c "
import errno, os, sys
d = '$mnt/pub'
v = b'v' * 65536
def fill(p, limit=200):
    n = 0
    while n < limit:
        try:
            os.setxattr(p, 'user.x%03d' % n, v)
        except OSError as e:
            if e.errno != errno.ENOSPC: sys.exit('setxattr: %s' % e)
            return n
        n += 1
    sys.exit('%d values of 64 KiB accepted, no ENOSPC' % n)
def must_fail(p, name):
    try: os.setxattr(p, name, v)
    except OSError as e:
        if e.errno == errno.ENOSPC: return
        raise
    sys.exit('%s accepted past the bound' % name)
f = os.path.join(d, 'f'); open(f, 'w').close()
n = fill(f)
cost = 64 + len('user.x000') + 65536
if n != (4 << 20) // cost:
    sys.exit('%d values accepted, bound 4 MiB wants %d' % (n, (4 << 20) // cost))
for i in range(3): os.removexattr(f, 'user.x%03d' % i)
for i in range(3): os.setxattr(f, 'user.y%03d' % i, v)
must_fail(f, 'user.z')
os.setxattr(f, 'user.x010', b'1')          # replaced by a small value
os.setxattr(f, 'user.z', v)                # ... makes room for one
must_fail(f, 'user.zz')
os.unlink(f)                               # the object dies: all back
g = os.path.join(d, 'g'); open(g, 'w').close()
if fill(g) != n: sys.exit('after unlink: not all space back')
os.unlink(g)
dd = os.path.join(d, 'dir'); os.mkdir(dd)
if fill(dd) != n: sys.exit('on a directory: a different bound')
os.rmdir(dd)
h = os.path.join(d, 'h'); open(h, 'w').close(); fill(h)
k = os.path.join(d, 'k'); open(k, 'w').close()
os.rename(k, h)                            # renamed over: h dies
if fill(h) != n: sys.exit('after rename over: not all space back')
# unlinked while open: its bytes come back at the last close; no new
# attributes on an object without a name
fd = os.open(h, os.O_RDONLY)
os.unlink(h)
try:
    os.setxattr(fd, 'user.new', b'1'); sys.exit('set on an unlinked file accepted')
except OSError as e:
    if e.errno != errno.ENOENT: raise
q = os.path.join(d, 'q'); open(q, 'w').close()
must_fail(q, 'user.q')                     # still charged while open
os.close(fd)
import time
for _ in range(200):                       # RELEASE is asynchronous
    try: os.setxattr(q, 'user.q', v); break
    except OSError as e:
        if e.errno != errno.ENOSPC: raise
        time.sleep(0.05)
else: sys.exit('bytes of the unlinked file not back after its close')
os.unlink(q)
" || return 1
	grep -q "exceed max_xattr_bytes=4194304" "$tmp/log" || { echo "ENOSPC not logged:"; cat "$tmp/log"; return 1; }
	rmdir "$mnt/pub"
}

# Issue 9 item 11: a refused setxattr says why in the daemon's log at its
# default level (no -d), escaped, and a flood is rate-limited.
t_setxattr_refusal_logged() {
	on_mount setxattr_refusals -o size=16M || return 1
	local n; n=$(grep -c "refused" "$tmp/log")
	[ "$n" -ge 2 ] && [ "$n" -le 100 ] || { echo "$n refusal lines for 301 refusals"; return 1; }
	grep -q "were not logged (rate limit)" "$tmp/log" || { tail -n 3 "$tmp/log"; return 1; }
}
setxattr_refusals() {
	head -c 24 /dev/zero >"$mnt/f"
	setfattr -n user.view.format -v '<f' "$mnt/f" || return 1
	expect_fail "invalid" setfattr -n user.view.shape -v $'4,\x1b[31m9' "$mnt/f" || return 1
	grep -q 'user.view.shape="4,\\x1b\[31m9".*refused' "$tmp/log" || { echo "no escaped refusal in the log:"; cat -A "$tmp/log"; return 1; }
	! grep -q $'\x1b' "$tmp/log" || { echo "a raw control byte in the log"; return 1; }
	$PY -c "
import os
for i in range(300):
    try: os.setxattr('$mnt/f', 'user.view.shape', b'%d' % (7 + i))
    except OSError: pass
	"
}

# ---------------------------------------------------------------- io_uring
# The kernel's switch.  Where it is N (the default, and CI's) the suite
# checks the refusal, then sets Y for the io_uring tests alone and puts N
# back (cleanup does too, if the suite stops in between): other FUSE
# daemons are not changed by Y unless they ask for rings themselves.
# Where it is Y already, every test of the suite runs over io_uring
# (io_uring=auto is the default).
uring_param=/sys/module/fuse/parameters/enable_uring
uring_state() { cat "$uring_param" 2>/dev/null || echo absent; }

# io_uring=on where the kernel says N: refused before mounting, one line
# that names the parameter, no mount left behind; auto mounts without it.
t_uring_on_refused() {
	one_line_error "enable_uring" timeout 10 "$bin" "$mnt" -f -o io_uring=on || return 1
	! is_mounted || { echo "a refused io_uring=on left a mount"; return 1; }
	mount_fs -o io_uring=auto,size=16m || return 1
	echo x >"$mnt/f" && [ "$(cat "$mnt/f")" = x ] || return 1
	if grep -q "io_uring: on" "$tmp/log"; then echo "auto used io_uring with the parameter at N"; return 1; fi
	umount_fs
}

# io_uring=on where the kernel says Y: data and metadata go through the
# rings (passthrough on and off), the daemon says so and ends cleanly.
t_uring_on_works() {	# $1 = on|off (passthrough)
	mount_fs -o io_uring=on,passthrough=$1,size=256m || return 1
	grep -q "io_uring: on" "$tmp/log" || { cat "$tmp/log"; return 1; }
	t_datapath_reported "$1" || return 1
	t_filesem || { echo "filesem failed over io_uring"; return 1; }
	t_xattrs || { echo "xattrs failed over io_uring"; return 1; }
	mkdir -p "$mnt/d/e" && head -c 1000000 /dev/urandom >"$tmp/u.bin" || return 1
	for i in $(seq 200); do cp "$tmp/u.bin" "$mnt/d/e/f$i" || return 1; done
	for i in 1 100 200; do cmp "$tmp/u.bin" "$mnt/d/e/f$i" || return 1; done
	[ "$(find "$mnt/d" -type f | wc -l)" = 200 ] || { echo "find: wrong count"; return 1; }
	mv "$mnt/d/e" "$mnt/d/g" && [ -f "$mnt/d/g/f7" ] && [ ! -e "$mnt/d/e" ] || return 1
	rm -r "$mnt/d" && [ ! -e "$mnt/d" ] || return 1
	t_py model 4 300 || return 1
	umount_fs
}

# ---------------------------------------------------------------- run

echo "viewfs: $("$bin" --version | head -n 2 | tr '\n' ' ')"
t cli_help_version_and_bad_options t_cli
if [ "$(uring_state)" = Y ]; then
	skip_one "io_uring_on_refused_when_kernel_says_N: $uring_param is Y here"
	t "io_uring_on_data_and_metadata_passthrough_on" t_uring_on_works on
	t "io_uring_on_data_and_metadata_passthrough_off" t_uring_on_works off
else
	t "io_uring_on_refused_when_kernel_says_N" t_uring_on_refused
	if [ "$(uring_state)" = N ] && uring_saved=N && echo Y >"$uring_param" 2>/dev/null &&
		[ "$(uring_state)" = Y ]; then
		t "io_uring_on_data_and_metadata_passthrough_on" t_uring_on_works on
		t "io_uring_on_data_and_metadata_passthrough_off" t_uring_on_works off
		t "tsan_concurrent_clients_io_uring_passthrough_on" t_tsan on 23 on
		t "tsan_concurrent_clients_io_uring_passthrough_off" t_tsan off 24 on
		echo N >"$uring_param" && uring_saved=
	else
		skip_one "io_uring_on_data_and_metadata: $uring_param is $(uring_state) and cannot be set to Y here"
		uring_saved=
	fi
fi

pt_on_ok=
for pt in on off; do
	echo "--- passthrough=$pt"
	if mount_fs -o passthrough=$pt,allow_other; then
		[ $pt = on ] && pt_on_ok=1
	else
		if [ $pt = on ] && grep -q "passthrough=on, but" "$tmp/log"; then
			skip_one "passthrough=on: not available here: $(grep 'passthrough=on, but' "$tmp/log")"; continue
		fi
		bad "mount passthrough=$pt"; continue
	fi
	t "[$pt] data_path_reported" t_datapath_reported $pt
	t "[$pt] filesem_posix_file_semantics" t_filesem
	t "[$pt] coreutils_dd_cp_tar_find_du" t_tools
	t "[$pt] links_modes_owner_times_mknod_locks" t_links_attrs
	t "[$pt] edge_cases_same_as_tmpfs" t_semantics_like_tmpfs
	t "[$pt] xattrs_validated_and_stored" t_xattrs
	t "[$pt] other_user_permissions" t_other_user
	t "[$pt] unlink_while_open" t_py unlink_open
	t "[$pt] rename_over_open_file" t_py rename_open
	t "[$pt] removed_cwd_is_enoent" t_removed_cwd_enoent
	t "[$pt] rename_noreplace_exchange" t_py rename_flags
	t "[$pt] readdir_under_concurrent_change" t_py readdir_concurrent
	t "[$pt] readdir_telldir_seekdir_stable" t_py readdir_seek
	t "[$pt] numpy_memmap_and_view_show" t_py numpy_interop "$view"
	t "[$pt] seek_data_hole_fallocate_huge_pages" t_py seek_data huge
	t "[$pt] copy_file_range" t_py copy_range
	t "[$pt] concurrent_writers_fd_and_mmap" t_py concurrent_writers
	t "[$pt] more_files_than_fd_limit" t_py many_files 3000
	t "[$pt] fio_verify_psync_and_mmap" t_fio_verify
	t "[$pt] model_random_ops_seed1" t_py model 1 500
	t "[$pt] model_random_ops_seed2" t_py model 2 500
	t "[$pt] seals_refuse_sealed_ops_root_and_nobody_ram_store" t_seals
	is_mounted && umount_fs
	t "[$pt] seals_same_on_store_dir_and_survive_restart" t_seals_store $pt
	# holes to the 4 KiB page on a store of 4 KiB pages
	t "[$pt] seek_data_hole_fallocate" on_mount seek_data_4k -o passthrough=$pt,huge=never
	t "[$pt] requests_seen_by_daemon_and_no_xattr_probe" t_requests_seen $pt

	if mount_fs -o passthrough=$pt,size=8m; then
		t "[$pt] enospc_leaves_old_content" t_enospc
		umount_fs || bad "unmount"
	else count 0 1 0; fi
	t "[$pt] store_dir_survives_remount_and_kill9" t_store_persists $pt
	t "[$pt] reserve_mapped_writes_never_lost_silently" t_reserve_mapped_writes_kept $pt
	t "[$pt] rm_frees_space_before_it_returns" t_rm_frees_space $pt
	is_mounted && umount_fs
done

echo "--- passthrough=off,writeback_cache"
if mount_fs -o passthrough=off,writeback_cache,size=64m; then
	t "[wb] data_path_reported" grep -q "data path: daemon (splice, writeback cache)" "$tmp/log"
	t "[wb] filesem_posix_file_semantics" t_filesem
	t "[wb] concurrent_writers_fd_and_mmap" t_py concurrent_writers
	t "[wb] fio_verify_psync_and_mmap" t_fio_verify
	t "[wb] model_random_ops_seed3" t_py model 3 500
	t "[wb] unlink_while_open" t_py unlink_open
	t "[wb] enospc_reported_by_fsync" expect_fail "No space left" \
		dd if=/dev/zero of="$mnt/full" bs=1M count=100 conv=fsync status=none
	rm -f "$mnt/full"
	umount_fs || bad "unmount"
else count 0 1 0; fi

if mount_fs -o max_files=5; then
	t "max_files_limits_objects" t_max_files
	umount_fs || bad "unmount"
else count 0 1 0; fi
t "ram_store_gone_after_unmount" t_ram_store_gone
t "nofile_1024_100k_files_by_nobody_lock_nobody_out" t_fd_lockout
t "open_files_of_one_user_leave_root_a_reserve" t_open_files_reserve
t "churn_64_clients_100k_files_bounded_fds_rss" t_churn_bounded
if setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$bin" -a -x "$filesem"; then
	# the functions and settings the namespace's shell needs
	VIEWFS_TEST_DEFS="$(declare -f)"$'\n'"$(declare -p tmp bin view filesem checks PY mnt root)"
	export VIEWFS_TEST_DEFS
	t "unprivileged_user_mount_private_tmpfs_size" with_user_fuse t_unprivileged
	unset VIEWFS_TEST_DEFS
	t "create_over_stale_negative_entry_checks_permission" t_create_over_stale_negative
else
	skip_one "unprivileged_user_mount_private_tmpfs_size: user nobody cannot run $bin (a parent directory is private)"
fi
t "reserve_concurrent_grows_one_wins_df_counts" t_reserve_concurrent_grows
t "reserve_failed_write_gives_gap_back" t_reserve_failed_write_gives_gap_back
t "reserve_off_keeps_sparse_files" t_reserve_off
t "reserve_off_lost_writeback_logged" t_reserve_off_lost_writeback_logged
t "reserve_on_with_store_dir" t_reserve_store_dir
t "huge_option_values_and_refusals" t_huge_option
t "fallback_readahead_window_and_max_read" t_readahead
if [ "$(nproc)" -ge 2 ]; then
	t "spin_polls_and_slow_requests_hold_nobody_up" t_spin
	t "reserve_allocates_on_the_callers_cpu" t_reserve_near_caller
else
	skip_one "spin_polls_and_slow_requests_hold_nobody_up (one CPU: spin is ignored)"
	skip_one "reserve_allocates_on_the_callers_cpu (one CPU)"
fi
if [ ! -e /sys/kernel/mm/transparent_hugepage/shmem_enabled ]; then
	skip_one "huge_pages_pmd_mapped_through_passthrough: the kernel has no transparent huge pages"
elif [ -z "$pt_on_ok" ]; then
	skip_one "huge_pages_pmd_mapped_through_passthrough: passthrough not available here"
else
	t "huge_pages_pmd_mapped_through_passthrough" t_huge_pages
fi
t "xattr_bytes_bounded_and_given_back" t_xattr_bound
t "setxattr_refusal_logged_escaped_rate_limited" t_setxattr_refusal_logged
t "auto_unmount_after_kill9" t_auto_unmount
t "auto_unmount_clean_end_spares_next_mount" t_auto_unmount_spares_next_mount
t "dead_mount_refused_with_how_to_clear" t_dead_mount_named
t "always_nosuid_nodev" t_nosuid_nodev
t "one_daemon_per_store_dir" t_one_daemon_per_store
t "store_crash_consistency_passthrough_on" t_crash on 17
t "tsan_concurrent_clients_passthrough_on" t_tsan on 21
t "tsan_concurrent_clients_passthrough_off" t_tsan off 22
if [ "$(nproc)" -ge 2 ]; then
	t "tsan_concurrent_clients_spin_passthrough_on" t_tsan on 25 "" spin
	t "tsan_concurrent_clients_spin_passthrough_off" t_tsan off 26 "" spin
else
	skip_one "tsan_concurrent_clients_spin_*: one CPU (spin is ignored)"
fi
t "store_crash_consistency_passthrough_off" t_crash off 18
t "store_inode_number_reused_while_kernel_knows_old" t_inode_number_reused
t "sigterm_clean_shutdown" t_signal TERM
t "sigint_clean_shutdown" t_signal INT

result
