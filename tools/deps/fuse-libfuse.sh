#!/usr/bin/env bash
# make deps, viewfs part: libfuse 3.17 with kernel FUSE passthrough.
#
# Debian 12 ships libfuse 3.14, which has no fuse_passthrough_open().  We
# build Debian's own source package of the next release (fuse3 3.17.x from
# trixie) and install it under a private prefix; build/bin/viewfs links it
# with an rpath.  The system's apt sources stay exactly as they are: the
# deb-src entry lives in an apt configuration private to this step, and its
# mirror address is taken from the system's own sources.
#
#   prefix     /opt/viewfs/libfuse       (lib/, include/, lib/pkgconfig/)
#   build dir  /opt/viewfs/libfuse-build (kept: example/passthrough_hp etc.)
#
# Idempotent and quiet once done.  On failure viewfs still builds against
# the system's 3.14 (without passthrough); this script then exits non-zero
# so `make deps` says so.
set -euo pipefail

top=/opt/viewfs
prefix=$top/libfuse
bdir=$top/libfuse-build
want_series=3.17
stamp=$prefix/.viewfs-built

if [ -e "$stamp" ] && [ -e "$prefix/lib/pkgconfig/fuse3.pc" ] && [ -x "$bdir/example/passthrough_hp" ]; then
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

echo "deps: building libfuse (>= $want_series) from Debian's trixie source package ($mirror)"
apt_dir=$top/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sourceparts" "$top/src"
cat >"$apt_dir/sources.list" <<SRC
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main
SRC
apt_opts=(
	-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	-o "Dir::Etc::SourceParts=$apt_dir/sourceparts"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::Cache=$apt_dir/cache"
	-o "APT::Sandbox::User=root"
)
apt-get "${apt_opts[@]}" update -qq >/dev/null
rm -rf "$top/src"
mkdir -p "$top/src"
(cd "$top/src" && apt-get "${apt_opts[@]}" source --download-only -qq fuse3 >/dev/null)
dsc=$(ls "$top"/src/fuse3_*.dsc | head -n 1)
# 3.17 is what trixie carried when this was written and is known to work;
# a newer 3.x series (3.18 is in sid) has the same API for what viewfs uses
# and is accepted.  Older ones lack passthrough.
ver=$(basename "$dsc" .dsc); ver=${ver#fuse3_}; minor=${ver#3.}; minor=${minor%%.*}
case "$ver" in
	3.*) [ "$minor" -ge "${want_series#3.}" ] 2>/dev/null ||
		{ echo "deps: trixie offers fuse3 $ver, older than $want_series" >&2; exit 1; } ;;
	*) echo "deps: trixie offers fuse3 $ver, expected 3.x >= $want_series" >&2; exit 1 ;;
esac
# The .dsc was checked by apt against the signed Sources index; the
# maintainer key dpkg-source would look for is not installed.
(cd "$top/src" && dpkg-source -q -x "$dsc" fuse3 >/dev/null 2>&1)

rm -rf "$bdir"
meson setup "$bdir" "$top/src/fuse3" --prefix="$prefix" --libdir=lib \
	--buildtype=release -Dutils=false -Dexamples=true -Dtests=false \
	-Duseroot=false >"$top/meson-setup.log" 2>&1 ||
	{ cat "$top/meson-setup.log" >&2; exit 1; }
ninja -C "$bdir" >"$top/ninja.log" 2>&1 || { tail -n 40 "$top/ninja.log" >&2; exit 1; }
ninja -C "$bdir" install >"$top/ninja-install.log" 2>&1 ||
	{ tail -n 40 "$top/ninja-install.log" >&2; exit 1; }
touch "$stamp"
echo "deps: libfuse installed in $prefix; passthrough_hp is $bdir/example/passthrough_hp"
