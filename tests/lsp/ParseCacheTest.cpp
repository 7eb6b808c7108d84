// The parse cache the language server checks through: same program and
// diagnostics as a fresh load, and only changed files parsed again.
#include "compiler/sema/ParseCache.h"
#include "compiler/sema/Check.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace fiver;

namespace {
const std::string kStdlib = std::string(FIVER_TEST_SOURCE_DIR) + "/stdlib";
const std::string kPath = "/nonexistent/parse-cache/doc.5r";

std::vector<std::string> messages(const DiagnosticEngine& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.diagnostics())
    out.push_back(std::to_string(d.range.begin.line) + ":" + std::to_string(d.range.begin.column) +
                  " " + d.message);
  return out;
}

struct Loaded {
  Program program;
  SourceManager sources;
  DiagnosticEngine diags;
};

std::unique_ptr<Loaded> viaCache(ParseCache& cache, const std::string& text) {
  auto l = std::make_unique<Loaded>();
  l->program = cache.load(kPath, text, kStdlib, l->sources, l->diags);
  checkLoadedFile(l->program, l->diags);
  return l;
}

std::unique_ptr<Loaded> fresh(const std::string& text) {
  auto l = std::make_unique<Loaded>();
  CheckRequest request;
  request.path = kPath;
  request.stdlibDir = kStdlib;
  request.text = text;
  checkFile(request, l->sources, l->diags);
  DiagnosticEngine again; // the check above already reported these
  l->program = loadProgram(kPath, text, kStdlib, l->sources, again);
  return l;
}
} // namespace

TEST(ParseCache, SecondLoadParsesOnlyTheChangedDocument) {
  ParseCache cache;
  viaCache(cache, "recipe a {\n  budget 2 epochs\n}\n");
  size_t first = cache.parses();
  EXPECT_GT(first, 1u); // the stdlib files and the document
  viaCache(cache, "recipe a {\n  budget 3 epochs\n}\n");
  EXPECT_EQ(cache.parses(), first + 1);
  viaCache(cache, "recipe a {\n  budget 3 epochs\n}\n");
  EXPECT_EQ(cache.parses(), first + 1);
}

TEST(ParseCache, MatchesAFreshCheck) {
  const std::string texts[] = {
      "recipe a {\n  budget 2 epochs\n  retrofit model_parameters static domain ema()\n}\n",
      "recipe a {\n  budget 2 epochs\n  bogus 3\n}\n",
      "recipe a {\n  budget 2 epochs\n", // syntax error: replayed from the cache too
  };
  ParseCache cache;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& text : texts) {
      auto cached = viaCache(cache, text);
      auto plain = fresh(text);
      EXPECT_EQ(messages(cached->diags), messages(plain->diags)) << text;
      EXPECT_EQ(cached->program.sourceHash, plain->program.sourceHash);
      EXPECT_EQ(cached->program.files.size(), plain->program.files.size());
      EXPECT_EQ(cached->program.methodNames(), plain->program.methodNames());
    }
  }
}

// The source hash names a recipe's text in every plan written so far: this
// value was computed before the hash moved to one shared helper.
TEST(ParseCache, SourceHashIsStable) {
  const auto noStdlib = std::filesystem::temp_directory_path() / "fiver-empty-stdlib";
  std::filesystem::create_directories(noStdlib);
  const std::string text = "recipe a {}\n";
  ParseCache cache;
  SourceManager cachedSources, plainSources;
  DiagnosticEngine cachedDiags, plainDiags;
  EXPECT_EQ(cache.load(kPath, text, noStdlib.string(), cachedSources, cachedDiags).sourceHash,
            "50f05c8010d317e6");
  EXPECT_EQ(loadProgram(kPath, text, noStdlib.string(), plainSources, plainDiags).sourceHash,
            "50f05c8010d317e6");
}
