#!/bin/sh
# Fails when a function, initialiser or subscript in Sources/ spans more than MAX lines (80),
# counted from its declaration to its closing brace. Generated code (Sources/ONNXProto) is exempt.
# `make test` runs this so that the rule stays true. Usage: tools/check_function_length.sh [MAX]
MAX=${1:-80}
cd "$(dirname "$0")/.." || exit 2
find Sources -name '*.swift' ! -path 'Sources/ONNXProto/*' | sort | xargs awk -v max="$MAX" '
FNR == 1 { depth = 0; parens = 0; n = 0; pending = 0; inblock = 0; inmulti = 0 }
{
    # Strip comments and string literals so that braces inside them do not count.
    line = $0; out = ""; i = 1; len = length(line)
    while (i <= len) {
        c = substr(line, i, 1); c3 = substr(line, i, 3); c2 = substr(line, i, 2)
        if (inmulti) { if (c3 == "\"\"\"") { inmulti = 0; i += 3 } else i++; continue }
        if (inblock) { if (c2 == "*/") { inblock--; i += 2 } else if (c2 == "/*") { inblock++; i += 2 } else i++; continue }
        if (c2 == "//") break
        if (c2 == "/*") { inblock = 1; i += 2; continue }
        if (c3 == "\"\"\"") { inmulti = 1; i += 3; continue }
        if (c == "\"") {
            i++
            while (i <= len) { d = substr(line, i, 1); if (d == "\\") { i += 2; continue } if (d == "\"") break; i++ }
            i++; out = out "\"\""; continue
        }
        out = out c; i++
    }
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
