#!/usr/bin/env bash
# make deps, viewfs part: libfuse 3.18 with kernel FUSE passthrough and
# FUSE over io_uring.
#
# Debian 12 ships libfuse 3.14, which has no fuse_passthrough_open().  We
# build Debian's own source package of a newer release (fuse3 3.18.x from
# sid: passthrough since 3.16, io_uring since 3.18) and install it under a
# private prefix; build/bin/viewfs links it with an rpath.  The system's
# apt sources stay exactly as they are: the deb-src entry lives in an apt
# configuration private to this step, and its mirror address is taken from
# the system's own sources.
#
#   prefix     $top/libfuse        -> libfuse-VERSION        (lib/, include/, lib/pkgconfig/)
#   build dir  $top/libfuse-build  -> libfuse-build-VERSION  (kept: example/passthrough_hp etc.)
#
# top is /opt/viewfs, or $VIEWFS_DEPS_TOP (to try the script on an empty
# directory).  Both names are symbolic links, switched by rename(2) once a
# build is complete and installed: a failed or interrupted build leaves the
# previous one in place and usable.  (An older run of this script made them
# plain directories; those are moved aside the same way.)  The stamp
# $top/libfuse/.viewfs-built holds "fuse3 SERIES VERSION"; a build of
# another series (the 3.17 of trixie, or one without a stamp) is rebuilt.
#
# Idempotent and quiet once done.  On failure viewfs still builds against
# whatever was there (the system's 3.14 at worst, without passthrough);
# this script then exits non-zero so `make deps` says so.
set -euo pipefail

top=${VIEWFS_DEPS_TOP:-/opt/viewfs}
prefix=$top/libfuse
bdir=$top/libfuse-build
want_series=3.18
suite=sid
stamp=$prefix/.viewfs-built

have=$(cat "$stamp" 2>/dev/null || true)
set -- $have
if [ "${1:-}" = fuse3 ] && [ "${2:-}" = "$want_series" ] &&
   [ -e "$prefix/lib/pkgconfig/fuse3.pc" ] && [ -x "$bdir/example/passthrough_hp" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: libfuse $want_series: must run as root to build into $top" >&2
	exit 1
fi

# The mirror: the first URI of the system's main archive (not the security
# archive; deb822 sources first, then the one-line format).
mirror=
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
	mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
	mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; exit } }' \
		/etc/apt/sources.list)
fi
if [ -z "$mirror" ]; then
	echo "deps: libfuse $want_series: no Debian mirror found in the system's apt sources" >&2
	exit 1
fi
mirror=${mirror%/}

echo "deps: building libfuse $want_series from Debian's $suite source package ($mirror)${have:+, replacing $have}"
mkdir -p "$top"
apt_dir=$top/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sourceparts"
cat >"$apt_dir/sources.list" <<SRC
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main
SRC
apt_opts=(
	-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	-o "Dir::Etc::SourceParts=$apt_dir/sourceparts"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::Cache=$apt_dir/cache"
	-o "APT::Sandbox::User=root"
)
apt-get "${apt_opts[@]}" update -qq >/dev/null
src=$top/src
rm -rf "$src"
mkdir -p "$src"
(cd "$src" && apt-get "${apt_opts[@]}" source --download-only -qq fuse3 >/dev/null)
dsc=$(ls "$src"/fuse3_*.dsc | head -n 1)
# 3.18 is what sid carries as this is written: the first series with FUSE
# over io_uring (and libfuse3.so.4).  A later 3.x is accepted; an older one
# is refused, since viewfs's io_uring option would then never work.
ver=$(basename "$dsc" .dsc); ver=${ver#fuse3_}; minor=${ver#3.}; minor=${minor%%.*}
case "$ver" in
	3.*) [ "$minor" -ge "${want_series#3.}" ] 2>/dev/null ||
		{ echo "deps: $suite offers fuse3 $ver, older than $want_series" >&2; exit 1; } ;;
	*) echo "deps: $suite offers fuse3 $ver, expected 3.x >= $want_series" >&2; exit 1 ;;
esac
series=3.$minor
# The .dsc was checked by apt against the signed Sources index; the
# maintainer key dpkg-source would look for is not installed.
(cd "$src" && dpkg-source -q -x "$dsc" fuse3 >/dev/null 2>&1)

# Everything new goes to directories of their own, named after the version
# (with the process id, should the same version be built again).
tag=$ver.$$
new_prefix=$top/libfuse-$tag
new_bdir=$top/libfuse-build-$tag
stage=$top/stage-$tag
rm -rf "$new_prefix" "$new_bdir" "$stage"
cleanup() { rm -rf "$stage" "$top/libfuse.new" "$top/libfuse-build.new"; }
fail() { cleanup; rm -rf "$new_prefix" "$new_bdir"; exit 1; }
# Installed as if at $prefix (the name the .pc file and viewfs's rpath
# use), staged with DESTDIR and moved to its versioned directory.
meson setup "$new_bdir" "$src/fuse3" --prefix="$prefix" --libdir=lib \
	--buildtype=release -Dutils=false -Dexamples=true -Dtests=false \
	-Duseroot=false -Denable-io-uring=true >"$top/meson-setup.log" 2>&1 ||
	{ cat "$top/meson-setup.log" >&2; fail; }
# io_uring support is optional in libfuse's meson.build: insist on it here
# (liburing-dev and libnuma-dev come from tools/deps/fuse.list).
grep -qs '^#define HAVE_URING' "$new_bdir/fuse_config.h" ||
	{ echo "deps: libfuse $ver: meson found no usable liburing/libnuma, so no io_uring (see $top/meson-setup.log)" >&2; fail; }
ninja -C "$new_bdir" >"$top/ninja.log" 2>&1 || { tail -n 40 "$top/ninja.log" >&2; fail; }
DESTDIR=$stage ninja -C "$new_bdir" install >"$top/ninja-install.log" 2>&1 ||
	{ tail -n 40 "$top/ninja-install.log" >&2; fail; }
[ -x "$new_bdir/example/passthrough_hp" ] ||
	{ echo "deps: libfuse $ver: example/passthrough_hp was not built" >&2; fail; }
mv "$stage$prefix" "$new_prefix"
echo "fuse3 $series $ver" >"$new_prefix/.viewfs-built"

# Switch: each name becomes a symbolic link to its new directory in one
# rename(2).  A plain directory of an older run is renamed aside first
# (rename cannot replace a directory by a link).
switch() {	# switch NAME TARGET-BASENAME
	local name=$1 target=$2 old=
	if [ -L "$name" ]; then
		old=$(readlink "$name")
	elif [ -e "$name" ]; then
		old=$(basename "$name")-old.$$
		mv -T "$name" "$top/$old"
	fi
	ln -sfn "$target" "$name.new"
	mv -T "$name.new" "$name"
	# the previous build goes unless it is the one now in place
	if [ -n "$old" ] && [ "$old" != "$target" ]; then
		case $old in /*) ;; *) old=$top/$old ;; esac
		rm -rf "$old"
	fi
}
switch "$prefix" "$(basename "$new_prefix")"
switch "$bdir" "$(basename "$new_bdir")"
cleanup
echo "deps: libfuse $ver installed in $prefix; passthrough_hp is $bdir/example/passthrough_hp"
