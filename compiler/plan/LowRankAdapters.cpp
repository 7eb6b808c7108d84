#include "compiler/plan/LowRankAdapters.h"

#include <map>
#include <stdexcept>

namespace fiver::plan {

std::vector<LowRankAdapter> lowRankAdapters(const std::vector<Op>& ops) {
  std::map<std::string, int> index;
  for (size_t i = 0; i < ops.size(); ++i)
    index[ops[i].name] = static_cast<int>(i);
  std::map<std::string, LowRankAdapter> byBase;
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string base = getString(ops[i].attrs, std::string(kAdapterOf), "");
    if (base.empty()) continue;
    auto found = index.find(base);
    if (found == index.end())
      throw std::runtime_error("op '" + ops[i].name + "' adapts '" + base +
                               "', which the plan does not have");
    LowRankAdapter& a = byBase[base];
    a.base = found->second;
    const std::string part = getString(ops[i].attrs, std::string(kAdapterPart), "");
    const int at = static_cast<int>(i);
    if (part == "down")
      a.down = at;
    else if (part == "up")
      a.up = at;
    else if (part == "scale") {
      a.scale = at;
      a.factor = getNumber(ops[i].attrs, "factor", 1);
    } else if (part == "join")
      a.join = at;
    else
      throw std::runtime_error("op '" + ops[i].name + "' is an adapter part '" + part +
                               "' (known: down, up, scale, join)");
  }
  std::vector<LowRankAdapter> out;
  for (const auto& [base, a] : byBase) {
    if (a.down < 0 || a.up < 0 || a.scale < 0 || a.join < 0)
      throw std::runtime_error("the low-rank adapter of '" + base + "' lacks a part");
    out.push_back(a);
  }
  return out;
}

} // namespace fiver::plan
