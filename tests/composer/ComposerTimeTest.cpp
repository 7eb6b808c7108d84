#include "compiler/composer/ComposerTime.h"

#include <gtest/gtest.h>

using namespace fiver;
using namespace fiver::composer;

TEST(ComposerTime, ParsesEveryUnitInAnyCase) {
  struct Case {
    const char* text;
    double value;
    TimeUnit unit;
  };
  for (const Case& c : {Case{"0.5dur", 0.5, TimeUnit::Duration}, Case{"10ep", 10, TimeUnit::Epoch},
                        Case{"100ba", 100, TimeUnit::Batch}, Case{"1000SP", 1000, TimeUnit::Sample},
                        Case{"2048tok", 2048, TimeUnit::Token}, Case{"30sec", 30, TimeUnit::Second},
                        Case{"3iter", 3, TimeUnit::Iteration}}) {
    std::optional<ComposerTime> t = parseComposerTime(c.text);
    ASSERT_TRUE(t) << c.text;
    EXPECT_EQ(t->value, c.value) << c.text;
    EXPECT_EQ(t->unit, c.unit) << c.text;
  }
  for (const char* bad : {"", "ep", "ten ep", "10", "10 epochs", "-1ep", "1e999ba"})
    EXPECT_FALSE(parseComposerTime(bad)) << bad;
}

TEST(ComposerTime, ConvertsToFiveRDurations) {
  EXPECT_EQ(toString(*toDuration({0.5, TimeUnit::Duration}, nullptr)), "50%");
  EXPECT_EQ(toString(*toDuration({100, TimeUnit::Batch}, nullptr)), "100 steps");
  EXPECT_EQ(toString(*toDuration({10, TimeUnit::Epoch}, nullptr)), "10 epochs");
  EXPECT_EQ(toString(*toDuration({1000, TimeUnit::Sample}, nullptr)), "1000 samples");
  std::string why;
  EXPECT_FALSE(toDuration({2048, TimeUnit::Token}, &why));
  EXPECT_NE(why.find("tokens"), std::string::npos);
}

TEST(ComposerTime, ExpressesTimesAsFractionsOfTheRun) {
  RunLength run{ComposerTime{90, TimeUnit::Epoch}, "max_duration 90ep"};
  EXPECT_EQ(toString(*toPercentOfRun({8, TimeUnit::Epoch}, run, nullptr)), "8.89%");
  EXPECT_EQ(toString(*toPercentOfRun({0.7, TimeUnit::Duration}, run, nullptr)), "70%");
  std::string why;
  EXPECT_FALSE(toPercentOfRun({500, TimeUnit::Batch}, run, &why));
  EXPECT_NE(why.find("max_duration 90ep"), std::string::npos);
}
