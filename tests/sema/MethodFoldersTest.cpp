// One method, one folder: every declared method lives in methods/<name>/
// with its declaration, card and effect test, and every folder there is a
// declared method.
#include "compiler/sema/Program.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace fiver {
namespace {

const fs::path kRoot = FIVER_TEST_SOURCE_DIR;

TEST(MethodFolders, EveryDeclaredMethodHasItsFolderCardAndEffectTest) {
  SourceManager sources;
  DiagnosticEngine diags;
  Program program =
      loadProgram("<folders>", std::string(), (kRoot / "stdlib").string(), sources, diags);
  ASSERT_FALSE(program.methods.empty());
  for (const auto& [name, decl] : program.methods) {
    const fs::path folder = kRoot / "methods" / name;
    EXPECT_EQ(fs::path(decl->range.begin.file).lexically_normal(),
              (folder / (name + ".5r")).lexically_normal())
        << name << " is declared outside its folder";
    EXPECT_TRUE(fs::exists(folder / "card.md")) << name << " has no card.md";
    EXPECT_TRUE(fs::exists(folder / "EffectTest.cpp")) << name << " has no EffectTest.cpp";
  }
}

TEST(MethodFolders, EveryFolderIsADeclaredMethod) {
  SourceManager sources;
  DiagnosticEngine diags;
  Program program =
      loadProgram("<folders>", std::string(), (kRoot / "stdlib").string(), sources, diags);
  for (const auto& entry : fs::directory_iterator(kRoot / "methods"))
    if (entry.is_directory())
      EXPECT_TRUE(program.methods.count(entry.path().filename().string()))
          << entry.path().string() << " declares no method of its name";
}

} // namespace
} // namespace fiver
