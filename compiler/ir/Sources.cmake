# Sources of compiler/ir, appended to fiver_compiler.
target_sources(fiver_compiler PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/GraphBuilder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/GraphPrinter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/GraphRewrite.cpp
  ${CMAKE_CURRENT_LIST_DIR}/LayerAttrs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/TrainingGraph.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Verifier.cpp)
