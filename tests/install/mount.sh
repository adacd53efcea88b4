#!/usr/bin/env bash
# Part of tests/install, run by run.sh inside a private mount namespace
# (unshare -m): the directory holding mount(8)'s helpers (/sbin) is
# overlaid with PREFIX/sbin, so mount(8) finds the freshly installed
# mount.fuse.viewfs as it would in /sbin, and nothing of the host changes.
# Prints one "ok NAME" or "FAIL NAME: why" line per check.
# usage: mount.sh PREFIX TMPDIR
set -u
prefix=$1 tmp=$2
mnt=$tmp/mnt
mkdir -p "$mnt" "$tmp/store"
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; }

sbin=$(readlink -f /sbin)
if ! mount -t overlay overlay -o "lowerdir=$prefix/sbin:$sbin" "$sbin" 2>"$tmp/ovl.err"; then
	bad "overlay $prefix/sbin on $sbin: $(cat "$tmp/ovl.err")"
	exit 0
fi
[ -x /sbin/mount.fuse.viewfs ] && ok "mount.fuse.viewfs is where mount(8) looks" ||
	bad "no /sbin/mount.fuse.viewfs in the namespace"

# mount_line: the mountinfo line of $mnt, or nothing
mount_line() { awk -v m="$mnt" '$5 == m' /proc/self/mountinfo; }
# wait_gone: the mount is gone and no viewfs daemon serves $mnt any more
wait_gone() {
	local _
	for _ in $(seq 100); do
		[ -z "$(mount_line)" ] && ! pgrep -f "viewfs $mnt( |$)" >/dev/null && return 0
		sleep 0.05
	done
	return 1
}
# check_mount NAME BYTES: mounted as fuse.viewfs, nosuid,nodev, capacity
check_mount() {
	local name=$1 bytes=$2 line opts size
	line=$(mount_line)
	opts=$(echo "$line" | awk '{print $6}')
	if [ -z "$line" ]; then bad "$name: not mounted"; return 1; fi
	case "$line" in *" - fuse.viewfs "*) ;; *) bad "$name: type: $line"; return 1 ;; esac
	case ",$opts," in *,nosuid,*) ;; *) bad "$name: no nosuid in '$opts'"; return 1 ;; esac
	case ",$opts," in *,nodev,*) ;; *) bad "$name: no nodev in '$opts'"; return 1 ;; esac
	if [ -n "$bytes" ]; then
		size=$(stat -f -c '%b*%S' "$mnt" | bc)
		[ "$size" = "$bytes" ] || { bad "$name: capacity $size, want $bytes"; return 1; }
	fi
	ok "$name: fuse.viewfs, nosuid,nodev${bytes:+, $bytes bytes}"
}
do_umount() {
	local name=$1
	if umount "$mnt" 2>"$tmp/umount.err" && wait_gone; then ok "$name: umount, daemon gone"
	else bad "$name: umount: $(cat "$tmp/umount.err") $(mount_line)"; umount -l "$mnt" 2>/dev/null; fi
}

# 1. mount -t fuse.viewfs, as the issue writes it (suid,dev asked for:
#    overridden)
if mount -t fuse.viewfs viewfs "$mnt" -o size=64M,allow_other,suid,dev 2>"$tmp/m.err"; then
	check_mount "mount -t fuse.viewfs -o size=64M,allow_other,suid,dev" 67108864
	printf 'hello' >"$mnt/buf" && [ "$(cat "$mnt/buf")" = hello ] &&
		[ "$("$prefix/bin/view" show "$mnt/buf" --slice 0 --tolist)" = 104 ] &&
		ok "a buffer on it, read back with the installed view" || bad "buffer on the mount"
	case ",$(mount_line | awk '{print $NF}')," in *,allow_other,*) ok "allow_other reached the mount" ;;
		*) bad "allow_other missing: $(mount_line)" ;; esac
	do_umount "mount -t fuse.viewfs"
else
	bad "mount -t fuse.viewfs: $(cat "$tmp/m.err")"
fi

# 2. an fstab line with the options fstab users write (mount --fstab: the
#    host's /etc/fstab is not touched)
printf '# test fstab\nviewfs %s fuse.viewfs defaults,noauto,nofail,_netdev,x-systemd.requires=a,comment=t,size=32M 0 0\n' \
	"$mnt" >"$tmp/fstab"
if mount --fstab "$tmp/fstab" "$mnt" 2>"$tmp/m.err"; then
	check_mount "fstab line (mount --fstab FILE MOUNTPOINT)" 33554432
	do_umount "fstab line"
else
	bad "mount --fstab: $(cat "$tmp/m.err")"
fi

# 3. mount -a over an fstab whose entry is auto, with store=DIR: the
#    buffer survives umount and a second mount
printf 'none %s fuse.viewfs store=%s 0 0\n' "$mnt" "$tmp/store" >"$tmp/fstab2"
if mount -a --fstab "$tmp/fstab2" 2>"$tmp/m.err" && [ -n "$(mount_line)" ]; then
	check_mount "mount -a --fstab, store=DIR" ""
	echo persistent >"$mnt/kept"
	do_umount "store=DIR mount"
	[ "$(cat "$tmp/store/kept" 2>/dev/null)" = persistent ] && ok "store=DIR became --store DIR" ||
		bad "store=DIR: the buffer is not in the store"
	if mount --fstab "$tmp/fstab2" "$mnt" 2>"$tmp/m.err" && [ "$(cat "$mnt/kept")" = persistent ]; then
		ok "remount finds the buffer"
	else
		bad "remount with store=DIR: $(cat "$tmp/m.err")"
	fi
	do_umount "store=DIR remount"
else
	bad "mount -a --fstab: $(cat "$tmp/m.err")"
fi

# 4. a bad option fails the mount with a message, and leaves nothing
if mount -t fuse.viewfs viewfs "$mnt" -o size=1G,store="$tmp/store" 2>"$tmp/m.err"; then
	bad "size= with store= was accepted"
	umount "$mnt"
elif [ -s "$tmp/m.err" ] && [ -z "$(mount_line)" ]; then
	ok "size= with store= refused: $(head -n 1 "$tmp/m.err")"
else
	bad "refused mount: no message or a mount left"
fi
exit 0
