// Which kind of input a method's mechanism acts on. Most methods act on the
// weights, the loss or the schedule and fit any task; some resize, crop, mix
// or re-layout images, and some shorten token sequences. Such a method says so
// in its declaration (`inputs images`, `inputs text`); applied to the other
// kind of task it would do nothing or fail at run time, so sema rejects it
// (E0403).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fiver {

enum class InputKind { Any, Images, Tokens };

// The task's inputs: [C, H, W] are images, [T] token sequences.
InputKind taskInputKind(const std::vector<int64_t>& inputShape);

// The word after `inputs` in a method declaration: "images" or "text".
std::optional<InputKind> parseInputKind(const std::string& word);
// The words parseInputKind accepts, for messages and completion.
const std::vector<std::string>& inputKindWords();

// "images" or "token sequences", for messages.
const char* inputKindName(InputKind kind);

} // namespace fiver
