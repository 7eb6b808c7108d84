# Sources of compiler/sema, appended to fiver_compiler.
target_sources(fiver_compiler PRIVATE)
