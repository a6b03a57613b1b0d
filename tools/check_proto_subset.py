"""Check tools/onnx_subset.proto against the official ONNX schema shipped in the onnx pip package.

For every message, field and enum value declared in our subset, the official schema must have a
message/field/enum value of the same (qualified) name with the same number, label, type and (for
message/enum fields) the same type name. Exits non-zero on any mismatch.

Usage (from the repository root, with the venv of tools/export_models.py):
    protoc --descriptor_set_out=/tmp/onnx_subset.pb --proto_path=tools tools/onnx_subset.proto
    tools/.venv/bin/python tools/check_proto_subset.py /tmp/onnx_subset.pb
"""

import sys

from google.protobuf import descriptor_pb2
import onnx.onnx_ml_pb2 as official_pb2


def official_messages():
    """Flattened {qualified name: DescriptorProto} of the official schema (nested ones included)."""
    file_proto = descriptor_pb2.FileDescriptorProto()
    official_pb2.DESCRIPTOR.CopyToProto(file_proto)
    return flatten(file_proto)


def flatten(file_proto):
    messages, enums = {}, {}

    def visit(prefix, msg):
        name = f"{prefix}.{msg.name}"
        messages[name] = msg
        for e in msg.enum_type:
            enums[f"{name}.{e.name}"] = e
        for nested in msg.nested_type:
            visit(name, nested)

    for e in file_proto.enum_type:
        enums[f".{file_proto.package}.{e.name}"] = e
    for msg in file_proto.message_type:
        visit(f".{file_proto.package}", msg)
    return messages, enums


def main(path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    ours_messages, ours_enums = flatten(fds.file[0])
    theirs_messages, theirs_enums = official_messages()
    errors, checked = [], 0
    for name, msg in ours_messages.items():
        if name not in theirs_messages:
            errors.append(f"message {name} not in official schema")
            continue
        theirs = {f.name: f for f in theirs_messages[name].field}
        for f in msg.field:
            checked += 1
            t = theirs.get(f.name)
            if t is None:
                errors.append(f"{name}.{f.name}: not in official schema")
                continue
            for attr in ("number", "label", "type", "type_name"):
                if getattr(f, attr) != getattr(t, attr):
                    errors.append(f"{name}.{f.name}: {attr} {getattr(f, attr)!r} != official {getattr(t, attr)!r}")
            if f.HasField("oneof_index") != t.HasField("oneof_index"):
                errors.append(f"{name}.{f.name}: oneof membership differs")
    for name, enum in ours_enums.items():
        if name not in theirs_enums:
            errors.append(f"enum {name} not in official schema")
            continue
        theirs = {v.name: v.number for v in theirs_enums[name].value}
        for v in enum.value:
            checked += 1
            if theirs.get(v.name) != v.number:
                errors.append(f"{name}.{v.name} = {v.number}, official {theirs.get(v.name)}")
    for e in errors:
        print("MISMATCH", e)
    print(f"checked {checked} fields/enum values in {len(ours_messages)} messages, {len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
