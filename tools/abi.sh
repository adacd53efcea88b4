#!/usr/bin/env bash
# libview's ABI as text, for the committed libview/libview.abi and the
# check in tests/install:
#   * every dynamic symbol the shared library defines, with its type and
#     version (readelf --dyn-syms), sorted;
#   * the layout of every public struct (size, alignment, each field's
#     offset), the enum values and the constants of view.h, as the C
#     compiler sees them through libview/include/view.h.
# Usage: tools/abi.sh LIBVIEW_SO   (CC from the environment, default cc)
set -euo pipefail
so=${1:?usage: tools/abi.sh path/to/libview.so}
here=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-cc}

echo "# libview ABI (tools/abi.sh; regenerate with make abi-update)"
readelf --dyn-syms -W "$so" |
	awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && $8 != "" {
		print "symbol", $4, $5, $8 }' | LC_ALL=C sort

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/layout.c" <<'C'
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include "view.h"
#define S(t) printf("layout %s size %zu align %zu\n", #t, sizeof(t), alignof(t))
#define F(t, f) printf("layout %s.%s offset %zu size %zu\n", #t, #f, offsetof(t, f), sizeof(((t *)0)->f))
#define C(x) printf("const %s %lld\n", #x, (long long)(x))
int main(void)
{
	S(struct vw_error); F(struct vw_error, code); F(struct vw_error, msg);
	S(struct vw_format); F(struct vw_format, code); F(struct vw_format, order);
	F(struct vw_format, native); F(struct vw_format, swap);
	F(struct vw_format, itemsize); F(struct vw_format, kind);
	S(struct vw_view); F(struct vw_view, buf); F(struct vw_view, map);
	F(struct vw_view, len); F(struct vw_view, itemsize); F(struct vw_view, ndim);
	F(struct vw_view, readonly); F(struct vw_view, format); F(struct vw_view, fmt);
	F(struct vw_view, shape); F(struct vw_view, strides);
	S(struct vw_index); F(struct vw_index, is_slice); F(struct vw_index, has_start);
	F(struct vw_index, has_stop); F(struct vw_index, has_step);
	F(struct vw_index, start); F(struct vw_index, stop); F(struct vw_index, step);
	S(struct vw_value); F(struct vw_value, type); F(struct vw_value, i);
	F(struct vw_value, u); F(struct vw_value, d); F(struct vw_value, bytes);
	F(struct vw_value, nbytes);
	S(struct vw_literal); F(struct vw_literal, is_list); F(struct vw_literal, value);
	F(struct vw_literal, data); F(struct vw_literal, ndata);
	F(struct vw_literal, items); F(struct vw_literal, nitems);
	S(enum vw_kind); S(enum vw_vtype);
	C(VW_MAXDIM); C(VW_FORMAT_MAX); C(VW_RDONLY); C(VW_RDWR); C(VW_NOMETA);
	C(VW_META_EMPTY_MAX);
	C(VW_SEAL_SHRINK); C(VW_SEAL_GROW); C(VW_SEAL_WRITE); C(VW_SEAL_ALL);
	C(VW_SEALS_TEXT_MAX);
	C(VW_K_INT); C(VW_K_UINT); C(VW_K_FLOAT); C(VW_K_BOOL); C(VW_K_CHAR);
	C(VW_V_INT); C(VW_V_UINT); C(VW_V_FLOAT); C(VW_V_BOOL); C(VW_V_BYTES);
	C(VW_V_BIGINT);
	return 0;
}
C
"$cc" -std=c11 -Wall -Wextra -Werror -I"$here/libview/include" -o "$tmp/layout" "$tmp/layout.c"
"$tmp/layout"
