#!/bin/sh
# Fails when a function, initialiser or subscript in Sources/ spans more than MAX lines (80),
# counted from its declaration to its closing brace. Generated code (Sources/ONNXProto) is exempt.
# `make test` runs this so that the rule stays true. Usage: tools/check_function_length.sh [MAX]
MAX=${1:-80}
cd "$(dirname "$0")/.." || exit 2
find Sources -name '*.swift' ! -path 'Sources/ONNXProto/*' | sort | xargs awk -v max="$MAX" "$(cat tools/swift_code.awk)"'
FNR == 1 { depth = 0; parens = 0; n = 0; pending = 0; inblock = 0; inmulti = 0 }
{
    out = swift_code($0)
    if (out ~ /(^|[^A-Za-z0-9_.])(func[ \t]+[^ \t(<]+|init[?!]?[ \t]*[(<]|subscript[ \t]*[(<]|deinit)/) { pending = 1; pendingLine = FNR; pendingName = out; pendingParens = parens }
    for (j = 1; j <= length(out); j++) {
        c = substr(out, j, 1)
        if (c == "(") parens++
        else if (c == ")") parens--
        else if (c == "{") {
            depth++
            # A brace inside the parameter list (a default closure) does not open the body.
            if (pending && parens == pendingParens) { n++; startLine[n] = pendingLine; startDepth[n] = depth; name[n] = pendingName; pending = 0 }
        } else if (c == "}") {
            if (n > 0 && startDepth[n] == depth) {
                length_ = FNR - startLine[n] + 1
                if (length_ > max) {
                    sub(/^[ \t]+/, "", name[n])
                    printf "%s:%d: %d lines (more than %d): %s\n", FILENAME, startLine[n], length_, max, name[n]
                    bad = 1
                }
                n--
            }
            depth--
            if (parens == pendingParens) pending = 0
        }
    }
}
END { exit bad }
'
