#!/bin/sh
# Measures MiniMalloc (google/minimalloc, built outside this repository) on the instances of
# benchmarks/minimalloc/ and records the results in benchmarks/minimalloc/measured.csv, which
# `cosma bench allocation` reads and prints beside Cosma's. Offline data tool: run it by hand,
# under the benchmark lock, on the machine the report is made on:
#
#   flock /work/wt/bench.lock tools/measure_minimalloc.sh PATH/TO/minimalloc [SECONDS]
#
# SECONDS (default 60) is the time limit of every attempt, as --timeout. The binary must be built
# from the commit in benchmarks/minimalloc/COMMIT; its own capacity is the one in each file name.
set -eu
binary=$1
limit=${2:-60}
dir=$(cd "$(dirname "$0")/.." && pwd)/benchmarks/minimalloc
out=$dir/measured.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
    echo "# MiniMalloc at google/minimalloc $(cat "$dir/COMMIT"), default parameters, --timeout=${limit}s"
    echo "# measured $(date -u +%Y-%m-%dT%H:%MZ) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
    echo "instance,capacity,time_limit_s,status,height,seconds"
    for csv in "$dir"/challenging/*.csv "$dir"/examples/*.csv; do
        name=$(basename "$csv" .csv)
        capacity=${name##*.}
        case "$capacity" in *[!0-9]*|'') capacity=1048576 ;; esac
        if "$binary" --capacity="$capacity" --input="$csv" --output="$tmp/out.csv" --timeout="${limit}s" --validate \
            > "$tmp/stdout" 2> "$tmp/stderr"; then
            status=packed
            height=$(sed -n 's/.*Validation PASS, height \([0-9]*\).*/\1/p' "$tmp/stderr")
        else
            height=""
            if grep -q DEADLINE_EXCEEDED "$tmp/stderr"; then status=unknown
            elif grep -q NOT_FOUND "$tmp/stderr"; then status=infeasible
            else status=error; fi
        fi
        seconds=$(sed -n 's/.*Elapsed time \([0-9.]*\)s.*/\1/p' "$tmp/stderr")
        echo "${name%.*},$capacity,$limit,$status,$height,$seconds"
    done
} > "$tmp/measured.csv"
mv "$tmp/measured.csv" "$out"
cat "$out"
