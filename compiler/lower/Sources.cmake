target_sources(fiver_compiler PRIVATE ${CMAKE_CURRENT_LIST_DIR}/Lower.cpp)
