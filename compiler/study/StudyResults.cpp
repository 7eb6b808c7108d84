#include "compiler/study/StudyResults.h"

#include "compiler/study/StudyGrid.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <istream>
#include <ostream>
#include <stdexcept>

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
    std::vector<int64_t> steps;
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
    if (g == s->groups.end()) g = s->groups.insert(s->groups.end(), Group{r.budget, {}, {}, {}});
    g->times.push_back(r.trainSeconds);
    g->qualities.push_back(r.quality());
    g->steps.push_back(r.steps);
  }
  std::vector<Series> out;
  for (const SeriesGroups& s : all) {
    Series series{s.name, s.variant, {}};
    for (const Group& g : s.groups) {
      SeriesPoint p;
      p.series = s.name;
      p.budget = g.budget;
      p.runs = g.times.size();
      p.meanTime = mean(g.times);
      p.stdTime = sampleStd(g.times);
      p.meanQuality = mean(g.qualities);
      p.stdQuality = sampleStd(g.qualities);
      p.times = g.times;
      p.qualities = g.qualities;
      bool sameSteps = std::all_of(g.steps.begin(), g.steps.end(),
                                   [&](int64_t n) { return n == g.steps.front(); });
      p.steps = sameSteps ? g.steps.front() : -1;
      series.points.push_back(std::move(p));
    }
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
// FLOP counts in full, not as 1.23457e+12.
std::string wholeNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}
} // namespace

void writeResultsCsv(std::ostream& os, const std::vector<RunRow>& rows) {
  os << "recipe,variant,budget,seed,plan_hash,train_seconds,test_accuracy,epochs,steps,"
        "eval_split,holdout_accuracy,train_flops,parameters\n";
  for (const RunRow& r : rows) {
    os << csvField(r.recipe) << ',' << csvField(r.variant) << ',' << csvField(r.budget) << ','
       << r.seed << ',' << r.planHash << ',' << r.trainSeconds << ',';
    if (!std::isnan(r.testAccuracy)) os << r.testAccuracy;
    os << ',' << r.epochs << ',' << r.steps << ',' << r.evalSplit << ',';
    if (r.evalSplit == "holdout") os << r.holdoutAccuracy;
    os << ',';
    if (!std::isnan(r.trainFlops)) os << wholeNumber(r.trainFlops);
    os << ',' << r.parameters << '\n';
  }
}

namespace {
// One CSV line's fields; a quoted field may hold commas and doubled quotes.
std::vector<std::string> csvFields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

double numberOr(const std::string& text, double fallback) {
  if (text.empty()) return fallback;
  size_t used = 0;
  double v = std::stod(text, &used);
  if (used != text.size()) throw std::invalid_argument(text);
  return v;
}
} // namespace

bool readResultsCsv(std::istream& is, std::vector<RunRow>& rows, std::string& error) {
  std::string line;
  if (!std::getline(is, line)) {
    error = "no header line";
    return false;
  }
  const std::vector<std::string> header = csvFields(line);
  for (const char* required : {"recipe", "variant", "budget", "seed", "train_seconds"})
    if (std::find(header.begin(), header.end(), required) == header.end()) {
      error = std::string("no '") + required + "' column";
      return false;
    }
  size_t lineNo = 1;
  while (std::getline(is, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields = csvFields(line);
    if (fields.size() != header.size()) {
      error = "line " + std::to_string(lineNo) + ": " + std::to_string(fields.size()) +
              " fields, the header has " + std::to_string(header.size());
      return false;
    }
    RunRow r;
    try {
      for (size_t i = 0; i < header.size(); ++i) {
        const std::string& name = header[i];
        const std::string& v = fields[i];
        if (name == "recipe")
          r.recipe = v;
        else if (name == "variant")
          r.variant = v;
        else if (name == "budget")
          r.budget = v;
        else if (name == "seed")
          r.seed = static_cast<uint64_t>(numberOr(v, 0));
        else if (name == "plan_hash")
          r.planHash = v;
        else if (name == "train_seconds")
          r.trainSeconds = numberOr(v, 0);
        else if (name == "test_accuracy")
          r.testAccuracy = numberOr(v, std::nan(""));
        else if (name == "epochs")
          r.epochs = static_cast<int64_t>(numberOr(v, 0));
        else if (name == "steps")
          r.steps = static_cast<int64_t>(numberOr(v, 0));
        else if (name == "eval_split")
          r.evalSplit = v.empty() ? "test" : v;
        else if (name == "holdout_accuracy")
          r.holdoutAccuracy = numberOr(v, 0);
        else if (name == "train_flops")
          r.trainFlops = numberOr(v, std::nan(""));
        else if (name == "parameters")
          r.parameters = static_cast<int64_t>(numberOr(v, 0));
      }
    } catch (const std::exception&) {
      error = "line " + std::to_string(lineNo) + ": a number column holds text";
      return false;
    }
    rows.push_back(std::move(r));
  }
  return true;
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
                   {"eval_split", r.evalSplit},
                   {"train_flops", r.trainFlops}, // NaN (not counted) is written as null
                   {"parameters", r.parameters}});
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].evalSplit == "holdout") out[i]["holdout_accuracy"] = rows[i].holdoutAccuracy;
  os << out.dump(2) << "\n";
}

} // namespace fiver::study
