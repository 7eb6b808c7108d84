#include "runtime/data/TextReader.h"

#include "runtime/data/IdxReader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fiver::runtime {

namespace fs = std::filesystem;

namespace {

void appendFile(const fs::path& file, std::vector<uint8_t>& bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string() + ": cannot open the file");
  const size_t before = bytes.size();
  bytes.insert(bytes.end(), std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad())
    throw DataError(file.string() + ": read error at byte " +
                    std::to_string(bytes.size() - before));
}

bool isCorpusFile(const fs::directory_entry& e) {
  return !e.is_symlink() && e.is_regular_file() && e.path().extension() != ".dat";
}

} // namespace

TextCorpus readTextCorpus(const std::string& path) {
  TextCorpus corpus;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status))
    throw DataError(path +
                    ": no such text file or folder (set the task's path or $FIVER_DATA_DIR)");
  if (fs::is_directory(status)) {
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::directory_iterator(path, ec))
      if (isCorpusFile(e)) files.push_back(e.path());
    if (ec) throw DataError(path + ": cannot list the folder: " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty())
      throw DataError(path + ": the folder holds no text files (symlinks and *.dat are skipped)");
    for (const fs::path& f : files) {
      appendFile(f, corpus.bytes);
      corpus.files.push_back(f.string());
    }
  } else {
    appendFile(path, corpus.bytes);
    corpus.files.push_back(path);
  }
  return corpus;
}

int64_t textTrainBytes(int64_t corpusBytes) {
  return corpusBytes * 9 / 10;
}

int64_t textWindowCount(int64_t bytes, int64_t length) {
  if (length <= 0 || bytes < length + 1) return 0;
  return (bytes - 1) / length;
}

} // namespace fiver::runtime
