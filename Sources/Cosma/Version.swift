/// Cosma's version: `cosma --version`, `cosma_version()` of the C library and `cosma.pc` (the
/// Makefile reads it from this line).
public let cosmaVersion = "0.1.0"
