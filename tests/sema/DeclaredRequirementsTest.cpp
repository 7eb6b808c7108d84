// `inputs` and `requires` in method declarations: a method says which kind of
// task it acts on and what it needs of the model, and sema rejects a recipe
// that breaks either exactly as it rejects the standard library's methods.
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <string>

using namespace fiver;
using namespace fiver::test;

namespace {

const std::string kTextRecipeHead = "recipe t {\n"
                                    "  task synthetic_text\n"
                                    "  model tiny_gpt(dim: 32, blocks: 1, heads: 2)\n"
                                    "  budget 2 epochs\n";

std::string methodDecl(const std::string& name, const std::string& item) {
  return "method " + name + " : restrict training_algorithm static domain {\n  " + item + "\n}\n";
}

std::string use(const std::string& name) {
  return "  restrict training_algorithm static domain " + name + "\n";
}

} // namespace

TEST(DeclaredRequirements, InputsTextOnAnImageTaskIsRejectedLikeSeqLengthWarmup) {
  auto declared = checkText(methodDecl("shortener", "inputs text") + recipeWith(use("shortener")));
  const Diagnostic* d = declared.first(DiagId::WrongInputKind);
  ASSERT_NE(d, nullptr) << declared.rendered();
  EXPECT_EQ(d->message, "method 'shortener' acts on token sequences, but task 'fashion_mnist' "
                        "gives images");
  EXPECT_EQ(d->range.begin.line, 8u); // the method's line in the recipe
  EXPECT_FALSE(declared.recipe);

  auto stdlib = checkText(recipeWith("  reorder training_data dynamic domain seq_length_warmup\n"));
  const Diagnostic* s = stdlib.first(DiagId::WrongInputKind);
  ASSERT_NE(s, nullptr) << stdlib.rendered();
  EXPECT_EQ(s->message, "method 'seq_length_warmup' acts on token sequences, but task "
                        "'fashion_mnist' gives images");
  ASSERT_EQ(d->notes.size(), s->notes.size());
  EXPECT_EQ(d->notes[0].message, s->notes[0].message);
  EXPECT_EQ(d->notes[0].range.begin.line, s->notes[0].range.begin.line); // the task
}

TEST(DeclaredRequirements, InputsImagesOnATextTaskIsRejected) {
  auto out =
      checkText(methodDecl("resizer", "inputs images") + kTextRecipeHead + use("resizer") + "}\n");
  const Diagnostic* d = out.first(DiagId::WrongInputKind);
  ASSERT_NE(d, nullptr) << out.rendered();
  EXPECT_EQ(d->message,
            "method 'resizer' acts on images, but task 'synthetic_text' gives token sequences");
}

TEST(DeclaredRequirements, AMethodWithoutInputsFitsEveryTask) {
  const std::string decl = methodDecl("anywhere", "effect T_i");
  auto image = checkText(decl + recipeWith(use("anywhere")));
  EXPECT_TRUE(image.recipe) << image.rendered();
  auto text = checkText(decl + kTextRecipeHead + use("anywhere") + "}\n");
  EXPECT_TRUE(text.recipe) << text.rendered();
  auto matching =
      checkText(methodDecl("reader", "inputs text") + kTextRecipeHead + use("reader") + "}\n");
  EXPECT_TRUE(matching.recipe) << matching.rendered();
}

TEST(DeclaredRequirements, RequiresEmbeddingWithoutOneIsRejectedLikeWeightTying) {
  auto out = checkText(methodDecl("sharer", "requires embedding") + recipeWith(use("sharer")));
  const Diagnostic* d = out.first(DiagId::NothingToTie);
  ASSERT_NE(d, nullptr) << out.rendered();
  EXPECT_EQ(d->message, "model 'small_cnn' has no pair of layers that sharer could tie");
  ASSERT_EQ(d->notes.size(), 2u);
  EXPECT_EQ(d->notes[0].range.begin.line, 6u); // the model line

  auto withEmbedding = checkText(methodDecl("sharer", "requires embedding") + kTextRecipeHead +
                                 use("sharer") + "}\n");
  EXPECT_TRUE(withEmbedding.recipe) << withEmbedding.rendered();
}

TEST(DeclaredRequirements, UnknownWordsAreReportedAtTheDeclaration) {
  auto inputs = checkText(methodDecl("odd", "inputs audio") + recipeWith(use("odd")));
  const Diagnostic* d = inputs.first(DiagId::SyntaxError);
  ASSERT_NE(d, nullptr) << inputs.rendered();
  EXPECT_NE(d->message.find("'images' or 'text', not 'audio'"), std::string::npos) << d->message;
  EXPECT_EQ(d->range.begin.line, 2u);

  auto needs = checkText(methodDecl("odd", "requires attention") + recipeWith(use("odd")));
  const Diagnostic* r = needs.first(DiagId::SyntaxError);
  ASSERT_NE(r, nullptr) << needs.rendered();
  EXPECT_NE(r->message.find("'embedding'"), std::string::npos) << r->message;
  EXPECT_NE(r->message.find("not 'attention'"), std::string::npos) << r->message;
}
