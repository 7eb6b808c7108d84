# Sources of compiler/lower, appended to fiver_compiler.
target_sources(fiver_compiler PRIVATE)
