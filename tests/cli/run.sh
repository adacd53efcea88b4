#!/usr/bin/env bash
# CLI behaviour of `view` that the differential suite does not cover:
# usage errors, one-line messages, files left untouched on error, --help,
# metadata from xattrs, and the seed example.  Usage: run.sh BUILD_DIR
set -u
build=${1:-build/san}
# shellcheck source=SCRIPTDIR/../common/result.sh
. "$(dirname "$0")/../common/result.sh"
V="$(cd "$(dirname "$0")/../.." && pwd)/$build/bin/view"
[ -x "$V" ] || suite_broken "no $V (build first)"
dir=$(mktemp -d "${TMPDIR:-/tmp}/viewcli.XXXXXX")
trap 'umount "$dir/full" 2>/dev/null; rm -rf "$dir"' EXIT
# expect_out NAME EXPECTED CMD...: stdout equals EXPECTED, exit 0, no stderr
expect_out() {
	local name=$1 want=$2; shift 2
	local out err rc
	out=$("$@" 2>"$dir/err"); rc=$?
	err=$(cat "$dir/err")
	if [ $rc -eq 0 ] && [ "$out" = "$want" ] && [ -z "$err" ]; then ok "$name"
	else bad "$name: rc=$rc out='$out' want='$want' err='$err'"; fi
}

# expect_err NAME FILE CMD...: non-zero exit, exactly one stderr line,
# empty stdout, FILE unchanged
expect_err() {
	local name=$1 file=$2; shift 2
	local before after out rc lines
	before=$(sha256sum "$file" | cut -d' ' -f1)
	out=$("$@" 2>"$dir/err"); rc=$?
	after=$(sha256sum "$file" | cut -d' ' -f1)
	lines=$(wc -l <"$dir/err")
	if [ $rc -ne 0 ] && [ $rc -lt 126 ] && [ -z "$out" ] && [ "$lines" -eq 1 ] &&
	   [ "$before" = "$after" ]; then ok "$name"
	else bad "$name: rc=$rc out='$out' stderr lines=$lines changed=$([ "$before" = "$after" ] && echo no || echo yes) err='$(head -c 300 "$dir/err")'"; fi
}

f=$dir/xyz
printf XYZ >"$f"
"$V" set "$f" --slice 2 --value 74 && [ "$(cat "$f")" = XYJ ] && ok "seed example leaves XYJ" || bad "seed example: $(cat "$f")"

expect_out "help mentions every output" 4 sh -c "'$V' --help | grep -cE -- '--tolist|--info|--hex|--tobytes' | awk '{print (\$1>=4)?4:\$1}'"
expect_out "version" "view" sh -c "'$V' --version | cut -d' ' -f1"
expect_out "show --tolist of bytes" "[88, 89, 74]" "$V" show "$f" --tolist
expect_out "option argument may start with '-'" "74" "$V" show "$f" --slice -1 --tolist
expect_out "offset then length" "[89]" "$V" show "$f" --offset 1 --length 1 --tolist
expect_out "offset past the end is empty" "[]" "$V" show "$f" --offset 99 --tolist
expect_out "hex with separator groups from the right" "58:594a" "$V" show "$f" --hex=:,2
expect_out "tobytes is raw" "XYJ" "$V" show "$f" --tobytes
expect_out "readonly option" "true" sh -c "'$V' show '$f' --readonly --info | sed 's/.*\"readonly\": \\([a-z]*\\).*/\\1/'"

expect_err "missing OUTPUT is a usage error" "$f" "$V" show "$f"
expect_err "OUTPUT must be last" "$f" "$V" show "$f" --tolist --slice 1
expect_err "unknown option" "$f" "$V" show "$f" --frobnicate --tolist
expect_err "nonexistent file" "$f" "$V" show "$dir/nope" --tolist
expect_err "out-of-range index" "$f" "$V" show "$f" --slice 3 --tolist
expect_err "step zero" "$f" "$V" show "$f" --slice ::0 --tolist
expect_err "cast length not a multiple" "$f" "$V" show "$f" --cast i --tolist
expect_err "bad format" "$f" "$V" show "$f" --cast z --tolist
expect_err "offset on a typed view" "$f" "$V" show "$f" --cast c --cast B:3 --cast h:1 --offset 1 --tolist
expect_err "offset not decimal" "$f" "$V" show "$f" --offset 0x1 --tolist
expect_err "bad permutation" "$f" "$V" show "$f" --transpose=1 --tolist
expect_err "set: value out of range leaves file" "$f" "$V" set "$f" --value 256
expect_err "set: wrong list length leaves file" "$f" "$V" set "$f" --value '[1, 2]'
expect_err "set: later bad element writes nothing" "$f" "$V" set "$f" --value '[1, 2, 300]'
expect_err "set: float into int format" "$f" "$V" set "$f" --slice 0 --value 1.5
expect_err "set: bad literal" "$f" "$V" set "$f" --value '[1, 2'
expect_err "set: read-only view" "$f" "$V" set "$f" --readonly --value 1
expect_err "message stays one line when the value has newlines" "$f" "$V" set "$f" --value $'[1,\n2]'
expect_err "hex separator of two characters" "$f" "$V" show "$f" --hex=ab

e=$dir/empty
: >"$e"
expect_out "empty file has shape [0]" "[]" "$V" show "$e" --tolist
expect_out "empty file info" '"shape": [0]' sh -c "'$V' show '$e' --info | grep -o '\"shape\": \\[0\\]'"

m=$dir/meta
printf '\1\0\2\0\3\0\4\0\5\0\6\0' >"$m"
if setfattr -n user.view.format -v '<h' "$m" 2>/dev/null &&
   setfattr -n user.view.shape -v 2,3 "$m" 2>/dev/null; then
	expect_out "metadata gives the typed view" "[[1, 2, 3], [4, 5, 6]]" "$V" show "$m" --tolist
	expect_out "--raw ignores metadata" "12" sh -c "'$V' show '$m' --raw --tolist | tr ',' '\n' | wc -l"
	expect_out "set through metadata view" "[[1, 2, 3], [4, -7, 6]]" sh -c "'$V' set '$m' --slice 1,1 --value -7 && '$V' show '$m' --tolist"
	setfattr -n user.view.shape -v 4,4 "$m"
	expect_err "metadata larger than the file is an error" "$m" "$V" show "$m" --tolist
	expect_out "metadata error says --raw shows the bytes" 1 sh -c "'$V' show '$m' --tolist 2>&1 >/dev/null | grep -c -- '--raw shows the bytes'"
	setfattr -n user.view.shape -v 9223372036854775807,0 "$m"
	expect_err "zero dimension does not lift the bound on the others" "$m" "$V" show "$m" --tolist
	d25=$dir/d25
	head -c 25 /dev/zero >"$d25"
	setfattr -n user.view.format -v d "$d25"
	expect_err "format alone on a size not a multiple of itemsize" "$d25" "$V" show "$d25" --tolist
	expect_out "--raw still shows such a file" 25 sh -c "'$V' show '$d25' --raw --tobytes | wc -c"
else
	skip_one "metadata tests: no user xattrs on $dir"
fi

# A page the kernel cannot provide (SIGBUS) is an error, not a crash, and
# a set that cannot write every page writes none (issue 9 item 10).  A
# small private tmpfs filled to the last page: reading a hole through a
# mapping needs a new page there, as does writing one.
t=$dir/full
if [ "$(id -u)" -eq 0 ] && mkdir "$t" && mount -t tmpfs -o size=1M,nr_inodes=64 viewcli "$t" 2>/dev/null; then
	head -c 4096 /dev/zero | tr '\0' A >"$t/b"
	truncate -s 8192 "$t/b"		# page 0 'A's, page 1 a hole
	truncate -s 8192 "$t/hole"	# both pages holes
	head -c 2M /dev/zero >"$t/fill" 2>/dev/null	# ENOSPC: the store is full
	if [ "$(df --output=avail -k "$t" | tail -n 1 | tr -d ' ')" = 0 ]; then
		expect_err "show --hex of a page the full store cannot provide" "$t/hole" "$V" show "$t/hole" --hex
		expect_out "that error names SIGBUS" 1 sh -c "'$V' show '$t/hole' --tolist 2>&1 >/dev/null | grep -c 'SIGBUS'"
		expect_err "set with no room for all pages writes none" "$t/b" "$V" set "$t/b" --value 1
		expect_err "set of a list with no room for all pages writes none" "$t/b" "$V" set "$t/b" --cast H --value "[$(seq -s, 1 4096)]"
		expect_out "the page with room is unchanged" AAAAAAAA sh -c "head -c 8 '$t/b'"
		expect_out "set within the page that has room still works" "[1, 65]" sh -c "'$V' set '$t/b' --slice 0 --value 1 && '$V' show '$t/b' --length 2 --tolist"
	else
		bad "could not fill the 1M tmpfs: $(df -k "$t" | tail -n 1)"
	fi
	umount "$t"
else
	skip_one "full-store tests: needs root and mount -t tmpfs"
fi

# view seal (issue 15): usage, refusals, and the seals of a memfd (the
# CLI opens /proc/PID/fd/N, the same memfd) and of a file on viewfs
expect_err "seal without PATH is a usage error" "$f" "$V" seal
"$V" seal 2>/dev/null; [ $? -eq 2 ] && ok "seal without PATH exits 2" || bad "seal without PATH: not exit 2"
expect_err "seal with an unknown option" "$f" "$V" seal "$f" --wirte
expect_err "seal of a plain file: not viewfs, viewdev or memfd" "$f" "$V" seal "$f" --write
grep -q "ENOTSUP" "$dir/err" && ok "seal of a plain file says ENOTSUP" || bad "seal plain file: $(cat "$dir/err")"
expect_err "seal print of a plain file" "$f" "$V" seal "$f"
expect_out "show --info of a plain file: no seals, last member" '"contiguous": true, "seals": []}' sh -c "'$V' show '$f' --info | grep -o '\"contiguous\": .*'"
expect_err "seal of a missing file" "$f" "$V" seal "$dir/none" --shrink
expect_out "seal --help names every seal option" 4 sh -c "'$V' seal --help | grep -cE -- '^  --(write|shrink|grow|all) '"
mfd_py='import os, sys, time
fd = os.memfd_create("viewcli", os.MFD_ALLOW_SEALING)
os.ftruncate(fd, 4096)
print("/proc/%d/fd/%d" % (os.getpid(), fd), flush=True)
sys.stdin.read()'
coproc MFD { /usr/bin/python3 -c "$mfd_py"; }
read -r -u "${MFD[0]}" m
if [ -n "$m" ] && [ -e "$m" ]; then
	expect_out "seal prints an empty line for no seals" 1 sh -c "'$V' seal '$m' | wc -c"
	expect_out "seal --shrink --grow prints nothing" "" "$V" seal "$m" --shrink --grow
	expect_out "seal prints the memfd's seals" "shrink,grow" "$V" seal "$m"
	expect_err "the memfd cannot shrink now" "$f" truncate -s 0 "$m"
	expect_out "seal --all adds the write seal" "" "$V" seal "$m" --all
	expect_out "seal prints all seals in the fixed order" "write,shrink,grow" "$V" seal "$m"
else
	bad "no memfd path from python3: '$m'"
fi
eval "exec ${MFD[1]}>&-"
wait "$MFD_PID" 2>/dev/null
viewfs=$(dirname "$V")/viewfs
if [ "$(id -u)" -eq 0 ] && [ -x "$viewfs" ] && [ -c /dev/fuse ] && command -v fusermount3 >/dev/null &&
   mkdir "$dir/vfs" && chmod 755 "$dir" && { "$viewfs" "$dir/vfs" -f -o allow_other >"$dir/vfs.log" 2>&1 & } &&
   for _ in $(seq 100); do grep -qs " $dir/vfs fuse.viewfs " /proc/mounts && break; sleep 0.05; done &&
   grep -qs " $dir/vfs fuse.viewfs " /proc/mounts; then
	b=$dir/vfs/frame
	head -c 4096 /dev/zero >"$b" && chmod 666 "$b"
	expect_out "seal on viewfs: none yet" "" "$V" seal "$b"
	exec 3>>"$b"
	expect_err "seal --write while open for writing: EBUSY" "$b" "$V" seal "$b" --write
	grep -q "EBUSY" "$dir/err" && ok "the EBUSY message says why" || bad "EBUSY message: $(cat "$dir/err")"
	exec 3>&-
	expect_err "seal by another user: EPERM" "$b" setpriv --reuid=65534 --regid=65534 --clear-groups "$V" seal "$b" --shrink
	grep -q "owner or root" "$dir/err" && ok "the EPERM message says who may" || bad "EPERM message: $(cat "$dir/err")"
	expect_out "seal --write --shrink on viewfs" "" "$V" seal "$b" --write --shrink
	expect_out "seal on viewfs prints the xattr's text" "write,shrink" "$V" seal "$b"
	expect_out "the xattr holds the same text" "write,shrink" getfattr --absolute-names --only-values -n user.view.seals "$b"
	expect_err "view set on a write-sealed file fails, file unchanged" "$b" "$V" set "$b" --value 1
	expect_out "show --info ends with the seals" '"seals": ["write", "shrink"]}' sh -c "'$V' show '$b' --info | grep -o '\"seals\": .*'"
	fusermount3 -u "$dir/vfs"
	wait
else
	skip_one "view seal on viewfs: needs root, /dev/fuse, fusermount3 and $viewfs"
fi

# view kmod's errors are escaped as view show/set's (issue 14): a name with
# a newline and an ESC byte gives one line and no control byte
expect_err "kmod error naming a control character is one line" "$f" "$V" kmod create "$(printf 'a\nb\033')" 1
if grep -q "$(printf '\033')" "$dir/err" || ! grep -qF 'a\x0ab\x1b' "$dir/err"; then
	bad "kmod error not escaped: $(od -c "$dir/err" | head -3)"
else ok "kmod error escapes control characters as \\xNN"; fi

result
