#!/usr/bin/env bash
# make deps: install every Debian package the project needs.
# Package names live in tools/deps/*.list (one part per file, '#' comments);
# extra steps that are not plain packages live in tools/deps/*.sh and are
# run after the packages, in name order.  Idempotent and quiet when all is
# present: apt is only called for what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DEBIAN_FRONTEND=noninteractive

want=$(cat "$here"/deps/*.list 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=()
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: must run as root to install packages" >&2
		exit 1
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for s in "$here"/deps/*.sh; do
	[ -e "$s" ] || continue
	bash "$s"
done
