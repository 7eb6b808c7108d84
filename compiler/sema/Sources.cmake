# Sources of compiler/sema, appended to fiver_compiler.
target_sources(fiver_compiler PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/Builtins.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/HookPhase.cpp
  ${CMAKE_CURRENT_LIST_DIR}/InputKinds.cpp
  ${CMAKE_CURRENT_LIST_DIR}/MethodSignature.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelExpansion.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelRequirements.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Params.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ParseCache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Program.cpp
  ${CMAKE_CURRENT_LIST_DIR}/StudyCheck.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Suggest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check/CompositionCheck.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check/Extends.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check/ModelCheck.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check/OnnxModelCheck.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check/RecipeChecker.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check/SettingsCheck.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check/TaskCheck.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check/TripleCheck.cpp)
