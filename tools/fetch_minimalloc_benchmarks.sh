#!/bin/sh
# Extracts MiniMalloc's benchmark instances (google/minimalloc, Apache-2.0) into
# benchmarks/minimalloc/, with the commit they came from. Offline data tool: run it by hand.
#
#   tools/fetch_minimalloc_benchmarks.sh [GIT_DIR_OR_URL] [COMMIT]
#
# GIT_DIR_OR_URL defaults to https://github.com/google/minimalloc (cloned bare into a temporary
# directory); COMMIT defaults to the head of its default branch.
set -eu
source=${1:-https://github.com/google/minimalloc}
out=$(cd "$(dirname "$0")/.." && pwd)/benchmarks/minimalloc
tmp=""
if [ -d "$source" ]; then
    gitdir=$source
else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    git clone --quiet --bare "$source" "$tmp/repo.git"
    gitdir=$tmp/repo.git
fi
commit=$(git --git-dir="$gitdir" rev-parse "${2:-HEAD}")
git --git-dir="$gitdir" show "$commit:LICENSE" | grep -q "Apache License" || {
    echo "the licence at $commit is not Apache-2.0 any more; check it before committing its data" >&2
    exit 1
}
mkdir -p "$out/challenging" "$out/examples"
for path in $(git --git-dir="$gitdir" ls-tree -r --name-only "$commit" benchmarks); do
    case "$path" in
        benchmarks/challenging/*.csv) git --git-dir="$gitdir" show "$commit:$path" > "$out/challenging/$(basename "$path")" ;;
        benchmarks/examples/*.csv) git --git-dir="$gitdir" show "$commit:$path" > "$out/examples/$(basename "$path")" ;;
    esac
done
echo "$commit" > "$out/COMMIT"
echo "extracted $(ls "$out"/challenging/*.csv "$out"/examples/*.csv | wc -l) instances of google/minimalloc at $commit into $out"
