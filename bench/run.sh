#!/usr/bin/env bash
# bench/run.sh - the body of `make bench` (QUICK=1 for the short run).
#
# Measures, in one run on this machine, viewfs and libview against the
# references users already have, and hands the raw samples to
# bench/report.py, which prints the table and writes build/bench/results.json
# and build/bench/summary.png.  Parts:
#
#   libview  build/bench/vwbench (C) vs bench/pyviews.py (memoryview, NumPy)
#   fileio   fio on tmpfs, viewfs (RAM store / --store on tmpfs, passthrough
#            on and off) and libfuse's passthrough_hp (with and without
#            passthrough): seq 1 MiB and random 4 KiB read/write, mmap reads,
#            cold (after drop_caches) and warm
#   meta     create+write+close+unlink of 4 KiB files per second; also over
#            FUSE io_uring (viewfs io_uring=on, passthrough_hp with
#            FUSE_URING_ENABLE=1) where the kernel has it: the bench sets
#            /sys/module/fuse/parameters/enable_uring to Y only while those
#            two mount, and puts the old value back right after (and in the
#            EXIT trap); a connection keeps its rings once set up.  Then
#            informative rows: caller and daemon on one CPU, and viewfs
#            with -o spin=50 against the same mount without (what spin buys)
#   memory   RAM taken by one buffer written, then mapped by two processes
#   mmap     huge pages (issue 12): first touch of every 4 KiB page of a
#            fresh 1 GiB mapping, and random 4 KiB reads on a fresh mapping,
#            on tmpfs, a tmpfs mounted huge=within_size and viewfs
#            (passthrough) (build/bench/map_touch)
#   kmod     the viewdev module in a QEMU TCG VM (bench/vm.sh, bench/vmbench.c):
#            read/pread/mmap on /dev/view/NAME vs a tmpfs file in the same VM
#            (default and huge=within_size; mmap first touch included)
#
# Every part degrades on its own: a missing binary or a mount that fails
# turns its rows into a line in build/bench/skipped.txt (printed at the end)
# and the rest still runs.  Nothing is left mounted or running: every mount
# and child is undone by the EXIT trap.
#
# Environment: QUICK=1; VIEWFS (default build/bin/viewfs); PASSTHROUGH_HP
# (default: found under /opt/viewfs or build/); BENCH_PARTS (default
# "libview kmod fileio meta memory mmap") to run a subset; BENCH_SUBJECTS
# (default: all) to keep only some file-system subjects (tmpfs always runs:
# it is the reference).
set -uo pipefail
cd "$(dirname "$0")/.."

QUICK=${QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
OUT=build/bench
PY=/usr/bin/python3		# Debian's interpreter: the one with NumPy
VIEWFS=${VIEWFS:-build/bin/viewfs}
PARTS=${BENCH_PARTS:-libview kmod fileio meta memory mmap}

if [ -n "$QUICK" ]; then
	# no cold runs: each fio job costs ~0.3 s of fio's own polling
	SIZE_MB=256 REPS=2 COLD= RT_COLD=500ms RT_WARM=100ms META_S=0.3 META_REPS=3 MEM_MB=256 FIO_BUDGET=40 MEM_DEADLINE=90 LV_ROUNDS=1 LV_DERIVE_ROUNDS=2
	MAP_MB=256 MAP_REPS=5 MAP_OPS=16000
else
	SIZE_MB=1024 REPS=2 COLD=1 RT_COLD=700ms RT_WARM=500ms META_S=0.5 META_REPS=7 MEM_MB=1024 FIO_BUDGET=320 MEM_DEADLINE=480 LV_ROUNDS=2 LV_DERIVE_ROUNDS=5
	MAP_MB=1024 MAP_REPS=9 MAP_OPS=40000
fi

mkdir -p "$OUT"
rm -rf "$OUT/fio" && mkdir -p "$OUT/fio" "$OUT/logs"
MEAS=$OUT/measure.jsonl
SKIPS=$OUT/skipped.txt
NOTES=$OUT/notes.txt
: >"$MEAS"
: >"$SKIPS"
: >"$NOTES"

T0=$(date +%s)
WORK=$(mktemp -d /tmp/viewfs-bench.XXXXXX)
MOUNTS=()		# every mount point we made, unmounted in reverse on exit
FALLBACK_DIRS=()	# /dev/shm directories used when tmpfs cannot be mounted
PIDS=()			# every daemon or helper we started

log() { printf 'bench: %s\n' "$*" >&2; }
skip() { printf '%s\n' "$*" >>"$SKIPS"; log "skip: $*"; }
note() { printf '%s\n' "$*" >>"$NOTES"; log "note: $*"; }

is_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }

# FUSE over io_uring: the kernel's switch, and its value before we touched it
URING_PARAM=/sys/module/fuse/parameters/enable_uring
URING_WAS=
uring_restore() {
	if [ -n "$URING_WAS" ]; then
		echo "$URING_WAS" >"$URING_PARAM" 2>/dev/null
		URING_WAS=
	fi
}

cleanup() {
	local i m p
	uring_restore
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${MOUNTS[i]}
		is_mounted "$m" || continue
		fusermount3 -u "$m" 2>/dev/null || umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$WORK" "${FALLBACK_DIRS[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One sample: part test subject unit better value [extra JSON members]
measure() {
	printf '{"part":"%s","test":"%s","subject":"%s","unit":"%s","better":"%s","value":%s%s}\n' \
		"$1" "$2" "$3" "$4" "$5" "$6" "${7:+,$7}" >>"$MEAS"
}

# ---------------------------------------------------------------- caches
DROP=
if echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
	DROP=1
else
	note "drop_caches not permitted here: 'cold' rows are measured without it (page cache may be warm)"
fi
drop_caches() { [ -n "$DROP" ] && echo 3 >/proc/sys/vm/drop_caches; }

# ---------------------------------------------------------------- mounts
# A private tmpfs for the reference and for the stores, so that /dev/shm
# and other users' files are not touched; /dev/shm only if mount fails.
new_tmpfs() {		# new_tmpfs DIR SIZE_MB [MORE_OPTIONS]
	mkdir -p "$1"
	if mount -t tmpfs -o "size=${2}m,mode=0755${3:+,$3}" viewfs-bench "$1" 2>/dev/null; then
		MOUNTS+=("$1")
		return 0
	fi
	local d
	d=$(mktemp -d /dev/shm/viewfs-bench.XXXXXX) || return 1
	FALLBACK_DIRS+=("$d")
	rmdir "$1" && ln -s "$d" "$1"
	note "could not mount a private tmpfs (not root?); using $d on /dev/shm"
}

# wait_mount MOUNTPOINT PID LOG: up to 10 s for the FUSE mount to appear
wait_mount() {
	local i
	for ((i = 0; i < 100; i++)); do
		is_mounted "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	log "mount of $1 failed; last lines of $3:"
	tail -n 5 "$3" >&2
	return 1
}

# Where the store is a directory we can reach (viewfs --store, the
# passthrough_hp source), the fio file is written there before the mount:
# laying 1 GiB out through a FUSE mount without passthrough takes 5-25 s
# on a busy machine and is not what is measured.  viewfs picks up files
# already in its --store at mount, as after a restart.
prelayout() {		# prelayout DIR
	case " $PARTS " in *" fileio "*) ;; *) return 0 ;; esac
	dd if=/dev/zero of="$1/fio.dat" bs=1M count="$SIZE_MB" status=none
}

declare -A DAEMON_OF	# subject -> daemon pid
# mount_subject SUBJECT MOUNTPOINT: start the daemon SUBJECT describes
mount_subject() {
	local s=$1 mp=$2 lg=$OUT/logs/$1.log
	mkdir -p "$mp"
	case $s in
	tmpfs | tmpfs-b)
		new_tmpfs "$mp" $((SIZE_MB + MEM_MB + 64))
		return
		;;
	viewfs | viewfs-*)
		# io_uring explicit either way: the rows do not depend on the
		# kernel switch's state at the start of the run
		local pt=on store= ur=off spin=
		case $s in *-nopt*) pt=off ;; esac
		case $s in *-uring) ur=on ;; esac
		case $s in *-spin) spin=,spin=50 ;; esac
		case $s in *-store*)
			store=$WORK/store/$s
			mkdir -p "$store"
			prelayout "$store"
			;;
		esac
		# -o size= bounds the RAM store only; with --store the file
		# system holding DIR (a private tmpfs here) sets the limits
		if [ -n "$store" ]; then
			"$VIEWFS" "$mp" -f -o "passthrough=$pt,io_uring=$ur" --store "$store" >"$lg" 2>&1 &
		else
			"$VIEWFS" "$mp" -f -o "size=$(((SIZE_MB + MEM_MB + 64) * 1048576)),passthrough=$pt,io_uring=$ur$spin" >"$lg" 2>&1 &
		fi
		;;
	hp | hp-*)
		local src=$WORK/store/$s
		mkdir -p "$src"
		prelayout "$src"
		if [ "$s" = hp-nopt ]; then
			"$HP" --foreground --nopassthrough "$src" "$mp" >"$lg" 2>&1 &
		elif [ "$s" = hp-uring ]; then
			# libfuse 3.18's switch for programs without an option of their own
			FUSE_URING_ENABLE=1 "$HP" --foreground "$src" "$mp" >"$lg" 2>&1 &
		else
			"$HP" --foreground "$src" "$mp" >"$lg" 2>&1 &
		fi
		;;
	esac
	DAEMON_OF[$s]=$!
	PIDS+=("$!")
	MOUNTS+=("$mp")
	wait_mount "$mp" "$!" "$lg"
}

unmount_subject() {	# unmount_subject SUBJECT MOUNTPOINT
	local i pid=${DAEMON_OF[$1]:-}
	[ -n "$pid" ] || return 0	# the private tmpfs goes at exit
	fusermount3 -u "$2" 2>/dev/null || umount -l "$2" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		note "$1: daemon still alive 5 s after unmount; killed"
		kill "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rm -rf "${WORK:?}/store/$1"
	# what the daemon said about its data path, for the record
	grep -iE 'passthrough|splice|libfuse' "$OUT/logs/$1.log" 2>/dev/null | head -n 3 |
		sed "s|^|$1: daemon says: |" >>"$NOTES"
}

# ---------------------------------------------------------------- fileio
# One fio process runs every job in turn (stonewall): fio costs ~0.3 s of
# its own polling per job and ~0.7 s to start, more than a warm job.
# Subjects are interleaved test by test (tmpfs, viewfs, ..., then the next
# test), so that the load other users put on the machine hits every
# subject and its reference alike.  Jobs are named TEST:SUBJECT:REP;
# "cold" jobs run one pass (capped at RT_COLD) after drop_caches
# (exec_prerun), "warm" jobs are time-based (RT_WARM) right after.  The
# layout jobs write each file with real data first (reads of holes would
# cost nothing) and are not measured.
fio_job() {		# fio_job NAME SUBJECT-DIR RW BS ENGINE RUNTIME TIME_BASED DROP
	printf '\n[%s]\nfilename=%s/fio.dat\nrw=%s\nbs=%s\nioengine=%s\n' "$1" "$2" "$3" "$4" "$5"
	[ -n "$6" ] && printf 'runtime=%s\n' "$6"
	[ -n "$7" ] && printf 'time_based\n'
	[ -n "$8" ] && printf 'exec_prerun=sh -c "echo 3 > /proc/sys/vm/drop_caches"\n'
	return 0
}

fio_jobfile() {		# fio_jobfile SUBJECT...
	local rep t rw bs eng s
	printf '[global]\nthread\nsize=%sM\ninvalidate=0\nfallocate=none\nnorandommap\nrandrepeat=0\nstonewall\n' "$SIZE_MB"
	for s in "$@"; do
		# files already laid out in their store (prelayout) are skipped
		[ -s "$WORK/mnt/$s/fio.dat" ] ||
			fio_job "layout:$s:0" "$WORK/mnt/$s" write 1M psync "" "" ""
	done
	for ((rep = 1; rep <= REPS; rep++)); do
		for t in seqread randread mmap-seqread mmap-randread seqwrite randwrite; do
			eng=psync
			case $t in
			seqread) rw=read bs=1M ;;
			randread) rw=randread bs=4k ;;
			mmap-seqread) rw=read bs=1M eng=mmap ;;
			mmap-randread) rw=randread bs=4k eng=mmap ;;
			seqwrite) rw=write bs=1M ;;
			randwrite) rw=randwrite bs=4k ;;
			esac
			for s in "$@"; do
				case $t in
				*read)
					[ -n "$COLD" ] && fio_job "$t-cold:$s:$rep" "$WORK/mnt/$s" \
						$rw $bs $eng "$RT_COLD" "" "$DROP"
					fio_job "$t-warm:$s:$rep" "$WORK/mnt/$s" $rw $bs $eng "$RT_WARM" 1 ""
					;;
				*)
					fio_job "$t:$s:$rep" "$WORK/mnt/$s" $rw $bs $eng "$RT_WARM" 1 ""
					;;
				esac
			done
		done
	done
}

run_fileio() {		# run_fileio SUBJECT...
	local job=$PWD/$OUT/fio/all.fio json=$PWD/$OUT/fio/all.json s
	log "fileio: $# subjects interleaved, ${SIZE_MB} MiB files ($(($(date +%s) - T0)) s so far)"
	fio_jobfile "$@" >"$job"
	# exec_prerun leaves JOB.prerun.txt files in the current directory
	mkdir -p "$WORK/fio-cwd"
	# A machine busy with other work must not stretch `make bench` past its
	# time budget: after FIO_BUDGET seconds fio gets SIGINT, which ends the
	# running job and still writes the results of every finished one.
	local rc=0
	(cd "$WORK/fio-cwd" && timeout -s INT "$FIO_BUDGET" fio --output-format=json --output="$json" "$job") \
		>/dev/null 2>"$OUT/fio/all.err" || rc=$?
	if [ $rc = 124 ]; then
		note "fileio: stopped at its ${FIO_BUDGET} s budget (busy machine?): the jobs not run are missing, some medians have fewer samples"
	elif [ $rc != 0 ]; then
		if [ ! -s "$json" ]; then
			skip "fileio: fio failed: $(tail -n 1 "$OUT/fio/all.err")"
			return 1
		fi
		note "fileio: fio reported errors (jobs with errors are left out): $(tail -n 1 "$OUT/fio/all.err")"
	fi
	measure fileio all all - higher 0 "\"fio_all\":\"$json\""
	for s in "$@"; do
		rm -f "$WORK/mnt/$s/fio.dat"
	done
}

# ---------------------------------------------------------------- meta
run_meta() {		# run_meta SUBJECT...: round robin over the subjects
	local s rep r
	log "meta: create+write+close+unlink ($(($(date +%s) - T0)) s so far)"
	for s in "$@"; do
		mkdir -p "$WORK/mnt/$s/meta" || skip "meta on $s: mkdir failed"
	done
	for ((rep = 1; rep <= META_REPS; rep++)); do
		for s in "$@"; do
			[ -d "$WORK/mnt/$s/meta" ] || continue
			if ! r=$(build/bench/meta_ops "$WORK/mnt/$s/meta" "$META_S" 4096 2>"$OUT/logs/meta.$s.err"); then
				skip "meta on $s: $(tail -n 1 "$OUT/logs/meta.$s.err")"
				rm -rf "$WORK/mnt/$s/meta"
				continue
			fi
			measure meta "create+write 4K+close+unlink" "$s" "files/s" higher "$r"
		done
	done
	for s in "$@"; do
		rm -rf "$WORK/mnt/$s/meta"
	done
}

# ---------------------------------------------------------------- memory
meminfo() {		# Cached and Shmem in KiB, as "C S"
	awk '/^Cached:/ { c = $2 } /^Shmem:/ { s = $2 } END { print c, s }' /proc/meminfo
}

# Poll until Cached moves less than 2 MiB between two looks (max 2 s).
settle() {
	local prev cur i
	prev=$(meminfo)
	for ((i = 0; i < 8; i++)); do
		sleep 0.25
		cur=$(meminfo)
		[ $((${cur% *} - ${prev% *})) -lt 2048 ] && [ $((${prev% *} - ${cur% *})) -lt 2048 ] && break
		prev=$cur
	done
	echo "$cur"
}

# RAM for the buffer = Cached while two processes hold it mapped, minus
# Cached before it was written, averaged with the same minus Cached after
# it was removed: other users' page-cache growth during the test adds to
# the first difference and subtracts from the second, so a steady drift
# cancels.  Cached already contains Shmem (tmpfs, memfd), so it is not
# added twice; the Shmem difference is kept alongside.  A step instead of
# a drift (another session's VM or tmpfs file coming or going) makes the
# two differences disagree: such an attempt is thrown away and retried.
memory_attempt() {	# memory_attempt SUBJECT FILE: prints "d1 d2 dshmem" (MiB)
	local s=$1 f=$2 before hold after p1 p2 fifo=$WORK/hold i
	before=$(settle)
	if ! dd if=/dev/zero of="$f" bs=1M count="$MEM_MB" status=none 2>"$OUT/logs/mem.$s.err"; then
		rm -f "$f"
		return 1
	fi
	rm -f "$fifo" "$WORK/hold1" "$WORK/hold2" && mkfifo "$fifo"
	# Two holders; both keep their map until the fifo's writer closes.
	build/bench/map_hold "$f" <"$fifo" >"$WORK/hold1" 2>>"$OUT/logs/mem.$s.err" &
	p1=$!
	build/bench/map_hold "$f" <"$fifo" >"$WORK/hold2" 2>>"$OUT/logs/mem.$s.err" &
	p2=$!
	PIDS+=("$p1" "$p2")
	exec {wfd}>"$fifo"
	for ((i = 0; i < 600; i++)); do
		grep -q ready "$WORK/hold1" 2>/dev/null && grep -q ready "$WORK/hold2" 2>/dev/null && break
		kill -0 "$p1" 2>/dev/null && kill -0 "$p2" 2>/dev/null || break
		sleep 0.1
	done
	if grep -q ready "$WORK/hold1" && grep -q ready "$WORK/hold2"; then
		hold=$(settle)
	else
		echo "map_hold did not get ready" >>"$OUT/logs/mem.$s.err"
	fi
	exec {wfd}>&-
	wait "$p1" "$p2" 2>/dev/null
	rm -f "$f" "$fifo"
	[ -n "${hold:-}" ] || return 1
	after=$(settle)
	echo $(((${hold% *} - ${before% *}) / 1024)) $(((${hold% *} - ${after% *}) / 1024)) \
		$(((${hold#* } - ${before#* }) / 1024))
}

memory_subject() {	# memory_subject SUBJECT MOUNTPOINT
	local s=$1 f=$2/mem.dat try r d1 d2 ds
	for ((try = 1; try <= 3; try++)); do
		if ! r=$(memory_attempt "$s" "$f"); then
			skip "memory on $s: $(tail -n 1 "$OUT/logs/mem.$s.err")"
			return 1
		fi
		read -r d1 d2 ds <<<"$r"
		# consistent: the two differences agree within 1/8 of the buffer
		[ $((d1 - d2)) -le $((MEM_MB / 8)) ] && [ $((d2 - d1)) -le $((MEM_MB / 8)) ] && break
		log "memory on $s: other activity moved Cached (held-before $d1, held-after $d2 MiB); again"
	done
	[ "$try" -gt 3 ] && note "memory on $s: Cached kept moving under other users' load (last: held-before $d1, held-after $d2 MiB); kept the last attempt"
	measure memory "RAM for ${MEM_MB} MiB mapped by 2 processes" "$s" MiB lower \
		"$(((d1 + d2) / 2))" \
		"\"shmem_mib\":$ds,\"size_mib\":$MEM_MB,\"hold_minus_before_mib\":$d1,\"hold_minus_after_mib\":$d2"
}

# ---------------------------------------------------------------- mmap
# Huge pages (issue 12 item 1): build/bench/map_touch on tmpfs, a tmpfs
# mounted huge=within_size (the reference viewfs's default should equal)
# and viewfs with passthrough, interleaved repetition by repetition.
run_mmap() {		# run_mmap SUBJECT...: those of the fs parts that are up
	local s args=() hmp=$WORK/mnt/tmpfs-huge
	log "mmap: first touch and random reads of ${MAP_MB} MiB mappings ($(($(date +%s) - T0)) s so far)"
	if [ ! -x build/bench/map_touch ]; then
		skip "mmap: build/bench/map_touch not built: all mmap rows"
		return
	fi
	if [ ! -e /sys/kernel/mm/transparent_hugepage/shmem_enabled ]; then
		note "mmap: the kernel has no transparent huge pages: no tmpfs huge=within_size reference"
	elif mkdir -p "$hmp" && mount -t tmpfs -o "size=$((MAP_MB + 64))m,mode=0755,huge=within_size" \
		viewfs-bench "$hmp" 2>/dev/null; then
		MOUNTS+=("$hmp")
	else
		skip "mmap: cannot mount a tmpfs with huge=within_size (not root?): its reference rows"
		hmp=
	fi
	for s in "$@"; do
		case $s in
		tmpfs) args+=("tmpfs=$WORK/mnt/tmpfs")
			[ -n "$hmp" ] && args+=("tmpfs-huge=$hmp") ;;
		viewfs) args+=("viewfs=$WORK/mnt/viewfs") ;;
		esac
	done
	build/bench/map_touch "$MAP_MB" "$MAP_REPS" "$MAP_OPS" "${args[@]}" >>"$MEAS" \
		2>"$OUT/logs/map_touch.err" ||
		skip "mmap: map_touch failed: $(tail -n 1 "$OUT/logs/map_touch.err")"
}

# ---------------------------------------------------------------- parts
# The C and the Python side run one after the other, so a burst of other
# work on the machine can hit one side only.  The full run therefore makes
# LV_ROUNDS alternating rounds (C, Python, C, Python) and report.py keeps
# each side's best, as timeit does within one process.  The derivation
# rows (3-100 ns a call, the element read 3-5 ns) get more rounds, up to
# LV_DERIVE_ROUNDS, of that part alone (`vwbench derive`, `pyviews.py
# derive`, ~10 s a side): a whole process sometimes runs slow on this
# shared VM (the element read measured 10 ns in one round of seven, on
# both the old and the new library), and with two rounds such a round
# could decide a row.
run_libview() {
	local round part
	for ((round = 1; round <= LV_DERIVE_ROUNDS; round++)); do
		part=
		((round > LV_ROUNDS)) && part=derive
		log "libview: vwbench vs memoryview/NumPy, round $round of $LV_DERIVE_ROUNDS${part:+ (derivations only)} ($(($(date +%s) - T0)) s so far)"
		if [ ! -x build/bench/vwbench ]; then
			skip "libview: build/bench/vwbench not built (libview did not build); all libview rows"
		else
			build/bench/vwbench ${QUICK:+--quick} $part >>"$MEAS" 2>"$OUT/logs/vwbench.err" ||
				skip "libview: vwbench failed: $(tail -n 1 "$OUT/logs/vwbench.err")"
		fi
		if [ ! -x "$PY" ]; then
			skip "libview: $PY missing; memoryview/NumPy references"
		else
			"$PY" bench/pyviews.py ${QUICK:+--quick} $part >>"$MEAS" 2>"$OUT/logs/pyviews.err" ||
				skip "libview: pyviews.py failed: $(tail -n 1 "$OUT/logs/pyviews.err")"
			grep -q 'NumPy not importable' "$OUT/logs/pyviews.err" &&
				skip "libview: NumPy rows ($(cat "$OUT/logs/pyviews.err"))"
			# the Python module (build/python) against numpy.memmap
			if [ -n "$part" ]; then
				:	# the Python module's rows run in the full rounds
			elif ls build/python/libview*.so >/dev/null 2>&1; then
				PYTHONPATH=build/python "$PY" bench/pybind.py /dev/shm ${QUICK:+--quick} \
					>>"$MEAS" 2>"$OUT/logs/pybind.err" ||
					skip "python: pybind.py failed: $(tail -n 1 "$OUT/logs/pybind.err")"
			else
				skip "python: build/python/libview*.so not built (python3-dev missing?)"
			fi
		fi
		[ -s "$SKIPS" ] && grep -q '^libview' "$SKIPS" && break
	done
}

# The viewdev kernel module, in a QEMU TCG VM of its own (bench/vm.sh):
# read/mmap on /dev/view/NAME against a tmpfs file inside the same VM.
# Run alone, before the file-system parts: TCG keeps one host CPU busy.
run_kmod() {
	local rc=0
	log "kmod: viewdev vs tmpfs inside a QEMU TCG VM ($(($(date +%s) - T0)) s so far)"
	QUICK=$QUICK bash bench/vm.sh "$OUT" >"$OUT/vm-samples.jsonl" 2>"$OUT/logs/vm.err" || rc=$?
	grep -E '^vm: ' "$OUT/logs/vm.err" >&2
	if [ $rc = 0 ] && [ -s "$OUT/vm-samples.jsonl" ]; then
		cat "$OUT/vm-samples.jsonl" >>"$MEAS"
		grep -E '^vm: ' "$OUT/logs/vm.err" | sed 's/^vm: /kmod: /' >>"$NOTES"
		note "kmod: the VM is QEMU TCG (emulated CPU, no KVM): absolute rates are not this machine's; only the ratios mean anything"
	elif [ $rc = 77 ]; then
		skip "kmod (viewdev) rows: $(grep -m1 '^SKIP: ' "$OUT/logs/vm.err" | sed 's/^SKIP: //')"
	else
		skip "kmod (viewdev) rows: bench/vm.sh failed: $(grep -E '^FAIL: ' "$OUT/logs/vm.err" | tail -n 1 | sed "s/^FAIL: //") (build/bench/logs/vm.err)"
	fi
}

# The file-system subjects, in order.  tmpfs first: it is every reference.
# tmpfs-b is the control: a second tmpfs file measured like the others.
# On this kind of VM two files on one tmpfs can differ by up to 2x in read
# bandwidth (where their pages sit in guest memory matters), so its ratio
# to tmpfs shows how far apart "equal" is in this run.  fileio only.
subjects() {
	echo tmpfs
	if [ -n "$QUICK" ]; then
		note "QUICK=1: no control row (tmpfs, a second file)"
	else
		echo tmpfs-b
	fi
	if [ -x "$VIEWFS" ]; then
		echo viewfs viewfs-nopt viewfs-store viewfs-store-nopt
	else
		skip "viewfs rows (fileio, meta, memory): $VIEWFS not built"
	fi
	if [ -n "$HP" ]; then
		echo hp hp-nopt
	else
		skip "passthrough_hp rows (the FUSE reference): no passthrough_hp binary found under /opt/viewfs or build/ (set PASSTHROUGH_HP=)"
	fi
}

# subjects, less those BENCH_SUBJECTS leaves out (tmpfs is always kept)
chosen_subjects() {
	local s
	for s in $(subjects); do
		case " tmpfs ${BENCH_SUBJECTS:-$s} " in *" $s "*) echo "$s" ;; esac
	done
}

# Mount viewfs-uring and hp-uring (those of them chosen) with the kernel's
# enable_uring at Y, then put the switch back; URING_UP: those mounted.
# Not in a subshell: mount_subject records daemons and mounts for cleanup.
# Skipped, with the reason, where the kernel or the binaries cannot.
mount_uring_subjects() {
	local s want=()
	URING_UP=()
	for s in viewfs-uring hp-uring; do
		case " ${BENCH_SUBJECTS:-$s} " in *" $s "*) ;; *) continue ;; esac
		case $s in
		# the whole --help read first: grep -q ending the pipe early would
		# kill viewfs with SIGPIPE, which pipefail reports as no option
		viewfs-*) [ -x "$VIEWFS" ] && [[ $("$VIEWFS" --help 2>/dev/null) == *"io_uring=auto"* ]] ||
			{ skip "meta on $s: $VIEWFS has no io_uring option"; continue; } ;;
		hp-*) [ -n "$HP" ] || { skip "meta on $s: no passthrough_hp"; continue; } ;;
		esac
		want+=("$s")
	done
	[ ${#want[@]} -gt 0 ] || return 0
	if [ ! -w "$URING_PARAM" ]; then
		skip "meta over io_uring: $URING_PARAM missing or not writable (kernel without FUSE over io_uring, or not root)"
		return 0
	fi
	URING_WAS=$(cat "$URING_PARAM")
	echo Y >"$URING_PARAM" || { URING_WAS=; skip "meta over io_uring: cannot set $URING_PARAM"; return 0; }
	for s in "${want[@]}"; do
		log "$s: mounting (enable_uring=Y)"
		# stat waits for the INIT reply: the rings are set up after it
		if mount_subject "$s" "$WORK/mnt/$s" && stat "$WORK/mnt/$s" >/dev/null 2>&1; then
			URING_UP+=("$s")
		else
			skip "$s: mount failed (see build/bench/logs/$s.log): its rows"
		fi
	done
	sleep 0.5	# the daemons' ring threads register their entries
	note "enable_uring: set to Y while ${want[*]} mounted, then back to $URING_WAS"
	uring_restore
	for s in "${URING_UP[@]}"; do
		grep -i "io_uring: on" "$OUT/logs/$s.log" 2>/dev/null | head -n 1 | sed "s|^|$s: daemon says: |" >>"$NOTES"
	done
}

# ---------------------------------------------------------------- one CPU
# Where the round-trip rows' limit is (issue 12 items 2 and 3): the same
# work with the caller and every thread of the daemon on CPU 0.  A woken
# daemon thread goes to an idle CPU, so in the rows above each request
# costs a wakeup across CPUs, which on this VM (no halt polling in the
# guest) dominates; here both sides share one CPU and the rows compare
# what the daemons themselves cost.  Informative rows, no target: users'
# programs are not pinned.
pin_daemon() {		# pin_daemon SUBJECT CPULIST: every thread, new ones too
	local pid=${DAEMON_OF[$1]:-}
	[ -n "$pid" ] && taskset -a -p -c "$2" "$pid" >/dev/null
}

# randwrite_iops FILE [COMMAND...]: 1 s of 4 KiB random writes by fio on
# FILE (256 MiB, laid out), run under COMMAND (e.g. taskset -c 0); the IOPS
randwrite_iops() {
	local f=$1
	shift
	"$@" fio --name=w1 --filename="$f" --rw=randwrite --bs=4k --size=256M \
		--ioengine=psync --invalidate=0 --norandommap --randrepeat=0 --runtime=1 \
		--time_based --output-format=json 2>/dev/null |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["write"]["iops"])'
}

run_onecpu() {		# run_onecpu SUBJECT...: those of the fs parts that are up
	local s rep r all
	[ "$(nproc)" -ge 2 ] || { note "one CPU rows: one CPU only, nothing to compare"; return; }
	command -v taskset >/dev/null || { skip "one CPU rows: taskset missing"; return; }
	all=$(taskset -c -p $$ | sed 's/.*: //')
	log "one CPU: meta and 4 KiB random writes, caller and daemon on CPU 0 ($(($(date +%s) - T0)) s so far)"
	for s in "$@"; do
		case $s in viewfs | hp) ;; viewfs-nopt | hp-nopt) ;; *) continue ;; esac
		pin_daemon "$s" 0 || { skip "one CPU rows on $s: cannot pin its daemon"; continue; }
		case $s in
		viewfs | hp)
			mkdir -p "$WORK/mnt/$s/meta1"
			for ((rep = 1; rep <= META_REPS; rep++)); do
				r=$(taskset -c 0 build/bench/meta_ops "$WORK/mnt/$s/meta1" "$META_S" 4096 \
					2>"$OUT/logs/meta1.$s.err") || { skip "one CPU meta on $s: $(tail -n 1 "$OUT/logs/meta1.$s.err")"; break; }
				measure meta "create+write 4K+close+unlink, one CPU" "$s" "files/s" higher "$r"
			done
			rm -rf "$WORK/mnt/$s/meta1"
			;;
		*)
			if command -v fio >/dev/null; then
				dd if=/dev/zero of="$WORK/mnt/$s/w1.dat" bs=1M count=256 status=none
				for ((rep = 1; rep <= REPS + 1; rep++)); do
					r=$(randwrite_iops "$WORK/mnt/$s/w1.dat" taskset -c 0) ||
						{ skip "one CPU random writes on $s: fio failed"; break; }
					measure meta "random 4 KiB writes, one CPU" "$s" IOPS higher "$r"
				done
				rm -f "$WORK/mnt/$s/w1.dat"
			fi
			;;
		esac
		pin_daemon "$s" "$all"
	done
}

# What -o spin=50 buys (off by default): viewfs against the same mount
# with spin=50, interleaved, for metadata (passthrough)
# and 4 KiB random writes (no passthrough), the two round-trip rows.
run_spin() {		# run_spin SUBJECT...: those of the fs parts that are up
	local s rep r pair mounted=()
	[[ $("$VIEWFS" --help 2>/dev/null) == *"spin=MICROSECONDS"* ]] ||
		{ skip "spin rows: $VIEWFS has no spin option"; return; }
	log "spin: viewfs against spin=50 ($(($(date +%s) - T0)) s so far)"
	for pair in viewfs:viewfs-spin viewfs-nopt:viewfs-nopt-spin; do
		case " $* " in *" ${pair%%:*} "*) ;; *) continue ;; esac
		s=${pair#*:}
		if mount_subject "$s" "$WORK/mnt/$s"; then
			mounted+=("$s")
		else
			skip "$s: mount failed (see build/bench/logs/$s.log)"
			continue
		fi
		for ((rep = 1; rep <= META_REPS; rep++)); do
			for s in ${pair%%:*} ${pair#*:}; do
				case $s in
				*-nopt*)
					command -v fio >/dev/null || break 2
					[ -s "$WORK/mnt/$s/w1.dat" ] ||
						dd if=/dev/zero of="$WORK/mnt/$s/w1.dat" bs=1M count=256 status=none
					r=$(randwrite_iops "$WORK/mnt/$s/w1.dat") ||
						{ skip "spin random writes on $s: fio failed"; break 2; }
					measure meta "random 4 KiB writes, spin=50 against spin off" "$s" IOPS higher "$r"
					;;
				*)
					mkdir -p "$WORK/mnt/$s/metas"
					r=$(build/bench/meta_ops "$WORK/mnt/$s/metas" "$META_S" 4096 \
						2>"$OUT/logs/metas.$s.err") || { skip "spin meta on $s: $(tail -n 1 "$OUT/logs/metas.$s.err")"; break 2; }
					measure meta "create+write 4K+close+unlink, spin=50 against spin off" "$s" "files/s" higher "$r"
					;;
				esac
			done
		done
		for s in ${pair%%:*} ${pair#*:}; do
			rm -rf "$WORK/mnt/$s/metas" "$WORK/mnt/$s/w1.dat"
		done
	done
	for s in "${mounted[@]}"; do
		unmount_subject "$s" "$WORK/mnt/$s"
	done
}

run_fs_parts() {
	local s up=() p
	case " $PARTS " in *" fileio "* | *" meta "* | *" memory "* | *" mmap "*) ;; *) return ;; esac
	# viewfs --store DIR and passthrough_hp's source live on a tmpfs too,
	# so every subject has the same kind of memory underneath
	if ! new_tmpfs "$WORK/store" $((SIZE_MB * 4 + MEM_MB + 256)); then
		skip "no tmpfs for the stores: all file-system rows"
		return
	fi
	for s in $(chosen_subjects); do
		log "$s: mounting"
		if mount_subject "$s" "$WORK/mnt/$s"; then
			up+=("$s")
		else
			skip "$s: mount failed (see build/bench/logs/$s.log): all its rows"
		fi
	done
	if [ "${up[0]:-}" != tmpfs ]; then
		skip "tmpfs reference could not be set up: all file-system rows"
		return
	fi
	case " $PARTS " in *" fileio "*)
		if command -v fio >/dev/null; then
			run_fileio "${up[@]}"
		else
			skip "fileio: fio not installed (make deps installs it)"
		fi
		;;
	esac
	local others=()
	for s in "${up[@]}"; do
		[ "$s" = tmpfs-b ] || others+=("$s")
	done
	case " $PARTS " in *" meta "*)
		mount_uring_subjects
		up+=("${URING_UP[@]}")
		run_meta "${others[@]}" "${URING_UP[@]}"
		;;
	esac
	case " $PARTS " in *" memory "*)
		settle >/dev/null	# the fio files' pages are freed asynchronously
		for s in "${others[@]}"; do
			if [ $(($(date +%s) - T0)) -gt "$MEM_DEADLINE" ]; then
				skip "memory on $s: past the run's time budget (${MEM_DEADLINE} s into the run)"
				continue
			fi
			log "memory: $s ($(($(date +%s) - T0)) s so far)"
			memory_subject "$s" "$WORK/mnt/$s"
		done
		;;
	esac
	case " $PARTS " in *" mmap "*) run_mmap "${others[@]}" ;; esac
	# last: the memory part has a deadline into the run
	case " $PARTS " in *" meta "*) run_onecpu "${others[@]}"; run_spin "${others[@]}" ;; esac
	for s in "${up[@]}"; do
		unmount_subject "$s" "$WORK/mnt/$s"
	done
}

# the one make deps built first (other builds may lie under /opt/viewfs)
HP=${PASSTHROUGH_HP:-}
[ -z "$HP" ] && [ -x /opt/viewfs/libfuse-build/example/passthrough_hp ] &&
	HP=/opt/viewfs/libfuse-build/example/passthrough_hp
[ -z "$HP" ] && HP=$(find /opt/viewfs build -name passthrough_hp -type f -perm -u+x 2>/dev/null | head -n 1)
[ -n "$QUICK" ] && note "QUICK=1: ${SIZE_MB} MiB files (not 1 GiB), warm runs only (${RT_WARM} each, no cold rows), ${MEM_MB} MiB memory buffer, tolist of 256K elements (not 1M), 16 MiB copies"


case " $PARTS " in *" libview "*) run_libview ;; esac
case " $PARTS " in *" kmod "*) run_kmod ;; esac
run_fs_parts

log "total measuring time $(($(date +%s) - T0)) s"
VIEWFS=$VIEWFS HP=$HP QUICK=${QUICK:-0} SIZE_MB=$SIZE_MB MEM_MB=$MEM_MB REPS=$REPS \
	"$PY" bench/report.py "$OUT"
