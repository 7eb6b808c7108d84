#include "compiler/plan/OpKinds.h"

#include "compiler/plan/OpRules.h"

#include <array>
#include <sstream>

namespace fiver::plan {

namespace {

constexpr std::array<OpKindInfo, kOpKindCount> kTable = {{
#define FIVER_OP_KIND(Id, name, minIn, maxIn, attrs, flags, flops, resize, shapeRule, costRule)    \
  {OpKind::Id, name, minIn, maxIn, attrs, flags, flops, resize, shapeRule, costRule},
#include "compiler/plan/OpKinds.def"
#undef FIVER_OP_KIND
}};

constexpr bool rowsInEnumOrder() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].kind) != i || kTable[i].name != kOpKindNames[i] ||
        !kTable[i].shape || !kTable[i].cost)
      return false;
  return true;
}
static_assert(rowsInEnumOrder(), "every op kind row needs a name and both rules");

} // namespace

std::vector<std::string> OpKindInfo::requiredAttrs() const {
  std::vector<std::string> keys;
  std::istringstream words{std::string(attrs)};
  for (std::string key; words >> key;)
    keys.push_back(key);
  return keys;
}

const OpKindInfo& info(OpKind kind) {
  return kTable[static_cast<size_t>(kind)];
}

std::vector<OpKind> allOpKinds() {
  std::vector<OpKind> kinds;
  for (const OpKindInfo& row : kTable)
    kinds.push_back(row.kind);
  return kinds;
}

bool hasFlag(std::string_view name, OpFlag flag) {
  std::optional<OpKind> kind = opKindFromName(name);
  return kind && info(*kind).has(flag);
}

double elementwiseFlops(std::string_view kind) {
  std::optional<OpKind> known = opKindFromName(kind);
  return known ? info(*known).flopsPerElement : 1;
}

} // namespace fiver::plan
