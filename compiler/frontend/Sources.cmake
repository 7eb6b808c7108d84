# Sources of compiler/frontend, appended to fiver_compiler.
target_sources(fiver_compiler PRIVATE)
