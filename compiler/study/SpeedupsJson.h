// speedups.json: report.md's speedup table for programs: per series and
// budget, the survey's Definition 2.1 pair with its confidence intervals and
// verdict, and FiveR's curve reading, labelled apart.
#pragma once

#include "compiler/study/StudyAnalysis.h"

#include <nlohmann/json.hpp>

#include <string>

namespace fiver::study {

nlohmann::json speedupsJson(const StudyAnalysis& analysis, const std::string& reference);

} // namespace fiver::study
