#!/bin/sh
# bench/callgrind.sh BENCH_BIN STORE OP [OUT]: instructions executed (callgrind's Ir, all
# threads) by `rapport-bench STORE OP` (open, compact, log, status, statusline, rulescache,
# undolist, frame, framecache), on a
# copy of STORE (log and compact write). Repeatable on a loaded machine, unlike wall clock.
# Also prints the top functions (inclusive) when OUT is given.
# The copy's store.cache is first written by one plain `open` (a copy is another inode, so
# the original's cache does not hold for it): what a process finds after another one ran.
# COLD=1 deletes it instead: the open that has to decode store.json.
set -eu
bin=$1; store=$2; op=$3; out=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$store" "$tmp/store"
# valgrind 3.19 cannot read the DWARF 5 Swift emits: profile a copy without it (symbols stay).
objcopy --strip-debug "$bin" "$tmp/bin"; bin=$tmp/bin
if [ "${COLD:-0}" = 1 ]; then
    rm -f "$tmp/store/store.cache"
else
    RAPPORT_NOW=${RAPPORT_NOW:-2026-11-20T15:00:00Z} TZ=UTC "$bin" "$tmp/store" open >/dev/null
fi
# PRE="OP ..." runs those ops first, unmeasured, at PRE_NOW (default: the same now), e.g.
# PRE=statusline PRE_NOW=2026-11-20T14:59:00Z for a rules.cache a minute old, or
# PRE="statusline log" for one recruiter changed since. status.cache is then removed, so
# `statusline` measures the line without it.
for p in ${PRE:-}; do
    RAPPORT_NOW=${PRE_NOW:-${RAPPORT_NOW:-2026-11-20T15:00:00Z}} TZ=UTC "$bin" "$tmp/store" "$p" >/dev/null
done
rm -f "$tmp/store/status.cache"
RAPPORT_NOW=${RAPPORT_NOW:-2026-11-20T15:00:00Z} TZ=UTC valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
    "$bin" "$tmp/store" "$op" >/dev/null 2>"$tmp/vg.log" || { cat "$tmp/vg.log" >&2; exit 1; }
ir=$(grep -m1 '^summary:' "$tmp/cg.out" | awk '{print $2}')
[ -n "$ir" ] || ir=$(grep -m1 '^totals:' "$tmp/cg.out" | awk '{print $2}')
echo "$op $(basename "$store") Ir=$ir"
if [ -n "$out" ]; then
    callgrind_annotate --inclusive=yes --threshold=99 "$tmp/cg.out" 2>/dev/null | head -60 > "$out"
fi
