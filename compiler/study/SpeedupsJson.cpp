#include "compiler/study/SpeedupsJson.h"

namespace fiver::study {

namespace {
nlohmann::json intervalJson(const std::optional<Interval>& i) {
  if (!i) return nullptr;
  return nlohmann::json::array({i->low, i->high}); // +∞ is written as null
}

std::string changeText(Change c) {
  switch (c) {
  case Change::Better:
    return "better";
  case Change::Worse:
    return "worse";
  case Change::NotSignificant:
    return "not significant";
  }
  return "";
}

std::string boundText(Bound b) {
  switch (b) {
  case Bound::Exact:
    return "exact";
  case Bound::AtLeast:
    return "at_least";
  case Bound::AtMost:
    return "at_most";
  }
  return "";
}
} // namespace

nlohmann::json speedupsJson(const StudyAnalysis& a, const std::string& reference) {
  nlohmann::json out = {{"reference", reference},
                        {"confidence", kConfidence},
                        {"interval", "Welch t interval of the difference of the means, "
                                     "relative to the reference's mean"},
                        {"series", nlohmann::json::array()}};
  for (const SeriesSpeedup& sp : a.speedups) {
    const Series& s = a.series[sp.series];
    nlohmann::json points = nlohmann::json::array();
    for (size_t p = 0; p < s.points.size(); ++p) {
      nlohmann::json point = {{"budget", s.points[p].budget}};
      if (const std::optional<BudgetComparison>& c = sp.definition[p]) {
        const DefinitionSpeedup& d = c->speedup;
        point["survey_definition_2_1"] = {
            {"reference_budget", a.series[a.reference].points[c->referencePoint].budget},
            {"epsilon", d.epsilon},
            {"epsilon_interval", intervalJson(d.epsilonInterval)},
            {"delta", d.delta},
            {"delta_interval", intervalJson(d.deltaInterval)},
            {"time", changeText(d.time)},
            {"quality", changeText(d.quality)},
            {"verdict", verdictText(d.verdict)}};
      } else {
        point["survey_definition_2_1"] = nullptr; // no reference run at this budget
      }
      point["fiver_curve_reading"] = {{"epsilon", sp.curve[p].epsilon.value},
                                      {"epsilon_bound", boundText(sp.curve[p].epsilon.bound)},
                                      {"delta", sp.curve[p].delta.value},
                                      {"delta_bound", boundText(sp.curve[p].delta.bound)}};
      points.push_back(std::move(point));
    }
    out["series"].push_back(
        {{"name", s.name}, {"verdict", verdictText(sp.verdict)}, {"points", std::move(points)}});
  }
  return out;
}

} // namespace fiver::study
