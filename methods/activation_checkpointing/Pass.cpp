#include "methods/activation_checkpointing/Pass.h"
#include "passes/PassRegistry.h"

#include "passes/MethodParams.h"
#include "passes/OpAttrs.h"

#include <algorithm>
#include <numeric>

namespace fiver::passes {

std::vector<size_t> balancedRuns(const std::vector<int64_t>& pieceSizes, int64_t segments) {
  std::vector<size_t> starts;
  if (pieceSizes.empty() || segments <= 0) return starts;
  const double total =
      static_cast<double>(std::accumulate(pieceSizes.begin(), pieceSizes.end(), int64_t{0}));
  const double share = total / static_cast<double>(segments);
  double before = 0; // size of the pieces before piece i
  starts.push_back(0);
  for (size_t i = 1; i < pieceSizes.size(); ++i) {
    before += static_cast<double>(pieceSizes[i - 1]);
    // A new run starts at the first piece past the next share's boundary.
    if (static_cast<int64_t>(starts.size()) < segments &&
        before >= share * static_cast<double>(starts.size()) - 1e-9)
      starts.push_back(i);
  }
  return starts;
}

namespace {

int64_t elements(const ir::OpNode& op) {
  int64_t n = 1;
  for (int64_t d : op.shape)
    n *= std::max<int64_t>(1, d);
  return n;
}

} // namespace

bool ActivationCheckpointingPass::run(ir::TrainingGraph& g, DiagnosticEngine&) {
  const MethodUse* m = g.findMethod(std::string(enabledBy()));
  if (!m) return false;
  const std::vector<ir::OpId> order = g.opsInOrder();
  const size_t n = order.size();
  if (n < 3) {
    g.notes.push_back("activation_checkpointing: the model is too small to segment");
    return false;
  }
  std::vector<size_t> position(boost::num_vertices(g.model), 0);
  for (size_t p = 0; p < n; ++p)
    position[order[p]] = p;
  // earliestRead[p]: the earliest op any op from p on reads.
  std::vector<size_t> earliestRead(n + 1, n);
  for (size_t p = n; p-- > 0;) {
    size_t earliest = p;
    for (ir::OpId in : g.inputsOf(order[p]))
      earliest = std::min(earliest, position[in]);
    earliestRead[p] = std::min(earliest, earliestRead[p + 1]);
  }
  // Pieces: the ops after the input, cut after op p when the ops after it
  // read nothing before it.
  std::vector<size_t> pieceStart = {1};
  for (size_t p = 1; p + 1 < n; ++p)
    if (earliestRead[p + 1] >= p) pieceStart.push_back(p + 1);
  std::vector<int64_t> pieceSize;
  for (size_t k = 0; k < pieceStart.size(); ++k) {
    const size_t end = k + 1 < pieceStart.size() ? pieceStart[k + 1] : n;
    int64_t size = 0;
    for (size_t p = pieceStart[k]; p < end; ++p)
      size += elements(g.model[order[p]]);
    pieceSize.push_back(size);
  }
  if (pieceSize.size() < 2) {
    g.notes.push_back("activation_checkpointing: no single tensor crosses between the model's "
                      "layers, so it cannot be cut into segments");
    return false;
  }
  const std::vector<size_t> runs =
      balancedRuns(pieceSize, static_cast<int64_t>(numberParam(*m, "segments", 4)));
  for (size_t r = 0; r < runs.size(); ++r) {
    const size_t first = pieceStart[runs[r]];
    const size_t end = r + 1 < runs.size() ? pieceStart[runs[r + 1]] : n;
    for (size_t p = first; p < end; ++p)
      g.model[order[p]].attrs["recompute"] = countAttr(static_cast<int64_t>(r + 1));
  }
  g.notes.push_back("activation_checkpointing: " + std::to_string(runs.size()) +
                    " segments recompute their activations in backward, cut at " +
                    std::to_string(pieceSize.size() - 1) + " places where one tensor crosses");
  return true;
}

namespace {
const PassRegistrar kPass([] { return std::make_unique<ActivationCheckpointingPass>(); });
} // namespace

} // namespace fiver::passes
