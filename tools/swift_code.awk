# Shared by the house-rule checks (tools/check_function_length.sh, tools/check_public_surface.sh):
# swift_code(line) returns the line without its comments and with every string literal emptied,
# so that braces and keywords inside them do not count. Block comments and multi-line strings are
# followed across lines through the globals inblock and inmulti; reset both at each file's start.
function swift_code(line,    out, i, len, c, c2, c3, d) {
    out = ""; i = 1; len = length(line)
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
    return out
}
