target_sources(fiver_passes PRIVATE PassManager.cpp)
