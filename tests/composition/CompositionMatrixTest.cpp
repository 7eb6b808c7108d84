// The composition matrix: for every pair of stdlib methods the checker
// accepts together, a tiny run with both in which each method's probe must
// still see its own effect. Sharded by the pair's first method (in stdlib
// order) so that ctest runs the shards in parallel; each shard also runs its
// method alone, so a probe that fails alone is told apart from a pair.
#include "compiler/sema/Program.h"
#include "tests/composition/PairRun.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace fiver::composition {
namespace {

const std::vector<MethodUnderTest>& all() {
  return methodsUnderTest();
}

std::string cellName(const std::vector<const MethodUnderTest*>& methods) {
  std::string name;
  for (const MethodUnderTest* m : methods)
    name += (name.empty() ? "" : " + ") + m->name;
  return name;
}

struct Counts {
  int tested = 0, conflicts = 0, skipped = 0, waived = 0;
  void add(const CellOutcome& o) {
    if (o.verdict == CellOutcome::Verdict::Ran) ++tested;
    if (o.verdict == CellOutcome::Verdict::Conflict) ++conflicts;
    if (o.verdict == CellOutcome::Verdict::Skipped) ++skipped;
    waived += static_cast<int>(o.waived.size());
  }
};

void report(const std::vector<const MethodUnderTest*>& methods, const CellOutcome& o) {
  for (const std::string& w : o.waived)
    std::printf("  %s: probe of %s not run\n", cellName(methods).c_str(), w.c_str());
  if (o.failures.empty()) return;
  std::string text;
  for (const std::string& f : o.failures)
    text += "\n  " + f;
  ADD_FAILURE() << cellName(methods) << " on the "
                << (methods.size() == 1 ? "method alone" : "pair") << ":" << text;
}

class Shard : public ::testing::TestWithParam<size_t> {};

TEST_P(Shard, EachMethodKeepsItsEffectBesideEveryLaterMethod) {
  const MethodUnderTest& first = all()[GetParam()];
  report({&first}, runCell({&first}));
  Counts counts;
  for (size_t j = GetParam() + 1; j < all().size(); ++j) {
    const std::vector<const MethodUnderTest*> pair = {&first, &all()[j]};
    const CellOutcome o = runCell(pair);
    counts.add(o);
    report(pair, o);
  }
  std::printf("%s: %d pairs tested, %d rejected as conflicts, %d skipped (input kinds), %d probes "
              "waived%s\n",
              first.name.c_str(), counts.tested, counts.conflicts, counts.skipped, counts.waived,
              first.probe ? "" : " (this method has no probe yet)");
}

INSTANTIATE_TEST_SUITE_P(Matrix, Shard, ::testing::Range<size_t>(0, methodsUnderTest().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return methodsUnderTest()[info.param].name;
                         });

// The matrix covers the standard library: a method added there without a
// line here fails, and the totals are printed for CI logs.
TEST(CompositionMatrix, CoversEveryStdlibMethodAndCountsThePairs) {
  SourceManager sources;
  DiagnosticEngine diags;
  Program program = loadProgram("<matrix>", std::string(), test::stdlibDir(), sources, diags);
  std::set<std::string> stdlib, listed;
  for (const auto& [name, decl] : program.methods)
    stdlib.insert(name);
  for (const MethodUnderTest& m : all())
    listed.insert(m.name);
  EXPECT_EQ(listed, stdlib);
  EXPECT_EQ(listed.size(), all().size()) << "a method is listed twice";

  Counts counts;
  std::vector<std::string> conflicts;
  for (size_t i = 0; i < all().size(); ++i)
    for (size_t j = i + 1; j < all().size(); ++j) {
      const CellOutcome o = checkCell({&all()[i], &all()[j]});
      counts.add(o);
      if (o.verdict == CellOutcome::Verdict::Conflict)
        conflicts.push_back(all()[i].name + " + " + all()[j].name);
      EXPECT_TRUE(o.failures.empty()) << all()[i].name << " + " << all()[j].name << ": "
                                      << (o.failures.empty() ? "" : o.failures[0]);
    }
  std::string unprobed;
  int unprobedCount = 0;
  for (const MethodUnderTest& m : all())
    if (!m.probe) {
      unprobed += " " + m.name;
      ++unprobedCount;
    }
  std::printf("composition matrix: %d pairs accepted and tested, %d rejected as conflicts, %d "
              "skipped (input kind mismatch); %d of %zu methods unprobed:%s\n",
              counts.tested, counts.conflicts, counts.skipped, unprobedCount, all().size(),
              unprobed.c_str());
  for (const std::string& c : conflicts)
    std::printf("  conflict: %s\n", c.c_str());
  EXPECT_EQ(counts.tested + counts.conflicts + counts.skipped,
            static_cast<int>(all().size() * (all().size() - 1) / 2));
}

} // namespace
} // namespace fiver::composition
