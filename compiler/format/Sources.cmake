# Sources of compiler/format, appended to fiver_compiler.
target_sources(fiver_compiler PRIVATE ${CMAKE_CURRENT_LIST_DIR}/Formatter.cpp)
