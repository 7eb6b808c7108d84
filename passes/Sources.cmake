target_sources(fiver_passes PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/BlurPool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ChannelsLast.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Factorize.cpp
  ${CMAKE_CURRENT_LIST_DIR}/LayerFreezing.cpp
  ${CMAKE_CURRENT_LIST_DIR}/MixedPrecision.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PassManager.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PassRegistry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ProgressiveResolution.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SqueezeExcite.cpp
  ${CMAKE_CURRENT_LIST_DIR}/StochasticDepth.cpp
  ${CMAKE_CURRENT_LIST_DIR}/WeightTying.cpp)
