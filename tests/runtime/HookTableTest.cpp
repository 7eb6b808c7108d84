// The compiler's list of runtime hooks (what sema warns about) and the
// runtime's method registry must agree, or a recipe would either be warned
// about needlessly or fail at run time without a warning.
#include "runtime/train/Method.h"

#include <gtest/gtest.h>

#include <algorithm>

TEST(HookTable, CompilerListMatchesRuntimeRegistry) {
  std::vector<std::string> declared = {
#define HOOK(Name) Name,
#include "compiler/plan/RuntimeHooks.def"
#undef HOOK
  };
  std::vector<std::string> registered = fiver::runtime::knownHooks();
  std::sort(declared.begin(), declared.end());
  std::sort(registered.begin(), registered.end());
  EXPECT_EQ(declared, registered);
}
