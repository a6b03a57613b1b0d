#!/bin/sh
# Fails when a module other than the facade declares something `public` that `import Cosma` does
# not re-export. The public surface is the facade (Sources/Cosma) and the types re-exported one by
# one in Sources/Cosma/Exports.swift (listed in docs/public-api.md); a declaration is allowed to be
# public in a sibling module only if it is one of those types, or sits inside that type's own
# declaration or an extension of it in the same module. Everything else the siblings, the
# command-line tool and the tests share is `package`, and what one module alone uses is internal.
# Exempt: Sources/CosmaC, whose public functions are libcosma's C exports (include/cosma.h).
# `make test` runs this (through `make lint`). Usage: tools/check_public_surface.sh
cd "$(dirname "$0")/.." || exit 2
exports=Sources/Cosma/Exports.swift
find Sources Tests/Support -name '*.swift' ! -path 'Sources/Cosma/*' ! -path 'Sources/CosmaC/*' | sort \
    | xargs awk "$(cat tools/swift_code.awk)"'
# The re-exported types, as module SUBSEP name, from "@_exported public import struct M.Name".
FNR == NR {
    if ($0 ~ /^@_exported public import [a-z]+ [A-Za-z]+\.[A-Za-z]+/) { split($5, q, "."); exported[q[1], q[2]] = 1 }
    next
}
FNR == 1 { depth = 0; inblock = 0; inmulti = 0; split(FILENAME, parts, "/"); module = parts[2]; context = "" }
{
    out = swift_code($0)
    # At file scope, a declaration names the context of everything until the next one.
    if (depth == 0 && match(out, /(^|[ \t])(struct|enum|class|actor|protocol|extension|typealias|func|var|let)[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) {
        declaration = substr(out, RSTART, RLENGTH); sub(/^[ \t]*[a-z]+[ \t]+/, "", declaration); context = declaration
    }
    if (out ~ /(^|[^A-Za-z0-9_])public([^A-Za-z0-9_]|$)/ && out !~ /public[ \t]+import[ \t]/ && !((module, context) in exported)) {
        line = $0; sub(/^[ \t]+/, "", line)
        printf "%s:%d: public, but %s.%s is not re-exported by import Cosma: %s\n", FILENAME, FNR, module, context, line
        bad++
    }
    n = gsub(/{/, "{", out); m = gsub(/}/, "}", out); depth += n - m
}
END {
    if (bad) {
        printf "%d public declarations outside the public surface. Declare them `package` (siblings, the tool\n", bad
        print "and the tests still see them) or internal; or, if users of `import Cosma` need the type, re-export it in"
        print "Sources/Cosma/Exports.swift and list it in docs/public-api.md."
        exit 1
    }
}' "$exports"
