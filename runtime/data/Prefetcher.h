// A background thread that prepares batches ahead of the training step: it
// runs `produce` (draw a batch's indices from the sampler, gather its
// examples) into a bounded queue while the step computes, so the step does not
// wait on data. The loader owns what is drawn and when: it stops the producer
// before any change to what `produce` reads (a seam) and rewinds its sampler
// past batches that were prefetched but never served.
#pragma once

#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace fiver::runtime {

// One load from the split: a batch's indices and examples.
struct LoadedBatch {
  int64_t drawn = 0;     // indices drawn from the sampler (all ranks); 0: the epoch is over
  torch::Tensor indices; // this rank's example indices (int64, CPU)
  torch::Tensor images, labels;
};

class BatchPrefetcher {
public:
  explicit BatchPrefetcher(size_t depth = 2);
  ~BatchPrefetcher(); // stops the producer and joins its thread
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // Starts calling `produce` on the worker thread, keeping up to `depth`
  // batches ready, until it returns the end of the epoch or throws.
  void start(std::function<LoadedBatch()> produce);
  bool running() const;
  // The next batch, waiting for it. The end of the epoch is returned again on
  // every later call; what `produce` threw is rethrown, on every later call.
  LoadedBatch take();
  // Stops producing: waits for a batch in progress and drops what is queued.
  // True when a dropped batch had drawn indices (or `produce` threw), so the
  // sampler is ahead of what was served.
  bool stop();

private:
  struct Entry {
    LoadedBatch batch;
    std::exception_ptr error;
  };
  void work();

  const size_t depth_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Entry> queue_;
  std::function<LoadedBatch()> produce_;
  bool active_ = false;      // between start and stop
  bool finished_ = false;    // the epoch's end (or an error) is queued
  bool busy_ = false;        // produce() is running
  bool droppedDrew_ = false; // a batch finished after stop() had drawn indices
  bool shutdown_ = false;
  std::thread worker_; // last: started after the state above exists
};

} // namespace fiver::runtime
