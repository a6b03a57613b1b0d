#!/usr/bin/env bash
# Regenerate Sources/ONNXProto/onnx_subset.pb.swift from tools/onnx_subset.proto.
#
# Needs: protoc (Debian: apt-get install -y protobuf-compiler; used: libprotoc 3.21.12) and
# protoc-gen-swift built from swift-protobuf 1.39.0 (the version the ONNXProto target depends on).
# By default the plugin is built from the local mirror /opt/swift-packages/apple/swift-protobuf.git
# (override with SWIFT_PROTOBUF_GIT), in /tmp/swift-protobuf-1.39.0 (override with
# SWIFT_PROTOBUF_DIR); a prebuilt plugin can be given with PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift.
#
# Optionally (CHECK=1, needs tools/.venv from tools/export_models.py) the subset is first checked
# field by field against the official onnx.proto shipped in the onnx pip package.
#
# Usage, from anywhere:   tools/generate_onnx_proto.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
version=1.39.0
src_git="${SWIFT_PROTOBUF_GIT:-/opt/swift-packages/apple/swift-protobuf.git}"
build_dir="${SWIFT_PROTOBUF_DIR:-/tmp/swift-protobuf-$version}"

if [[ -z "${PROTOC_GEN_SWIFT:-}" ]]; then
  if [[ ! -d "$build_dir" ]]; then
    git clone --quiet --branch "$version" "$src_git" "$build_dir"
  fi
  (cd "$build_dir" && test "$(git describe --tags)" = "$version" \
    && swift build -c release --product protoc-gen-swift)
  PROTOC_GEN_SWIFT="$build_dir/.build/release/protoc-gen-swift"
fi

if [[ "${CHECK:-0}" = 1 ]]; then
  protoc --descriptor_set_out=/tmp/onnx_subset.pb --proto_path="$repo/tools" "$repo/tools/onnx_subset.proto"
  "$repo/tools/.venv/bin/python" "$repo/tools/check_proto_subset.py" /tmp/onnx_subset.pb
fi

mkdir -p "$repo/Sources/ONNXProto"
protoc --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
  --swift_opt=Visibility=Package \
  --swift_out="$repo/Sources/ONNXProto" \
  --proto_path="$repo/tools" \
  "$repo/tools/onnx_subset.proto"
echo "wrote $repo/Sources/ONNXProto/onnx_subset.pb.swift"
