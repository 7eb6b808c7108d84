// OpenBLAS keeps its own thread pool, sized to the machine, whatever
// torch::set_num_threads says (Debian's LibTorch does not pass the count on).
// Where other processes share the cores, its threads wait on each other:
// Muon's chain of 64 x 576 fp32 products ran 100-200x slower (117-199 ms
// against 0.5 ms a chain) than with OpenBLAS on one thread.
#pragma once

namespace fiver::runtime {

// Gives OpenBLAS the run's thread count; does nothing in a process without
// OpenBLAS (a LibTorch with its own BLAS).
void setBlasThreads(int threads);

} // namespace fiver::runtime
