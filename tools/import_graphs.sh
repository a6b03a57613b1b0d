#!/usr/bin/env bash
# Regenerate the benchmark graphs in graphs/ and the table in graphs/README.md with the cosma tool:
# every exported model in models/onnx/*.onnx at one byte per element (the paper's int8 setting),
# and the three RandWire networks with the seeds recorded below.
#
# Usage, from anywhere:   tools/import_graphs.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
swift build -c release --product cosma
cosma="$repo/.build/release/cosma"

sources=()
for model in models/onnx/*.onnx; do
  name="$(basename "$model" .onnx)"
  "$cosma" import "$model" --element-bytes 1 -o "graphs/$name.json"
  sources+=(--source "$name=ONNX export, \`$model\`")
done

randwire() {
  local model="$1" seed="$2" recipe="$3"
  "$cosma" generate randwire --model "$model" --regime regular --channels 109 --seed "$seed" -o "graphs/randwire_$model.json"
  sources+=(--source "randwire_$model=RandWire $recipe, regular regime, N=32, C=109, seed $seed")
}
randwire ws 1 "WS(K=4, P=0.75)"
randwire er 1 "ER(P=0.2)"
randwire ba 1 "BA(M=5)"
sources+=(--source "tiny=hand-written example of the graph format")

table="$(mktemp)"
trap 'rm -f "$table" "$table.readme"' EXIT
"$cosma" graphs-table graphs/*.json "${sources[@]}" > "$table"
# Replace what lies between the table markers of the README, keeping the prose around it.
awk -v table="$table" '
  /<!-- graphs-table:end -->/ { skipping = 0 }
  !skipping { print }
  /<!-- graphs-table:begin -->/ { while ((getline line < table) > 0) print line; skipping = 1 }
' graphs/README.md > "$table.readme"
mv "$table.readme" graphs/README.md
echo "regenerated graphs/*.json and the table in graphs/README.md"
