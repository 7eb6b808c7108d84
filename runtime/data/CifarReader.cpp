#include "runtime/data/CifarReader.h"

#include "runtime/data/IdxReader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fiver::runtime {

void readCifarBatch(const std::string& path, int64_t classes, CifarImages& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot be opened");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) throw DataError(path + ": read failed");
  const int64_t size = static_cast<int64_t>(bytes.size());
  if (size == 0)
    throw DataError(path + ": byte offset 0: the file is empty, expected records of " +
                    std::to_string(kCifarRecordBytes) + " bytes");
  const int64_t records = size / kCifarRecordBytes;
  if (size % kCifarRecordBytes != 0) {
    int64_t offset = records * kCifarRecordBytes;
    throw DataError(path + ": byte offset " + std::to_string(offset) + ": record " +
                    std::to_string(records) + " is truncated (" + std::to_string(size - offset) +
                    " of " + std::to_string(kCifarRecordBytes) + " bytes)");
  }
  const int64_t pixelBytes = kCifarRecordBytes - 1;
  out.labels.reserve(out.labels.size() + records);
  out.pixels.reserve(out.pixels.size() + records * pixelBytes);
  for (int64_t r = 0; r < records; ++r) {
    const uint8_t* record = bytes.data() + r * kCifarRecordBytes;
    if (record[0] >= classes)
      throw DataError(path + ": byte offset " + std::to_string(r * kCifarRecordBytes) + ": label " +
                      std::to_string(record[0]) + ", but the task has " + std::to_string(classes) +
                      " classes");
    out.labels.push_back(record[0]);
    out.pixels.insert(out.pixels.end(), record + 1, record + kCifarRecordBytes);
  }
  out.count += records;
}

std::vector<std::string> cifarTrainFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw DataError(dir + ": not a folder of CIFAR-10 batches");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("data_batch_") && name.ends_with(".bin"))
      files.push_back(entry.path().string());
  }
  if (ec) throw DataError(dir + ": " + ec.message());
  if (files.empty()) throw DataError(dir + ": no data_batch_*.bin files");
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace fiver::runtime
