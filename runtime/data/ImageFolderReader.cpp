#include "runtime/data/ImageFolderReader.h"

#include "runtime/data/IdxReader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#ifdef FIVER_HAVE_TURBOJPEG
#include <turbojpeg.h>
#endif

namespace fiver::runtime {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> sortedEntries(const fs::path& dir, bool folders) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (folders && entry.is_directory()) names.push_back(entry.path().filename().string());
    if (!folders && entry.is_regular_file()) {
      std::string ext = entry.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
      if (ext == ".jpg" || ext == ".jpeg") names.push_back(entry.path().string());
    }
  }
  if (ec) throw DataError(dir.string() + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

#ifdef FIVER_HAVE_TURBOJPEG
// Appends the image's channels x height x width bytes (planar) to `out`.
void decodeJpeg(tjhandle tj, const std::string& path, int64_t channels, int64_t height,
                int64_t width, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot be opened");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj, bytes.data(), bytes.size(), &w, &h, &subsamp, &colorspace) != 0)
    throw DataError(path + ": byte offset 0: not a readable JPEG header (" + tjGetErrorStr2(tj) +
                    ")");
  if (h != height || w != width)
    throw DataError(path + ": the image is " + std::to_string(w) + "x" + std::to_string(h) +
                    ", but the task's input is " + std::to_string(width) + "x" +
                    std::to_string(height));
  const int format = channels == 1 ? TJPF_GRAY : TJPF_RGB;
  std::vector<unsigned char> interleaved(static_cast<size_t>(w) * h * channels);
  // Warnings (a premature end of data) are errors too: a partly grey image
  // must not enter training silently.
  if (tjDecompress2(tj, bytes.data(), bytes.size(), interleaved.data(), w, 0, h, format,
                    TJFLAG_STOPONWARNING) != 0)
    throw DataError(path + ": byte offset " + std::to_string(bytes.size()) +
                    " (end of data reached while decoding): " + tjGetErrorStr2(tj));
  const size_t plane = static_cast<size_t>(w) * h;
  const size_t base = out.size();
  out.resize(base + plane * channels);
  for (size_t p = 0; p < plane; ++p)
    for (int64_t c = 0; c < channels; ++c)
      out[base + c * plane + p] = interleaved[p * channels + c];
}
#endif

} // namespace

FolderImages readImageFolder(const std::string& dir, int64_t channels, int64_t height,
                             int64_t width, int64_t classes) {
#ifdef FIVER_HAVE_TURBOJPEG
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw DataError(dir + ": not a folder of class subfolders");
  if (channels != 1 && channels != 3)
    throw DataError(dir + ": JPEG images have 1 or 3 channels, the task asks for " +
                    std::to_string(channels));
  FolderImages result;
  result.classes = sortedEntries(dir, true);
  if (result.classes.empty()) throw DataError(dir + ": no class subfolders");
  if (static_cast<int64_t>(result.classes.size()) > classes)
    throw DataError(dir + ": " + std::to_string(result.classes.size()) +
                    " class subfolders, but the task has " + std::to_string(classes) + " classes");
  std::unique_ptr<void, int (*)(tjhandle)> tj(tjInitDecompress(), tjDestroy);
  if (!tj) throw DataError(dir + ": libturbojpeg could not be initialized");
  for (size_t label = 0; label < result.classes.size(); ++label) {
    for (const std::string& file : sortedEntries(fs::path(dir) / result.classes[label], false)) {
      decodeJpeg(tj.get(), file, channels, height, width, result.pixels);
      result.labels.push_back(static_cast<uint8_t>(label));
      ++result.count;
    }
  }
  if (result.count == 0) throw DataError(dir + ": no .jpg or .jpeg files in its subfolders");
  return result;
#else
  (void)channels, (void)height, (void)width, (void)classes;
  throw DataError(dir +
                  ": this 5rc-exec was built without libturbojpeg, so JPEG folders cannot be read");
#endif
}

} // namespace fiver::runtime
