// Reads a folder of JPEG images whose class is the name of the subfolder
// holding them (torchvision's ImageFolder layout), decoded once with
// libturbojpeg. Torch-free. Errors name the file and the byte offset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fiver::runtime {

struct FolderImages {
  int64_t count = 0;
  std::vector<std::string> classes; // subfolder names, sorted; label = index
  std::vector<uint8_t> labels;      // count
  std::vector<uint8_t> pixels;      // count x channels x height x width
};

// Every *.jpg / *.jpeg under dir/<class>/ in name order. Each image must be
// height x width; `channels` is 1 (decoded as gray) or 3 (RGB).
FolderImages readImageFolder(const std::string& dir, int64_t channels, int64_t height,
                             int64_t width, int64_t classes);

} // namespace fiver::runtime
