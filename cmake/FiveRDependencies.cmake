# Every third-party dependency, found from Debian packages. Imported targets
# get their include directories marked SYSTEM (CMake does this for imported
# targets), so -Wall -Wextra stays quiet about them.

# --- compiler side (never LibTorch) ---
if(NOT FIVER_ANTLR_GENERATED_DIR)
  find_program(ANTLR4_TOOL antlr4 REQUIRED) # 4.7.2 tool; antlr4_generate() is broken on Debian
endif()
find_package(antlr4-runtime 4.9 CONFIG REQUIRED) # target antlr4_shared
find_package(yaml-cpp CONFIG REQUIRED)           # target yaml-cpp
# Boost.Graph is used header-only (adjacency_list, write_graphviz).
find_package(Boost 1.74 CONFIG REQUIRED) # Boost::headers
find_package(nlohmann_json CONFIG REQUIRED)      # nlohmann_json::nlohmann_json
find_package(CLI11 CONFIG REQUIRED)              # CLI11::CLI11
find_package(fmt CONFIG REQUIRED)                # fmt::fmt
find_package(spdlog CONFIG REQUIRED)             # spdlog::spdlog
# ONNX's protobuf schema and its checker (libonnx-dev): models in and out.
find_package(ONNX CONFIG REQUIRED) # onnx_proto (the schema), onnx (checker, shape inference)

add_library(fiver_antlr4 INTERFACE)
target_link_libraries(fiver_antlr4 INTERFACE antlr4_shared)
target_include_directories(fiver_antlr4 SYSTEM INTERFACE ${ANTLR4_INCLUDE_DIR})

# --- runtime side ---
find_package(Torch REQUIRED)
# Debian's LibTorch needs OpenBLAS linked explicitly; PyTorch's own LibTorch
# (the CUDA build) carries its BLAS and has no Gloo CMake package.
find_package(OpenBLAS CONFIG QUIET)
find_package(Gloo CONFIG QUIET) # target gloo; c10d's Gloo backend needs USE_C10D_GLOO
# Torch's config exports flags through TORCH_CXX_FLAGS instead of its targets.
add_library(fiver_torch INTERFACE)
target_link_libraries(fiver_torch INTERFACE ${TORCH_LIBRARIES})
if(OpenBLAS_FOUND)
  target_link_libraries(fiver_torch INTERFACE ${OpenBLAS_LIBRARIES})
endif()
target_include_directories(fiver_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
separate_arguments(_fiver_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(fiver_torch INTERFACE ${_fiver_torch_flags})
# at::parallel_for is a header template that runs its body serially unless
# the including file is compiled with OpenMP (_OPENMP): without this flag
# every FiveR kernel that splits work over the intra-op pool ran on one core.
find_package(OpenMP COMPONENTS CXX)
if(OpenMP_CXX_FOUND)
  target_link_libraries(fiver_torch INTERFACE OpenMP::OpenMP_CXX)
else()
  message(WARNING "FiveR: no OpenMP: fused kernels and optimizer steps run on one thread")
endif()
# Silence warnings LibTorch 1.13's headers emit even when included as SYSTEM.
target_compile_options(fiver_torch INTERFACE -Wno-deprecated-declarations)
message(STATUS "FiveR: LibTorch ${Torch_VERSION}")

if(FIVER_WITH_LLVM)
  find_package(LLVM 14 CONFIG)
  if(LLVM_FOUND)
    # LLVM's flags (-fno-exceptions -std=c++14) must never leak: only the
    # kernels library sees LLVM headers, through this target.
    add_library(fiver_llvm INTERFACE)
    target_include_directories(fiver_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
    target_compile_definitions(fiver_llvm INTERFACE ${LLVM_DEFINITIONS})
    target_link_libraries(fiver_llvm INTERFACE LLVM)
    message(STATUS "FiveR: LLVM ${LLVM_PACKAGE_VERSION}")
  else()
    set(FIVER_WITH_LLVM OFF)
    message(STATUS "FiveR: LLVM 14 not found, CPU kernels fall back to eager")
  endif()
endif()

if(FIVER_WITH_CUDA)
  if(NOT CUDAToolkit_ROOT AND EXISTS /usr/local/cuda)
    set(CUDAToolkit_ROOT /usr/local/cuda)
  endif()
  find_package(CUDAToolkit QUIET)
  if(CUDAToolkit_FOUND AND TARGET CUDA::nvrtc)
    message(STATUS "FiveR: CUDA toolkit ${CUDAToolkit_VERSION} (NVRTC)")
  else()
    set(FIVER_WITH_CUDA OFF)
    message(STATUS "FiveR: CUDA toolkit not found, CUDA kernels disabled")
  endif()
endif()

# --- tests and benchmarks ---
find_package(GTest CONFIG REQUIRED)     # GTest::gtest_main
find_package(benchmark CONFIG REQUIRED) # benchmark::benchmark
find_program(FILECHECK NAMES FileCheck-14 FileCheck PATHS /usr/lib/llvm-14/bin)
