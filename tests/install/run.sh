#!/usr/bin/env bash
# tests/install: the project as a system component.  usage: run.sh BUILD_DIR
#
#  * libview's ABI: exported symbols, struct layout and constants equal
#    the committed libview/libview.abi; the version script names exactly
#    the functions of view.h; the check notices an added export;
#  * build/lib: libview.so.VERSION, its soname link, a dynamic program;
#  * one VERSION everywhere (view, viewfs, .pc, man pages, DKMS module);
#  * make install / uninstall into a DESTDIR (the expected files, modes,
#    links, GNU directory variables) and into a temporary PREFIX without
#    DESTDIR: pkg-config builds (dynamic, static, C++, the UAPI header),
#    the installed tools, viewfs's libfuse, man pages (groff -ww, man
#    --warnings) and that they name every option of --help;
#    mount -t fuse.viewfs, fstab lines (mount --fstab) and umount, in a
#    private mount namespace (tests/install/mount.sh); uninstall leaves
#    no file behind;
#  * DKMS: make install-dkms, dkms add + build against the installed
#    headers (its own dkms tree in a temporary directory), uninstall-dkms;
#  * make deb: dpkg-buildpackage -b of debian/ (viewfs, libview0,
#    libview-dev, viewdev-dkms, python3-libview), lintian without errors, the packages'
#    contents and versions (about 20 s).
# Last line: "RESULT: P passed, F failed, S skipped".
set -u
build=${1:-build/san}
cd "$(dirname "$0")/../.."
root=$PWD
# shellcheck source=SCRIPTDIR/../common/result.sh
. tests/common/result.sh
finish() { result; exit; }

version=$(cat VERSION)
major=${version%%.*}
so=$build/lib/libview.so
for f in "$so" "$build/bin/view" "$build/bin/viewfs" "$build/lib/libview.a"; do
	[ -e "$f" ] || { bad "$f not built"; finish; }
done
# The sanitizer build's programs need the sanitizer runtime first: a
# program linked against its libview is built the same way.
san=0 sanflags=
if readelf -d "$build/bin/view" | grep -q 'NEEDED.*libasan'; then
	san=1 sanflags="-fsanitize=address,undefined"
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
cc=${CC:-cc}
MAKE_INST=(make --no-print-directory -s -C "$root" BUILD="$build" SAN="$san" LDCONFIG=:)

tmp=$(mktemp -d /tmp/viewfs-install.XXXXXX)
chmod 755 "$tmp"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# ---------------------------------------------------------------- ABI
if bash tools/abi.sh "$so" >"$tmp/abi" 2>"$tmp/abi.err" && diff -u libview/libview.abi "$tmp/abi" >"$tmp/abi.diff"; then
	ok "ABI equals libview/libview.abi ($(grep -c '^symbol' "$tmp/abi") symbols, layout, constants)"
else
	bad "ABI differs from libview/libview.abi (make abi-update if intended): $(head -c 2000 "$tmp/abi.diff" "$tmp/abi.err")"
fi
grep -Eo '^[a-z][^;]*[ *]vw_[a-z_0-9]+\(' libview/include/view.h | grep -Eo 'vw_[a-z_0-9]+' | sort >"$tmp/hdr"
sed -n '/global:/,/local:/p' libview/libview.map | grep -Eo '^[[:space:]]*vw_[a-z_0-9]+;' | tr -d ' \t;' | sort >"$tmp/map"
readelf --dyn-syms -W "$so" | awk '$4 == "FUNC" && $7 != "UND" {print $8}' | sed 's/@.*//' | sort >"$tmp/exp"
if [ -s "$tmp/hdr" ] && cmp -s "$tmp/hdr" "$tmp/map" && cmp -s "$tmp/hdr" "$tmp/exp"; then
	ok "version script = view.h's $(wc -l <"$tmp/hdr") functions = the exported functions"
else
	bad "header/map/exports differ: $(diff "$tmp/hdr" "$tmp/map" | tr '\n' ' ') | $(diff "$tmp/hdr" "$tmp/exp" | tr '\n' ' ')"
fi
if grep -q 'vw__' "$tmp/abi" || grep -q '\*' <(sed -n '/global:/,/local:/p' libview/libview.map); then
	bad "an internal vw__ name or a glob in the global part of libview.map"
else
	ok "no vw__ export, no glob in the version script"
fi
# the check can fail: a library with one more export is noticed
printf 'int vw_extra_symbol(void) { return 1; }\n' >"$tmp/extra.c"
{ sed 's/^[[:space:]]*global:/&\n\t\tvw_extra_symbol;/' libview/libview.map; } >"$tmp/extra.map"
if $cc -shared -fPIC $sanflags -Wl,--version-script="$tmp/extra.map" -o "$tmp/libextra.so" \
	"$build"/obj/libview/src/*.o "$tmp/extra.c" -lm 2>"$tmp/cc.err"; then
	if bash tools/abi.sh "$tmp/libextra.so" | diff -q libview/libview.abi - >/dev/null; then
		bad "the ABI check missed an added export"
	else
		ok "the ABI check notices an added export"
	fi
else
	bad "could not link the mutated library: $(head -c 500 "$tmp/cc.err")"
fi

# ------------------------------------------------------ build tree, version
real=$(readlink "$build/lib/libview.so.$major")
if [ "$real" = "libview.so.$version" ] && [ "$(readlink "$so")" = "libview.so.$major" ] &&
   [ -f "$build/lib/libview.so.$version" ] &&
   readelf -d "$so" | grep -q "SONAME.*\[libview.so.$major\]"; then
	ok "$build/lib: libview.so -> libview.so.$major -> libview.so.$version (soname libview.so.$major)"
else
	bad "$build/lib links: $(ls -l "$build"/lib/libview.so* | tr '\n' ' ')"
fi
printf '\0\0\1\0\2\0\3\0\4\0\5\0' >"$tmp/data"	# 0..5 as little-endian H
want='[[4, 5], [1, 2]]'
if $cc -std=c11 -Wall -Wextra -Werror $sanflags -Ilibview/include -o "$tmp/prog-build" tests/install/prog.c \
	-L"$build/lib" -lview 2>"$tmp/cc.err" &&
   out=$(LD_LIBRARY_PATH=$root/$build/lib "$tmp/prog-build" "$tmp/data" 2>&1) && [ "$out" = "$want" ] &&
   LD_LIBRARY_PATH=$root/$build/lib ldd "$tmp/prog-build" | grep -q "libview.so.$major => $root/$build/lib/"; then
	ok "a program linked with -L$build/lib -lview starts and runs"
else
	bad "dynamic program against $build/lib: $(head -c 600 "$tmp/cc.err") ${out:-}"
fi
v1=$("$build/bin/view" --version | head -n 1)
v2=$("$build/bin/viewfs" --version 2>/dev/null | head -n 1)
[ "$v1" = "view $version (libview)" ] && [ "$v2" = "viewfs $version" ] &&
	ok "view and viewfs --version say $version (VERSION)" || bad "versions: '$v1' / '$v2' / VERSION $version"

# ------------------------------------------------------ DESTDIR install
dest=$tmp/dest
expect_files=(
	sbin/mount.fuse.viewfs
	usr/local/bin/view
	usr/local/include/linux/viewdev.h
	usr/local/include/view.h
	usr/local/lib/libview.a
	usr/local/lib/libview.so
	"usr/local/lib/libview.so.$major"
	"usr/local/lib/libview.so.$version"
	usr/local/lib/pkgconfig/libview.pc
	usr/local/sbin/viewfs
	usr/local/share/doc/viewfs/examples/mnt-buf.mount
	usr/local/share/man/man1/view.1
	usr/local/share/man/man3/libview.3
	usr/local/share/man/man4/viewdev.4
	usr/local/share/man/man8/mount.fuse.viewfs.8
	usr/local/share/man/man8/viewfs.8
)
if "${MAKE_INST[@]}" install DESTDIR="$dest" >"$tmp/inst.log" 2>&1; then
	(cd "$dest" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort) >"$tmp/got"
	printf '%s\n' "${expect_files[@]}" | LC_ALL=C sort >"$tmp/want"
	missing=$(comm -23 "$tmp/want" "$tmp/got" | tr '\n' ' ')
	extra=$(comm -13 "$tmp/want" "$tmp/got" | tr '\n' ' ')
	[ -z "$missing" ] && ok "make install DESTDIR: every expected file (default PREFIX /usr/local, helper in /sbin)" ||
		bad "make install DESTDIR: missing $missing"
	[ -z "$extra" ] || echo "info: also installed (other parts): $extra"
	modes=$(cd "$dest" && stat -c '%a %n' sbin/mount.fuse.viewfs usr/local/bin/view usr/local/sbin/viewfs \
		"usr/local/lib/libview.so.$version" usr/local/lib/libview.a usr/local/include/view.h \
		usr/local/lib/pkgconfig/libview.pc usr/local/share/man/man8/viewfs.8 | tr '\n' ' ')
	[ "$modes" = "755 sbin/mount.fuse.viewfs 755 usr/local/bin/view 755 usr/local/sbin/viewfs 644 usr/local/lib/libview.so.$version 644 usr/local/lib/libview.a 644 usr/local/include/view.h 644 usr/local/lib/pkgconfig/libview.pc 644 usr/local/share/man/man8/viewfs.8 " ] &&
		ok "installed modes (programs 755, the rest 644)" || bad "modes: $modes"
	[ "$(readlink "$dest/usr/local/lib/libview.so.$major")" = "libview.so.$version" ] &&
	[ "$(readlink "$dest/usr/local/lib/libview.so")" = "libview.so.$major" ] &&
		ok "installed libview symlinks are relative" || bad "installed symlinks"
	grep -qx 'prefix=/usr/local' "$dest/usr/local/lib/pkgconfig/libview.pc" &&
	grep -qx "Version: $version" "$dest/usr/local/lib/pkgconfig/libview.pc" &&
	! grep -q "$dest" "$dest/usr/local/lib/pkgconfig/libview.pc" "$dest/sbin/mount.fuse.viewfs" &&
	grep -q "^viewfs='/usr/local/sbin/viewfs'" "$dest/sbin/mount.fuse.viewfs" &&
		ok "libview.pc and the mount helper name the final paths, not DESTDIR" ||
		bad "libview.pc / helper paths: $(cat "$dest/usr/local/lib/pkgconfig/libview.pc")"
	# a second install over the first changes nothing
	(cd "$dest" && find . ! -type d -exec stat -c '%n %a %s' {} + | LC_ALL=C sort) >"$tmp/sum1"
	"${MAKE_INST[@]}" install DESTDIR="$dest" >>"$tmp/inst.log" 2>&1 &&
	(cd "$dest" && find . ! -type d -exec stat -c '%n %a %s' {} + | LC_ALL=C sort) >"$tmp/sum2" &&
	cmp -s "$tmp/sum1" "$tmp/sum2" && ok "make install twice: the same files" ||
		bad "second install differs: $(diff "$tmp/sum1" "$tmp/sum2" | head -n 5)"
	# files of others in the same directories survive uninstall
	echo other >"$dest/usr/local/lib/libother.so.1"
	echo other >"$dest/usr/local/share/man/man1/other.1"
	if "${MAKE_INST[@]}" uninstall DESTDIR="$dest" >>"$tmp/inst.log" 2>&1; then
		left=$(cd "$dest" && find . ! -type d | LC_ALL=C sort | tr '\n' ' ')
		[ "$left" = "./usr/local/lib/libother.so.1 ./usr/local/share/man/man1/other.1 " ] &&
			ok "make uninstall DESTDIR removes all it installed and nothing else" ||
			bad "after uninstall: '$left'"
		rm -f "$dest/usr/local/lib/libother.so.1" "$dest/usr/local/share/man/man1/other.1"
	else
		bad "make uninstall DESTDIR: $(tail -n 5 "$tmp/inst.log")"
	fi
else
	bad "make install DESTDIR: $(tail -n 10 "$tmp/inst.log")"
fi
# GNU directory variables
dest2=$tmp/dest2
if "${MAKE_INST[@]}" install DESTDIR="$dest2" prefix=/usr libdir=/usr/lib/x86_64-linux-gnu \
	mandir=/usr/share/man sbindir=/usr/sbin >"$tmp/inst.log" 2>&1 &&
   [ -f "$dest2/usr/lib/x86_64-linux-gnu/libview.so.$version" ] &&
   [ -f "$dest2/usr/lib/x86_64-linux-gnu/pkgconfig/libview.pc" ] &&
   grep -qx 'libdir=/usr/lib/x86_64-linux-gnu' "$dest2/usr/lib/x86_64-linux-gnu/pkgconfig/libview.pc" &&
   [ -f "$dest2/usr/share/man/man8/viewfs.8" ] && [ -x "$dest2/usr/sbin/viewfs" ] &&
   [ -x "$dest2/sbin/mount.fuse.viewfs" ] &&
   "${MAKE_INST[@]}" uninstall DESTDIR="$dest2" prefix=/usr libdir=/usr/lib/x86_64-linux-gnu \
	mandir=/usr/share/man sbindir=/usr/sbin >>"$tmp/inst.log" 2>&1 && [ -z "$(find "$dest2" ! -type d)" ]; then
	ok "GNU directory variables (prefix=/usr libdir=... mandir=... sbindir=...) install and uninstall"
else
	bad "GNU directory variables: $(tail -n 5 "$tmp/inst.log"; find "$dest2" ! -type d | head)"
fi

# ------------------------------------------------------ PREFIX install
p=$tmp/prefix
if ! "${MAKE_INST[@]}" install PREFIX="$p" >"$tmp/inst.log" 2>&1; then
	bad "make install PREFIX=$p: $(tail -n 10 "$tmp/inst.log")"
	finish
fi
ok "make install PREFIX=$p (no DESTDIR)"
[ -x "$p/sbin/mount.fuse.viewfs" ] && ok "a non-system PREFIX keeps the mount helper inside it" ||
	bad "no $p/sbin/mount.fuse.viewfs"
export PKG_CONFIG_PATH=$p/lib/pkgconfig
pcv=$(pkg-config --modversion libview 2>&1)
[ "$pcv" = "$version" ] && ok "pkg-config --modversion libview = $version" || bad "pkg-config --modversion: $pcv"
# shellcheck disable=SC2046
if $cc -std=c11 -Wall -Wextra -Werror $sanflags -o "$tmp/prog" tests/install/prog.c \
	$(pkg-config --cflags --libs libview) 2>"$tmp/cc.err" &&
   out=$(LD_LIBRARY_PATH=$p/lib "$tmp/prog" "$tmp/data" 2>&1) && [ "$out" = "$want" ] &&
   readelf -d "$tmp/prog" | grep -q "NEEDED.*\[libview.so.$major\]" &&
   LD_LIBRARY_PATH=$p/lib ldd "$tmp/prog" | grep -q "libview.so.$major => $p/lib/libview.so.$major"; then
	ok "cc prog.c \$(pkg-config --cflags --libs libview): runs dynamically on $p/lib/libview.so.$major"
else
	bad "pkg-config dynamic build: $(head -c 800 "$tmp/cc.err") ${out:-}"
fi
# shellcheck disable=SC2046
if $cc -std=c11 -Wall -Wextra -Werror $sanflags -o "$tmp/prog-static" tests/install/prog.c \
	$(pkg-config --cflags libview) -L"$p/lib" -Wl,-Bstatic -lview -Wl,-Bdynamic \
	$(pkg-config --static --libs-only-l libview | sed 's/-lview//') 2>"$tmp/cc.err" &&
   ! readelf -d "$tmp/prog-static" | grep -q 'NEEDED.*libview' &&
   out=$("$tmp/prog-static" "$tmp/data" 2>&1) && [ "$out" = "$want" ]; then
	ok "the same program linked statically against libview.a (pkg-config --static for -lm)"
else
	bad "static build against libview.a: $(head -c 800 "$tmp/cc.err") ${out:-}"
fi
# shellcheck disable=SC2046
if command -v c++ >/dev/null; then
	if c++ -Wall -Wextra -Werror $sanflags -o "$tmp/cxx" tests/install/cxx.cc $(pkg-config --cflags --libs libview) 2>"$tmp/cc.err" &&
	   LD_LIBRARY_PATH=$p/lib "$tmp/cxx"; then
		ok "view.h from C++ (extern \"C\")"
	else
		bad "C++ build: $(head -c 800 "$tmp/cc.err")"
	fi
else
	skip_one "no C++ compiler"
fi
if $cc -std=c11 -Wall -Wextra -Werror -I"$p/include" -o "$tmp/uapi" tests/install/uapi.c 2>"$tmp/cc.err" &&
   out=$("$tmp/uapi") && [ "${out%% *}" = /dev/viewctl ]; then
	ok "#include <linux/viewdev.h> from the installed tree ($out)"
else
	bad "UAPI header: $(head -c 800 "$tmp/cc.err")"
fi
v1=$("$p/bin/view" --version | head -n 1)
v2=$("$p/sbin/viewfs" --version 2>/dev/null | head -n 1)
[ "$v1" = "view $version (libview)" ] && [ "$v2" = "viewfs $version" ] &&
	ok "installed view and viewfs run (--version $version)" || bad "installed tools: '$v1' / '$v2'"
fuse_prefix=/opt/viewfs/libfuse
if [ -e "$fuse_prefix/lib/pkgconfig/fuse3.pc" ]; then
	rp=$(readelf -d "$p/sbin/viewfs" | sed -n 's/.*\(RUNPATH\|RPATH\).*\[\(.*\)\]/\2/p')
	lib=$(ldd "$p/sbin/viewfs" | awk '$1 ~ /^libfuse3\.so\./ {print $3}')
	[ "$rp" = "$fuse_prefix/lib" ] && [ "${lib%/*}" = "$fuse_prefix/lib" ] &&
		"$p/sbin/viewfs" --version 2>/dev/null | grep -q 'passthrough support: yes' &&
		ok "installed viewfs finds the private libfuse (rpath $rp)" || bad "viewfs libfuse: rpath '$rp', ldd '$lib'"
else
	skip_one "no private libfuse in $fuse_prefix (make deps): viewfs uses the system's"
fi

unit=$p/share/doc/viewfs/examples/mnt-buf.mount
if [ ! -f "$unit" ]; then
	bad "no example systemd unit $unit"
elif command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$unit" >"$tmp/unit.log" 2>&1 &&
		grep -qx 'Type=fuse.viewfs' "$unit" &&
		ok "the example mount unit passes systemd-analyze verify" || bad "mnt-buf.mount: $(cat "$tmp/unit.log")"
else
	skip_one "systemd-analyze missing: example unit not verified"
fi

# ------------------------------------------------------ man pages
man=$p/share/man
if command -v groff >/dev/null && command -v man >/dev/null; then
	for pg in man1/view.1 man3/libview.3 man4/viewdev.4 man8/viewfs.8; do
		w1=$(groff -ww -man -z "$man/$pg" 2>&1)
		w2=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man/$pg" 2>&1 >/dev/null)
		[ -z "$w1$w2" ] && ok "man page $pg: no groff -ww / man --warnings warning" || bad "$pg warnings: $w1 $w2"
		grep -q '@[A-Za-z]*@' "$man/$pg" && bad "$pg keeps a @placeholder@"
		grep -q "\"viewfs $version\"" "$man/$pg" || bad "$pg: no version $version in .TH"
	done
	found=$(for t in view.1 viewfs.8 libview.3 viewdev.4 mount.fuse.viewfs.8; do
		sec=${t##*.}; man -M "$man" -w "$sec" "${t%.*}" 2>/dev/null; done | wc -l)
	[ "$found" = 5 ] && ok "man -M PREFIX/share/man finds view(1) viewfs(8) libview(3) viewdev(4) mount.fuse.viewfs(8)" ||
		bad "man finds only $found of 5 pages"
	render() { LC_ALL=C.UTF-8 MANWIDTH=300 man -l "$1" 2>/dev/null | col -bx | sed 's/‐/-/g'; }
	render "$man/man1/view.1" >"$tmp/view.txt"
	render "$man/man8/viewfs.8" >"$tmp/viewfs.txt"
	render "$man/man3/libview.3" >"$tmp/libview.txt"
	render "$man/man4/viewdev.4" >"$tmp/viewdev.txt"
	# missing_in TEXT WORD...: the words not in TEXT (as a whole word)
	missing_in() {
		local text=$1 w m=; shift
		for w in "$@"; do grep -qE -- "(^|[^A-Za-z0-9_-])$(printf '%s' "$w" | sed 's/[.[*^$]/\\&/g')([^A-Za-z0-9_]|$)" "$text" || m="$m $w"; done
		echo "${m# }"
	}
	m=$(missing_in "$tmp/view.txt" --no-such-option-here --raw)
	[ "$m" = --no-such-option-here ] && ok "the option check reports a missing option" || bad "option check self-test: '$m'"
	mapfile -t vopts < <({ "$build/bin/view" --help; "$build/bin/view" kmod --help; } |
		grep -Eo -- '(^|[ [(])--[a-z][a-z-]*' | grep -Eo -- '--[a-z-]+' | sort -u)
	m=$(missing_in "$tmp/view.txt" "${vopts[@]}" create destroy resize list)
	[ ${#vopts[@]} -ge 15 ] && [ -z "$m" ] && ok "view(1) names all ${#vopts[@]} options of view --help and view kmod --help" ||
		bad "view(1) misses: $m (of ${#vopts[@]})"
	"$build/bin/viewfs" --help >"$tmp/viewfs.help" 2>&1
	mapfile -t fopts < <({ grep -Eo -- '(^|[ [(])--[a-z][a-z-]*' "$tmp/viewfs.help" | grep -Eo -- '--[a-z-]+'
		grep -Eo -- '-o [a-z_]+' "$tmp/viewfs.help" | sed 's/^-o //'
		grep -Eo -- '^ +-[a-zA-Z]\b' "$tmp/viewfs.help" | tr -d ' '; } | sort -u)
	m=$(missing_in "$tmp/viewfs.txt" "${fopts[@]}")
	[ ${#fopts[@]} -ge 20 ] && [ -z "$m" ] && ok "viewfs(8) names all ${#fopts[@]} options of viewfs --help (FUSE's included)" ||
		bad "viewfs(8) misses: $m (of ${#fopts[@]})"
	grep -q 'fuse.viewfs' "$tmp/viewfs.txt" && grep -qE '^ *viewfs +/mnt/buf +fuse\.viewfs' "$tmp/viewfs.txt" &&
		ok "viewfs(8) has the fstab example" || bad "viewfs(8): no fstab line"
	mapfile -t funcs <"$tmp/hdr"
	m=$(for f in "${funcs[@]}"; do grep -q "$f(" "$tmp/libview.txt" || echo "$f"; done | tr '\n' ' ')
	[ -z "$m" ] && ok "libview(3) documents all ${#funcs[@]} functions of view.h" || bad "libview(3) misses: $m"
	mapfile -t kwords < <({ grep -Eo 'VIEWDEV_IOC_[A-Z_]+' kmod/include/uapi/viewdev.h | grep -v MAGIC
		grep -Eho 'MODULE_PARM_DESC\([a-z_]+' kmod/*.c | sed 's/.*(//'
		grep -Eho 'DEVICE_ATTR_R[OW]+\([a-z_]+' kmod/*.c | sed 's/.*(//'; } | sort -u)
	m=$(missing_in "$tmp/viewdev.txt" "${kwords[@]}" /dev/viewctl)
	[ ${#kwords[@]} -ge 9 ] && [ -z "$m" ] &&
		ok "viewdev(4) names every ioctl, module parameter and sysfs attribute (${#kwords[@]})" ||
		bad "viewdev(4) misses: $m (of ${#kwords[@]})"
else
	skip_one "man pages: groff or man missing (make deps)"
fi

# ------------------------------------------------------ mount(8), fstab
if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
	skip_one "mount -t fuse.viewfs: needs root and /dev/fuse"
elif ! command -v unshare >/dev/null; then
	skip_one "mount -t fuse.viewfs: no unshare(1)"
else
	unshare -m --propagation private bash tests/install/mount.sh "$p" "$tmp/m" >"$tmp/mount.out" 2>&1
	cat "$tmp/mount.out"
	count "$(grep -c '^ok ' "$tmp/mount.out")" "$(grep -c '^FAIL ' "$tmp/mount.out")" 0
	grep -qE '^(ok|FAIL) ' "$tmp/mount.out" || bad "mount.sh printed no result: $(head -c 500 "$tmp/mount.out")"
fi

# ------------------------------------------------------ uninstall PREFIX
if "${MAKE_INST[@]}" uninstall PREFIX="$p" >"$tmp/inst.log" 2>&1; then
	left=$(find "$p" ! -type d)
	[ -z "$left" ] && ok "make uninstall PREFIX=$p leaves no file" || bad "left after uninstall: $left"
else
	bad "make uninstall PREFIX: $(tail -n 5 "$tmp/inst.log")"
fi

# ------------------------------------------------------ DKMS
# Against the headers the project builds for (tools/kver.sh) and every
# other kernel whose headers are installed (/lib/modules/KVER/build).
kvers=$({ bash tools/kver.sh 2>/dev/null
	for b in /lib/modules/*/build; do [ -e "$b/Makefile" ] && basename "$(dirname "$b")"; done; } | awk 'NF && !seen[$0]++')
if ! command -v dkms >/dev/null; then
	skip_one "DKMS: no dkms (make deps)"
elif [ -z "$kvers" ]; then
	skip_one "DKMS: no kernel headers installed (make deps)"
else
	kd=$tmp/dkms
	mkdir -p "$kd/tree"
	src=$kd/usr/src/viewdev-$version
	if "${MAKE_INST[@]}" install-dkms DESTDIR="$kd" >"$tmp/dkms.log" 2>&1 &&
	   [ -f "$src/dkms.conf" ] && grep -qx "PACKAGE_VERSION=\"$version\"" "$src/dkms.conf"; then
		ok "make install-dkms: $src ($(find "$src" -type f | wc -l) files)"
		# sign_file: DKMS would otherwise make a signing key in /var/lib/dkms
		if sign_file=$kd/no-signing dkms add -m viewdev -v "$version" --sourcetree "$kd/usr/src" \
			--dkmstree "$kd/tree" >>"$tmp/dkms.log" 2>&1; then
			for kver in $kvers; do
				if [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
					bad "DKMS: no /lib/modules/$kver/build for the project's kernel $kver"
					continue
				fi
				if sign_file=$kd/no-signing dkms build -m viewdev -v "$version" -k "$kver" \
					--sourcetree "$kd/usr/src" --dkmstree "$kd/tree" >>"$tmp/dkms.log" 2>&1; then
					ko=$(ls "$kd/tree/viewdev/$version/$kver"/*/module/viewdev.ko* 2>/dev/null | head -n 1)
					mv=$(modinfo -F version "$ko" 2>/dev/null)
					vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
					[ "$mv" = "$version" ] && [ "${vm%% *}" = "$kver" ] &&
						ok "dkms build against $kver: viewdev.ko, MODULE_VERSION $mv" ||
						bad "dkms module for $kver: version '$mv' vermagic '$vm' ($ko)"
				else
					bad "dkms build against $kver: $(tail -n 10 "$tmp/dkms.log")"
					find "$kd/tree" -name make.log -exec tail -n 20 {} \;
				fi
			done
		else
			bad "dkms add: $(tail -n 10 "$tmp/dkms.log")"
		fi
		"${MAKE_INST[@]}" uninstall-dkms DESTDIR="$kd" >>"$tmp/dkms.log" 2>&1
		[ ! -e "$src" ] && [ -z "$(find "$kd/usr" ! -type d)" ] && ok "make uninstall-dkms removes the source tree" ||
			bad "uninstall-dkms left: $(find "$kd/usr" | head)"
	else
		bad "make install-dkms: $(tail -n 10 "$tmp/dkms.log")"
	fi
fi

# ------------------------------------------------------ Debian packages
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null || ! command -v lintian >/dev/null ||
   ! dpkg-query -W -f='${Status}' dh-dkms 2>/dev/null | grep -q 'install ok installed'; then
	skip_one "make deb: dpkg-dev, debhelper, dh-dkms or lintian missing (make deps)"
else
	deb=$tmp/deb
	if make --no-print-directory -s -C "$root" deb DEB_DIR="$deb" >"$tmp/deb.log" 2>&1; then
		ok "make deb: dpkg-buildpackage -b and lintian --fail-on error pass"
		cv=$(dpkg-parsechangelog -l debian/changelog -S Version)
		[ "${cv%%-*}" = "$version" ] && ok "debian/changelog version $cv = VERSION" ||
			bad "debian/changelog version $cv, VERSION $version"
		contents() { dpkg-deb -c "$deb/${1}_${cv}_$2.deb" 2>/dev/null | awk '{print $6}' | sed 's|^\./||'; }
		want_in() { # PACKAGE ARCH PATH...: each path is in the package
			local pk=$1 ar=$2 f m=; shift 2
			contents "$pk" "$ar" >"$tmp/pk"
			for f in "$@"; do grep -qx "$f" "$tmp/pk" || m="$m $f"; done
			[ -z "$m" ] && ok "package $pk holds $*" || bad "package $pk misses:$m"
		}
		ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
		want_in viewfs amd64 usr/sbin/viewfs usr/bin/view sbin/mount.fuse.viewfs usr/share/man/man8/viewfs.8.gz
		want_in libview0 amd64 "usr/lib/$ma/libview.so.$version" "usr/lib/$ma/libview.so.$major"
		want_in libview-dev amd64 usr/include/view.h usr/include/linux/viewdev.h "usr/lib/$ma/libview.so" \
			"usr/lib/$ma/libview.a" "usr/lib/$ma/pkgconfig/libview.pc" usr/share/man/man3/libview.3.gz
		want_in viewdev-dkms all "usr/src/viewdev-$version/dkms.conf" "usr/src/viewdev-$version/kmod/viewdev_main.c"
		want_in python3-libview amd64 "usr/lib/python3/dist-packages/libview$(/usr/bin/python3-config --extension-suffix)"
		dpkg-deb -f "$deb/viewdev-dkms_${cv}_all.deb" Depends | grep -q dkms &&
		dpkg-deb -f "$deb/viewfs_${cv}_amd64.deb" Depends | grep -q libfuse3 &&
			ok "viewdev-dkms depends on dkms, viewfs on libfuse3" || bad "package dependencies"
	else
		bad "make deb: $(tail -n 30 "$tmp/deb.log")"
	fi
fi
finish
