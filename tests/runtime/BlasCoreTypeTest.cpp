#include "runtime/BlasCoreType.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

using namespace fiver::runtime;

TEST(BlasCoreType, AsksForSkylakeXOnlyWhenTheLibraryChoseSlowerKernels) {
  // What OpenBLAS 0.3.21 picks on CPUs it does not know, and older cores.
  for (const char* slow : {"Haswell", "Prescott", "Sandybridge", "Zen", "generic"})
    EXPECT_EQ(preferredOpenBlasCoreType(slow, true), "SkylakeX") << slow;
  for (const char* avx512 : {"SkylakeX", "SKYLAKEX", "Cooperlake", "SapphireRapids"})
    EXPECT_EQ(preferredOpenBlasCoreType(avx512, true), "") << avx512;
  EXPECT_EQ(preferredOpenBlasCoreType("Haswell", false), ""); // no AVX-512: nothing better
  EXPECT_EQ(preferredOpenBlasCoreType("", true), "");         // no OpenBLAS in the process
}

// This test binary links OpenBLAS (through LibTorch): the process answers
// with the core the library runs, and leaves a user's choice alone.
TEST(BlasCoreType, KeepsAChoiceAlreadyInTheEnvironment) {
  setenv("OPENBLAS_CORETYPE", "Haswell", 1);
  char name[] = "not-executed";
  char* argv[] = {name, nullptr};
  chooseOpenBlasCoreType(argv); // would exec (and never return) if it ignored the variable
  EXPECT_STREQ(std::getenv("OPENBLAS_CORETYPE"), "Haswell");
  unsetenv("OPENBLAS_CORETYPE");
}
