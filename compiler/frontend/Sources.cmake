target_sources(fiver_compiler PRIVATE ${CMAKE_CURRENT_LIST_DIR}/Parser.cpp
                                      ${CMAKE_CURRENT_LIST_DIR}/SyntaxRecovery.cpp
                                      ${CMAKE_CURRENT_LIST_DIR}/Unit.cpp)
