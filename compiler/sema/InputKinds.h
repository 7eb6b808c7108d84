// Which kind of input a method's mechanism acts on. Most methods act on the
// weights, the loss or the schedule and fit any task; some resize, crop, mix
// or re-layout images, and some shorten token sequences. A method applied to
// the other kind of task would do nothing or fail at run time, so sema
// rejects it (E0403).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fiver {

enum class InputKind { Any, Images, Tokens };

// The task's inputs: [C, H, W] are images, [T] token sequences.
InputKind taskInputKind(const std::vector<int64_t>& inputShape);

// What `method` needs; Any for methods that fit every task.
InputKind methodInputKind(const std::string& method);

// "images" or "token sequences", for messages.
const char* inputKindName(InputKind kind);

} // namespace fiver
