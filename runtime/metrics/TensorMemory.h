// The bytes CPU tensors hold, counted by an allocator put in front of
// LibTorch's: how much memory a training step needs (parameters, optimizer
// state and the data set between steps; activations kept for the backward
// pass on top of them during a step). Methods that trade time for memory
// (activation_checkpointing, memory_efficient_attention) are measured with
// it, and `5rc profile` reads it to name a memory bottleneck. Tensors of other
// devices and memory that libraries allocate themselves are not counted.
#pragma once

#include <cstdint>

namespace fiver::runtime {

// One step's memory: what tensors held when it started, and the most they
// held at any moment during it.
struct StepMemory {
  int64_t restingBytes = 0;
  int64_t peakBytes = 0;
  int64_t activationBytes() const { return peakBytes - restingBytes; }
};

// Installs the counting allocator for the process (the first call; later
// calls do nothing). Tensors allocated before it are not counted when freed.
void countTensorMemory();
bool tensorMemoryCounted();

// Bytes held by tensors allocated since countTensorMemory, now.
int64_t tensorBytesNow();

// Brackets one training step: the peak restarts from what is held now.
void startStepMemory();
StepMemory endStepMemory();

// The step with the largest peak since the process started or the last
// reset (zero before any step).
StepMemory largestStepMemory();
void resetLargestStepMemory();

} // namespace fiver::runtime
