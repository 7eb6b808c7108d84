target_sources(fiver_passes PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/PassManager.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PassRegistry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ResidualBranches.cpp)
