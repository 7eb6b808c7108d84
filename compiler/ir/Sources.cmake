# Sources of compiler/ir, appended to fiver_compiler.
target_sources(fiver_compiler PRIVATE)
