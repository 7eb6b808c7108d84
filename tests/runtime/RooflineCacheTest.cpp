// The roofline cache: a peak measured under load is never kept, and a kept
// one counts only on the CPU, thread count and libraries it was measured
// with. Fed with /proc text and measurements of the tests' own making.
#include "runtime/profile/RooflineCache.h"

#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

const char* kCpuinfo =
    "processor\t: 0\nvendor_id\t: GenuineIntel\n"
    "model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz\n"
    "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz\n";

MachineIdentity machine() {
  return {"Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", 2, "1.13.0",
          "OpenBLAS 0.3.21 DYNAMIC_ARCH, core SkylakeX"};
}

// A measurement on an idle two-core machine with steady repetitions.
Roofline idleMeasurement() {
  Roofline r;
  r.machine = machine();
  r.cores = 2;
  r.loadAverage = 0.1;
  r.otherRunnable = 0;
  r.kernels = {{"matmul 1024x1024x1024", "fp32", 250e9, 0.97},
               {"conv3x3 channels-last 32x128x28x28", "fp32", 260e9, 0.95},
               {"matmul 1024x1024x1024", "bf16", 40e9, 0.99}};
  r.peakFlops = 260e9;
  r.peakKernel = "conv3x3 channels-last 32x128x28x28";
  r.peakBf16Flops = 40e9;
  r.peakBf16Kernel = "matmul 1024x1024x1024";
  r.bandwidth = 25e9;
  r.bandwidthSteadiness = 0.93;
  r.measuredAt = "2026-12-06T06:00:00Z";
  r.trusted = true;
  return r;
}

TEST(RooflineCache, ReadsTheCpuAndTheLoadFromProcFiles) {
  EXPECT_EQ(cpuModelOf(kCpuinfo), "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz");
  EXPECT_EQ(cpuModelOf("processor : 0\n"), "");
  EXPECT_DOUBLE_EQ(*loadAverageOf("3.30 2.59 2.43 5/109 17346\n"), 3.30);
  EXPECT_EQ(*otherRunnableOf("3.30 2.59 2.43 5/109 17346\n"), 4); // the reader excluded
  EXPECT_EQ(*otherRunnableOf("0.00 0.01 0.05 1/80 99\n"), 0);
  EXPECT_FALSE(otherRunnableOf("garbage").has_value());
  // The median shrugs off one short-lived task.
  EXPECT_DOUBLE_EQ(medianOtherRunnable({"0 0 0 1/80 1", "0 0 0 4/80 1", "0 0 0 1/80 1"}), 0);
  EXPECT_DOUBLE_EQ(medianOtherRunnable({"0 0 0 3/80 1", "0 0 0 3/80 1", "0 0 0 1/80 1"}), 2);
}

TEST(RooflineCache, AnIdleSteadyMeasurementMayBeCached) {
  EXPECT_EQ(reasonNotToCache(idleMeasurement()), "");
}

TEST(RooflineCache, RefusesAMeasurementTakenWhileOthersRan) {
  Roofline busy = idleMeasurement();
  busy.otherRunnable = 2; // two other tasks on two cores the measurement needs
  busy.loadAverage = 3.3;
  const std::string reason = reasonNotToCache(busy);
  EXPECT_NE(reason.find("busy"), std::string::npos) << reason;
  EXPECT_NE(reason.find("3.30"), std::string::npos) << reason;
  // One thread on two cores leaves a core to one other task.
  Roofline oneThread = idleMeasurement();
  oneThread.machine.threads = 1;
  oneThread.otherRunnable = 1;
  EXPECT_EQ(reasonNotToCache(oneThread), "");
  oneThread.otherRunnable = 2;
  EXPECT_NE(reasonNotToCache(oneThread), "");
}

TEST(RooflineCache, RefusesUnsteadyRepetitions) {
  Roofline noisy = idleMeasurement();
  noisy.kernels[1].steadiness = 0.6; // the fp32 peak's kernel
  EXPECT_NE(reasonNotToCache(noisy).find("unsteady"), std::string::npos);
  Roofline slowLoser = idleMeasurement();
  slowLoser.kernels[0].steadiness = 0.6; // not the peak: it sets nothing
  EXPECT_EQ(reasonNotToCache(slowLoser), "");
  Roofline noisyMemory = idleMeasurement();
  noisyMemory.bandwidthSteadiness = 0.5;
  EXPECT_NE(reasonNotToCache(noisyMemory), "");
}

TEST(RooflineCache, ACachedPeakCountsOnlyOnTheSameMachineAndLibraries) {
  const nlohmann::json saved = rooflineToJson(idleMeasurement());
  std::optional<Roofline> same = cachedRooflineFor(saved, machine());
  ASSERT_TRUE(same.has_value());
  EXPECT_DOUBLE_EQ(same->peakFlops, 260e9);
  EXPECT_EQ(same->peakKernel, "conv3x3 channels-last 32x128x28x28");
  EXPECT_DOUBLE_EQ(same->peakBf16Flops, 40e9);
  EXPECT_EQ(same->kernels.size(), 3u);
  EXPECT_TRUE(same->fromCache);
  EXPECT_EQ(same->measuredAt, "2026-12-06T06:00:00Z");

  MachineIdentity otherCpu = machine();
  otherCpu.cpu = "AMD EPYC 9654 96-Core Processor";
  EXPECT_FALSE(cachedRooflineFor(saved, otherCpu).has_value());
  MachineIdentity otherThreads = machine();
  otherThreads.threads = 1;
  EXPECT_FALSE(cachedRooflineFor(saved, otherThreads).has_value());
  MachineIdentity otherTorch = machine();
  otherTorch.torch = "2.1.0";
  EXPECT_FALSE(cachedRooflineFor(saved, otherTorch).has_value());
  MachineIdentity otherBlasCore = machine(); // OPENBLAS_CORETYPE chose other kernels
  otherBlasCore.blas = "OpenBLAS 0.3.21 DYNAMIC_ARCH, core Haswell";
  EXPECT_FALSE(cachedRooflineFor(saved, otherBlasCore).has_value());
}

TEST(RooflineCache, FilesWithoutProvenanceOrTrustAreMeasuredAgain) {
  // What earlier versions wrote: a peak measured with torch::mm, whatever the load.
  const nlohmann::json old = {
      {"peak_flops", 27.7e9}, {"bandwidth", 2e10}, {"peak_bf16_flops", 1e10}, {"threads", 2}};
  EXPECT_FALSE(cachedRooflineFor(old, machine()).has_value());
  Roofline untrusted = idleMeasurement();
  untrusted.trusted = false;
  EXPECT_FALSE(cachedRooflineFor(rooflineToJson(untrusted), machine()).has_value());
  EXPECT_FALSE(cachedRooflineFor(nlohmann::json::parse("[1, 2]"), machine()).has_value());
}

TEST(RooflineCache, ProvenanceSaysWhatWhenAndHowBusy) {
  Roofline busy = idleMeasurement();
  busy.trusted = false;
  busy.untrusted = "the machine was busy";
  const std::string text = rooflineProvenanceText(busy);
  for (const char* part :
       {"260.0 GFLOP/s (conv3x3 channels-last", "bf16 40.0 GFLOP/s", "2026-12-06T06:00:00Z",
        "load average 0.10", "Platinum 8481C", "torch 1.13.0", "core SkylakeX", "NOT cached"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
}

} // namespace
} // namespace fiver::runtime
