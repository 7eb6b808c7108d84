// The composition matrix: for every pair of stdlib methods the checker
// accepts together, a tiny run with both in which each method's probe must
// still see its own effect, on the image task and on the text task when
// both methods fit it. Sharded by the pair's first method (in stdlib order)
// so that ctest runs the shards in parallel; each shard also runs its method
// alone on every kind it fits, so a probe that fails alone is told apart
// from a pair.
#include "compiler/sema/Program.h"
#include "tests/composition/PairRun.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

namespace fiver::composition {
namespace {

const std::vector<MethodUnderTest>& all() {
  return methodsUnderTest();
}

std::string cellName(const std::vector<const MethodUnderTest*>& methods, InputKind kind) {
  std::string name;
  for (const MethodUnderTest* m : methods)
    name += (name.empty() ? "" : " + ") + m->name;
  return name + " (" + kindName(kind) + ")";
}

struct Counts {
  std::map<InputKind, int> tested, conflicts;
  int skipped = 0, waived = 0;
  void add(const CellOutcome& o, InputKind kind) {
    if (o.verdict == CellOutcome::Verdict::Ran) ++tested[kind];
    if (o.verdict == CellOutcome::Verdict::Conflict) ++conflicts[kind];
    waived += static_cast<int>(o.waived.size());
  }
  std::string text() const {
    std::string out;
    for (InputKind k : {InputKind::Image, InputKind::Text})
      out += std::string(out.empty() ? "" : ", ") +
             std::to_string(tested.count(k) ? tested.at(k) : 0) + " tested and " +
             std::to_string(conflicts.count(k) ? conflicts.at(k) : 0) +
             " rejected as conflicts on " + kindName(k);
    out += ", " + std::to_string(skipped) + " skipped (no input kind in common)";
    return waived == 0 ? out : out + ", " + std::to_string(waived) + " probes waived";
  }
};

void report(const std::vector<const MethodUnderTest*>& methods, InputKind kind,
            const CellOutcome& o) {
  for (const std::string& w : o.waived)
    std::printf("  %s: probe of %s not run\n", cellName(methods, kind).c_str(), w.c_str());
  if (o.failures.empty()) return;
  std::string text;
  for (const std::string& f : o.failures)
    text += "\n  " + f;
  ADD_FAILURE() << cellName(methods, kind) << " on the "
                << (methods.size() == 1 ? "method alone" : "pair") << ":" << text;
}

class Shard : public ::testing::TestWithParam<size_t> {};

TEST_P(Shard, EachMethodKeepsItsEffectBesideEveryLaterMethod) {
  const MethodUnderTest& first = all()[GetParam()];
  for (InputKind kind : sharedKinds({&first}))
    report({&first}, kind, runCell({&first}, kind));
  Counts counts;
  for (size_t j = GetParam() + 1; j < all().size(); ++j) {
    const std::vector<const MethodUnderTest*> pair = {&first, &all()[j]};
    const std::vector<InputKind> kinds = sharedKinds(pair);
    if (kinds.empty()) ++counts.skipped;
    for (InputKind kind : kinds) {
      const CellOutcome o = runCell(pair, kind);
      counts.add(o, kind);
      report(pair, kind, o);
    }
  }
  std::printf("%s: %s%s\n", first.name.c_str(), counts.text().c_str(),
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

  // Each method's input kinds are its declaration's: `inputs images` or
  // `inputs text` restrict them, and so does `requires embedding` (only the
  // text task's model has one); any other method runs on both tasks.
  for (const MethodUnderTest& m : all()) {
    const ast::MethodDecl* decl = program.methods.at(m.name);
    std::set<InputKind> declared = {InputKind::Image, InputKind::Text};
    if (decl->inputs.text == "images") declared = {InputKind::Image};
    if (decl->inputs.text == "text") declared = {InputKind::Text};
    for (const ast::Word& r : decl->requirements)
      if (r.text == "embedding") declared.erase(InputKind::Image);
    EXPECT_EQ(m.fits, declared) << m.name << "'s effect fits other inputs than it declares";
  }

  Counts counts;
  int cells = 0;
  std::vector<std::string> conflicts;
  for (size_t i = 0; i < all().size(); ++i)
    for (size_t j = i + 1; j < all().size(); ++j) {
      const std::vector<const MethodUnderTest*> pair = {&all()[i], &all()[j]};
      const std::vector<InputKind> kinds = sharedKinds(pair);
      if (kinds.empty()) ++counts.skipped;
      for (InputKind kind : kinds) {
        const CellOutcome o = checkCell(pair, kind);
        counts.add(o, kind);
        ++cells;
        if (o.verdict == CellOutcome::Verdict::Conflict) conflicts.push_back(cellName(pair, kind));
        EXPECT_TRUE(o.failures.empty())
            << cellName(pair, kind) << ": " << (o.failures.empty() ? "" : o.failures[0]);
      }
    }
  std::string unprobed;
  int unprobedCount = 0;
  for (const MethodUnderTest& m : all())
    if (!m.probe) {
      unprobed += " " + m.name;
      ++unprobedCount;
    }
  std::printf("composition matrix: %d pairs, %d cells: %s; %d of %zu methods unprobed:%s\n",
              static_cast<int>(all().size() * (all().size() - 1) / 2), cells, counts.text().c_str(),
              unprobedCount, all().size(), unprobed.c_str());
  for (const std::string& c : conflicts)
    std::printf("  conflict: %s\n", c.c_str());
  // Every cell either ran or was rejected as a conflict: nothing else.
  int decided = 0;
  for (const auto& [kind, n] : counts.tested)
    decided += n;
  for (const auto& [kind, n] : counts.conflicts)
    decided += n;
  EXPECT_EQ(decided, cells);
}

} // namespace
} // namespace fiver::composition
