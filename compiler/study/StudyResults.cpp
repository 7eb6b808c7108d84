#include "compiler/study/StudyResults.h"

#include "compiler/study/StudyGrid.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ostream>

namespace fiver::study {

double mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (double v : values)
    sum += v;
  return sum / static_cast<double>(values.size());
}

double sampleStd(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  double m = mean(values), ss = 0;
  for (double v : values)
    ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(values.size() - 1));
}

std::vector<Series> aggregate(const std::vector<RunRow>& rows) {
  struct Group {
    std::string budget;
    std::vector<double> times, qualities;
  };
  struct SeriesGroups {
    std::string name, variant;
    std::vector<Group> groups;
  };
  std::vector<SeriesGroups> all;
  for (const RunRow& r : rows) {
    std::string name = seriesName(r.recipe, r.variant);
    auto s = std::find_if(all.begin(), all.end(), [&](const auto& g) { return g.name == name; });
    if (s == all.end()) s = all.insert(all.end(), SeriesGroups{name, r.variant, {}});
    auto g = std::find_if(s->groups.begin(), s->groups.end(),
                          [&](const Group& x) { return x.budget == r.budget; });
    if (g == s->groups.end()) g = s->groups.insert(s->groups.end(), Group{r.budget, {}, {}});
    g->times.push_back(r.trainSeconds);
    g->qualities.push_back(r.quality());
  }
  std::vector<Series> out;
  for (const SeriesGroups& s : all) {
    Series series{s.name, s.variant, {}};
    for (const Group& g : s.groups)
      series.points.push_back({s.name, g.budget, g.times.size(), mean(g.times), sampleStd(g.times),
                               mean(g.qualities), sampleStd(g.qualities)});
    out.push_back(std::move(series));
  }
  return out;
}

namespace {
// Recipe names and budgets hold no commas or quotes; quote anyway when they do.
std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
} // namespace

void writeResultsCsv(std::ostream& os, const std::vector<RunRow>& rows) {
  os << "recipe,variant,budget,seed,plan_hash,train_seconds,test_accuracy,epochs,steps,"
        "eval_split,holdout_accuracy\n";
  for (const RunRow& r : rows) {
    os << csvField(r.recipe) << ',' << csvField(r.variant) << ',' << csvField(r.budget) << ','
       << r.seed << ',' << r.planHash << ',' << r.trainSeconds << ',';
    if (!std::isnan(r.testAccuracy)) os << r.testAccuracy;
    os << ',' << r.epochs << ',' << r.steps << ',' << r.evalSplit << ',';
    if (r.evalSplit == "holdout") os << r.holdoutAccuracy;
    os << '\n';
  }
}

void writeResultsJson(std::ostream& os, const std::vector<RunRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const RunRow& r : rows)
    out.push_back({{"recipe", r.recipe},
                   {"variant", r.variant},
                   {"budget", r.budget},
                   {"seed", r.seed},
                   {"plan_hash", r.planHash},
                   {"train_seconds", r.trainSeconds},
                   {"test_accuracy", r.testAccuracy}, // NaN is written as null
                   {"epochs", r.epochs},
                   {"steps", r.steps},
                   {"eval_split", r.evalSplit}});
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].evalSplit == "holdout") out[i]["holdout_accuracy"] = rows[i].holdoutAccuracy;
  os << out.dump(2) << "\n";
}

} // namespace fiver::study
