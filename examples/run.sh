#!/bin/sh
# Builds and runs the embedding examples against an install: examples/run.sh PREFIX
# (`make test` installs into a temporary prefix and calls this).
#  - C and C++: compiled with nothing but `pkg-config --cflags --libs cosma`; they plan graphs/tiny.json
#    and ResNet-50 with weights at M_R, walk the steps, replay the plans with cosma_simulate (the C++
#    one on two threads at once), and get code 2 with a message for a malformed graph. Their traffic
#    must equal what `cosma solve` reports.
#  - Python: the example, the one-liner of the README, and the module's unittest suite.
set -eu
prefix=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cd "$root"

# The traffic `cosma solve` reports for GRAPH CAPACITY TENSORS, solved once per instance.
solve_traffic() {
    known="$work/solve-$(echo "$1-$2-$3" | tr / _)"
    [ -f "$known" ] || "$prefix/bin/cosma" solve "$1" --capacity "$2" --tensors "$3" --json |
        sed -n 's/.*"traffic": {"total": \([0-9]*\).*/\1/p' > "$known"
    cat "$known"
}

# Fails unless the example's output names the traffic `cosma solve` finds.
same_traffic() {
    expected=$(solve_traffic "$2" "$3" "$4")
    grep -q "traffic: total $expected," "$1" || { echo "FAIL: $1 does not show the traffic of cosma solve ($expected) for $2"; exit 1; }
    echo "ok: $2 ($4 at $3): total traffic $expected, as cosma solve"
}

echo "== examples/c"
cc examples/c/plan.c $(pkg-config --cflags --libs cosma) -o "$work/plan-c"
for case in "graphs/tiny.json 5KiB activations" "graphs/resnet50.json M_R all"; do
    set -- $case
    "$work/plan-c" "$1" "$2" "$3" > "$work/c.out"
    same_traffic "$work/c.out" "$1" "$2" "$3"
    grep -q "^cosma_simulate: valid" "$work/c.out"
    grep "^malformed graph: code 2, graph: malformed JSON" "$work/c.out"
done

echo "== examples/cpp"
c++ -std=c++17 examples/cpp/plan.cpp $(pkg-config --cflags --libs cosma) -pthread -o "$work/plan-cpp"
"$work/plan-cpp" graphs/tiny.json 5KiB activations graphs/resnet50.json M_R all > "$work/cpp.out"
head -1 "$work/cpp.out"
[ "$(grep -c 'valid in cosma_simulate' "$work/cpp.out")" = 2 ]
grep "^malformed graph: code 2" "$work/cpp.out"
same_traffic "$work/cpp.out" graphs/resnet50.json M_R all

echo "== examples/python"
export PYTHONPATH="$prefix/lib/python"
python3 examples/python/plan.py graphs/tiny.json 5KiB > "$work/py.out"
same_traffic "$work/py.out" graphs/tiny.json 5KiB activations
python3 -c "import cosma; print(cosma.plan('graphs/tiny.json', capacity='5KiB')['traffic'])"
python3 -m unittest discover -s python/tests

# Solver containment: a C host whose solver children crash or hang (the test hook
# COSMA_TEST_SOLVER_FAULT) lives on and gets a valid plan, with a note, within its time limit plus a
# second; the children are found through the install (PREFIX/libexec/cosma/cosma-solver).
# Tests/Fixtures/skip.json: a chain whose first output is read again at the end and cannot stay
# through the wide middle, so that every stage of the planner solves a program.
echo "== solver containment in a C host"
cc Tests/EmbeddingHost/contained_host.c $(pkg-config --cflags --libs cosma) -o "$work/contained-host"
for solver in cbc glpk; do
    for fault in crash hang; do
        start=$(date +%s.%N)
        COSMA_TEST_SOLVER_FAULT=$fault "$work/contained-host" Tests/Fixtures/skip.json M_R $solver 2 > "$work/contained.out" ||
            { echo "FAIL: the C host got no plan with $fault in $solver"; cat "$work/contained.out"; exit 1; }
        seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
        grep -q '"valid": *true' "$work/contained.out" || { echo "FAIL: no valid plan"; exit 1; }
        grep -q "contained: the $solver solver process" "$work/contained.out" || { echo "FAIL: no containment note"; exit 1; }
        awk -v s="$seconds" 'BEGIN { exit !(s < 3) }' || { echo "FAIL: $seconds s with a limit of 2 s"; exit 1; }
        echo "ok: $fault in $solver contained, valid plan in $seconds s (limit 2 s)"
    done
done
