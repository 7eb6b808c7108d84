// OpenBLAS kernel choice for training processes. Debian 12's OpenBLAS 0.3.21
// does not recognise recent AVX-512 CPUs (Intel Sapphire Rapids, AMD Zen 4)
// and falls back to slower kernels: an fp32 GEMM ran at 50-66 GFLOP/s on a
// Sapphire Rapids core pair here, 231-312 with the SkylakeX kernels. The
// library reads OPENBLAS_CORETYPE once, when it is loaded, before main runs;
// so a process that wants another core type sets it and starts itself again.
#pragma once

#include <string>

namespace fiver::runtime {

// The CPU features OpenBLAS's SkylakeX kernels need: AVX-512 F, CD, BW, DQ, VL.
bool cpuRunsSkylakeXKernels();

// The core type to ask OpenBLAS for, or "" to keep its own choice: SkylakeX
// when the CPU runs those kernels and the library chose a core without
// AVX-512 kernels. `detectedCore` is openblas_get_corename()'s answer ("" when
// the process has no OpenBLAS, e.g. a LibTorch with its own BLAS).
std::string preferredOpenBlasCoreType(const std::string& detectedCore, bool cpuRunsSkylakeX);

// "OpenBLAS <version and build configuration>, core <core>" for the loaded library, or
// "no OpenBLAS" (a LibTorch with its own BLAS): part of what a cached
// roofline was measured on.
std::string openBlasDescription();

// Call first thing in main: when OPENBLAS_CORETYPE is unset and
// preferredOpenBlasCoreType asks for a core type, sets it and re-executes
// this program with the same arguments (returns only when it keeps going:
// nothing to change, or exec failed). `FIVER_OPENBLAS_CORETYPE=keep` opts out.
void chooseOpenBlasCoreType(char** argv);

} // namespace fiver::runtime
