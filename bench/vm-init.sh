#!/bin/busybox sh
# /init of the bench VM (bench/vm.sh packs it): loads viewdev.ko, mounts a
# tmpfs (and one with huge=within_size, as viewdev's own), runs vmbench with the parameters from the kernel command line
# (vmbench=SIZE_MIB,REPS,RAND_OPS), prints @@VMBENCH-END@@ and powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
dmesg -n 1
args=$(sed -n 's/.*vmbench=\([0-9,]*\).*/\1/p' /proc/cmdline)
size=${args%%,*}
rest=${args#*,}
reps=${rest%%,*}
ops=${rest#*,}
mkdir -p /mnt/tmpfs /mnt/tmpfs-huge
echo "VMBENCH-INFO kernel $(uname -r) cpus $(grep -c ^processor /proc/cpuinfo) memtotal_kib $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
huge=/mnt/tmpfs-huge
if ! mount -t tmpfs -o size=$((size * 2 + 16))m,huge=within_size tmpfs $huge; then
	echo "VMBENCH-INFO no tmpfs huge=within_size in this guest: no such reference"
	huge=
fi
if ! mount -t tmpfs -o size=$((size * 3 + 16))m tmpfs /mnt/tmpfs; then
	echo "VMBENCH-ERROR cannot mount a tmpfs"
elif ! insmod /lib/viewdev.ko; then
	echo "VMBENCH-ERROR insmod viewdev.ko failed"
else
	/bin/vmbench "$size" "$reps" "$ops" /mnt/tmpfs $huge 2>&1
	dmesg | grep -E 'BUG|WARNING|Oops' | sed 's/^/VMBENCH-ERROR dmesg: /'
fi
echo "@@VMBENCH-END@@"
sync
poweroff -f
