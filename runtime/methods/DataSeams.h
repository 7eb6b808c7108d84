// The seams through which data methods change what is loaded: they go
// through the run's BatchLoader (sampler, batch size, echo), never the
// training loop.
#pragma once

#include "runtime/train/Method.h"

namespace fiver::runtime {

class BatchLoader;
struct Split;

// The run's loader, for methods that change what is loaded; throws naming
// `method` when the state has none.
BatchLoader& loaderOf(TrainState& s, const char* method);

} // namespace fiver::runtime
