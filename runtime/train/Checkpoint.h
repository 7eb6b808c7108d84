// Checkpoints: everything a run needs to continue exactly where it stopped
// (weights and buffers, optimizer state, step, epoch, the loader's position,
// the random generator, each method's state), written atomically so that a
// run killed at any moment leaves the previous checkpoint or the new one.
//
// File layout: "FIVERCKPT1\n", the plan's fingerprint (8 bytes), the payload
// size (8 bytes), an FNV-1a checksum of the payload (8 bytes), then the
// payload (a LibTorch archive). Truncation and corruption are found before
// LibTorch reads anything, and reported with the byte offset.
#pragma once

#include "runtime/data/BatchLoader.h"
#include "runtime/train/Method.h"
#include "runtime/train/Trainer.h"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace fiver::runtime {

struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CheckpointProgress {
  int64_t step = 0;  // optimizer steps taken
  int64_t epoch = 0; // the epoch under way
  BatchLoader::Position loader;
  double trainSeconds = 0;
  double totalSeconds = 0; // wall time of the run so far, evaluation included
  double flops = -1;       // executed so far (FlopCounter); -1: not recorded
  int64_t images = 0;
  std::vector<EpochResult> epochs;    // evaluated so far
  std::vector<EvalPoint> evalPoints;  // between epoch ends (TrainOptions::evalEvery)
  std::vector<EvalPoint> evaluations; // all of them, in order (TrainResult::evaluations)
  // What methods chose before training (TrainState::findings): a resumed
  // run reuses them instead of choosing again.
  std::map<std::string, double> findings;
  // FLOPs by FlopCounter kind (evaluation included), indexed by FlopKind;
  // empty in checkpoints written before they were kept apart.
  std::vector<double> flopsByKind;
};

// Identifies the plan a checkpoint belongs to (FNV-1a of its YAML text).
uint64_t planFingerprint(const plan::Plan& plan);

struct CheckpointParts {
  const plan::Plan& plan;
  PlanModel& model;
  torch::optim::Optimizer& optimizer;
  const std::vector<std::unique_ptr<Method>>& methods;
};

// Throws CheckpointError when the file cannot be written.
void saveCheckpoint(const std::string& path, const CheckpointParts& parts,
                    const CheckpointProgress& progress);
// Restores model, optimizer, generator and methods in place; throws
// CheckpointError naming the file (and the byte offset for damaged files).
CheckpointProgress loadCheckpoint(const std::string& path, const CheckpointParts& parts);
// Only the findings, read before methods run (an empty map for checkpoints
// that hold none).
std::map<std::string, double> loadCheckpointFindings(const std::string& path,
                                                     const plan::Plan& plan);

} // namespace fiver::runtime
