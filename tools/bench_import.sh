#!/usr/bin/env bash
# Time `cosma import` (release build) on the 1,020-operator fixture and on every exported model,
# and write the table to results/import.md with the machine, versions and date.
#
# Each time is the median wall time of RUNS runs of the whole process (start-up, reading the
# model, import, validation, writing the JSON), so it bounds the import itself from above.
#
# Usage, from anywhere:   tools/bench_import.sh            (RUNS=9 by default)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
runs="${RUNS:-9}"
swift build -c release --product cosma
cosma="$repo/.build/release/cosma"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

median_ms() {
  local model="$1" times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$cosma" import "$model" --element-bytes 1 -o "$scratch/graph.json" > /dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  local middle
  middle=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%d.%01d' $(( middle / 1000 )) $(( middle % 1000 / 100 ))
}

{
  echo "# ONNX import time"
  echo
  echo "Written by \`tools/bench_import.sh\` (median of $runs runs of \`cosma import MODEL --element-bytes 1 -o FILE\`,"
  echo "release build, wall time of the whole process including start-up and writing the JSON)."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
  echo "- Swift: $(swift --version 2>&1 | grep -m1 'Swift version')"
  echo "- commit: $(git rev-parse --short HEAD)"
  echo
  echo "| model | file bytes | operators | tensors | median ms |"
  echo "|---|---:|---:|---:|---:|"
  for model in Tests/Fixtures/onnx/chain_1000.onnx models/onnx/*.onnx; do
    ms=$(median_ms "$model")
    read -r operators tensors < <("$cosma" import "$model" --element-bytes 1 -o "$scratch/graph.json" \
      | sed -E 's/.*, ([0-9]+) operators, ([0-9]+) tensors.*/\1 \2/')
    echo "| \`$model\` | $(stat -c %s "$model") | $operators | $tensors | $ms |"
  done
} > results/import.md
cat results/import.md
