#!/usr/bin/env bash
# make run / make stop: mount viewfs on ./mnt in the background with a demo
# buffer, or unmount it.   usage: fuse/run.sh start|stop BUILD_DIR MOUNTPOINT
set -euo pipefail
cmd=$1 build=$2 mnt=$3
bin=$build/bin/viewfs
view=$build/bin/view
log=$build/viewfs-run.log
pidf=$build/viewfs-run.pid

mounted() { grep -qs " $(readlink -f "$mnt") fuse.viewfs " /proc/mounts; }

case $cmd in
start)
	if mounted && ! stat "$mnt" >/dev/null 2>&1; then
		# the daemon died (Transport endpoint is not connected): clear it
		fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt"
	fi
	mkdir -p "$mnt"
	if mounted; then
		echo "viewfs: already mounted on $mnt (make stop to unmount)"
	else
		: >"$log"
		"$bin" "$mnt" -f >>"$log" 2>&1 &
		echo $! >"$pidf"
		# stat returns once the daemon answered INIT (its log then names the data path)
		for _ in $(seq 100); do mounted && stat "$mnt" >/dev/null 2>&1 && break; sleep 0.1; done
		if ! mounted; then
			echo "viewfs: mount failed:" >&2
			cat "$log" >&2
			exit 1
		fi
		sed 's/^/  /' "$log"
	fi
	demo=$mnt/demo
	if [ ! -e "$demo" ]; then
		# 3 x 4 little-endian int32: 0..11
		/usr/bin/python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<12i", *range(12)))' >"$demo"
		setfattr -n user.view.format -v '<i' "$demo"
		setfattr -n user.view.shape -v 3,4 "$demo"
	fi
	cat <<MSG

viewfs is mounted on $mnt (daemon pid $(cat "$pidf" 2>/dev/null || echo '?'), log $log).
A demo buffer $demo holds 3x4 int32 (user.view.format=<i, user.view.shape=3,4):

  $view show $demo --tolist
  $view show $demo --slice ::-1,1: --tolist
  getfattr -d $demo
  truncate -s 64M $mnt/frame && setfattr -n user.view.format -v B $mnt/frame
  python3 -c 'import mmap,os; m=mmap.mmap(os.open("$mnt/frame",os.O_RDWR),0); m[0]=7'
  df -h $mnt

Stop with:  make stop      (or: fusermount3 -u $mnt)
MSG
	;;
stop)
	if mounted; then
		fusermount3 -u "$mnt" || umount -l "$mnt"
		echo "viewfs: unmounted $mnt"
	else
		echo "viewfs: nothing mounted on $mnt"
	fi
	if [ -e "$pidf" ]; then
		pid=$(cat "$pidf")
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		rm -f "$pidf"
	fi
	;;
*)
	echo "usage: $0 start|stop BUILD_DIR MOUNTPOINT" >&2
	exit 2
	;;
esac
