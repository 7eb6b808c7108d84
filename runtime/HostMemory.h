// Host memory policy for training processes. LibTorch's CPU allocator asks
// malloc for every tensor, and glibc serves blocks above its mmap threshold
// (at most 32 MB) with fresh mmaps and trims freed heap tops back to the
// system: every large activation of every step then page-faults its memory
// in again, which costs more than the arithmetic of an elementwise op. A
// training step allocates the same sizes over and over, so the process keeps
// what it frees and reuses it.
#pragma once

namespace fiver::runtime {

// Serves every allocation from the heap and never returns freed memory to
// the system (glibc; elsewhere a no-op). Call once, first thing in main.
void keepFreedHostMemory();

} // namespace fiver::runtime
