#!/bin/sh
# bench/keys-callgrind.sh BENCH_BIN STORE: instructions (callgrind's Ir) per key of the
# `keys` op of rapport-bench: the first frame, then j ×5, Tab ×3, Enter, Esc, /dana, Esc, each
# through the pure update and Screen.render at 120×40. One profile dump per key (at each
# call of rapportBenchKeyBoundary, whose mangled name shortens to BenchKeyBoundary); prints "key Ir" per line, the first line being
# everything before the first key (open, state, first frame).
set -eu
bin=$1; store=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$store" "$tmp/store"
objcopy --strip-debug "$bin" "$tmp/bin"; bin=$tmp/bin
RAPPORT_NOW=${RAPPORT_NOW:-2026-11-20T15:00:00Z} TZ=UTC "$bin" "$tmp/store" open >/dev/null
RAPPORT_NOW=${RAPPORT_NOW:-2026-11-20T15:00:00Z} TZ=UTC valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
    --dump-before='*BenchKeyBoundary*' "$bin" "$tmp/store" keys >"$tmp/stdout" 2>"$tmp/vg.log" \
    || { cat "$tmp/vg.log" >&2; exit 1; }
# The labels, in order, as the op wrote them to stderr (valgrind's own lines start with ==).
grep -v '^==' "$tmp/vg.log" > "$tmp/labels" || true
i=1
label="start"
for f in $(ls "$tmp"/cg.out.* | awk -F. '{print $NF, $0}' | sort -n | cut -d" " -f2); do
    ir=$(grep -m1 '^summary:' "$f" | awk '{print $2}')
    [ -n "$ir" ] || ir=$(grep -m1 '^totals:' "$f" | awk '{print $2}')
    echo "$label $ir"
    label=$(sed -n "${i}p" "$tmp/labels")
    i=$((i + 1))
    [ "$label" = end ] && break
done
