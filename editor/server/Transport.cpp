#include "editor/server/Transport.h"

#include <cctype>
#include <cstdlib>

namespace fiver::lsp {

namespace {
// No real message comes near this; a larger length is a corrupt header.
constexpr size_t kMaxMessageBytes = 256u << 20;

bool startsWithNoCase(const std::string& s, const std::string& prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(prefix[i])) return false;
  return true;
}
} // namespace

std::optional<std::string> StreamTransport::readLine() {
  std::string line;
  for (int c = std::fgetc(in_); c != EOF; c = std::fgetc(in_)) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    line += static_cast<char>(c);
  }
  if (line.empty()) return std::nullopt;
  return line;
}

Incoming StreamTransport::read() {
  std::optional<size_t> length;
  bool badLength = false;
  bool sawHeader = false;
  for (;;) {
    std::optional<std::string> line = readLine();
    if (!line) return EndOfInput{};
    if (line->empty()) {
      if (!sawHeader) continue; // stray blank lines between frames
      break;
    }
    sawHeader = true;
    const std::string key = "content-length:";
    if (startsWithNoCase(*line, key)) {
      std::string digits = line->substr(key.size());
      char* end = nullptr;
      unsigned long long n = std::strtoull(digits.c_str(), &end, 10);
      while (end && *end == ' ')
        ++end;
      if (digits.find_first_of("0123456789") == std::string::npos || !end || *end != '\0' ||
          n > kMaxMessageBytes)
        badLength = true;
      else
        length = static_cast<size_t>(n);
    }
  }
  if (badLength || !length) return MalformedMessage{"missing or invalid Content-Length header"};
  std::string body(*length, '\0');
  size_t got = std::fread(body.data(), 1, *length, in_);
  if (got != *length) return EndOfInput{};
  nlohmann::json message = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) return MalformedMessage{"the body is not valid JSON"};
  return message;
}

void StreamTransport::send(const nlohmann::json& message) {
  // Invalid UTF-8 in a document must not make dump() throw.
  std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(writeMutex_);
  std::fprintf(out_, "Content-Length: %zu\r\n\r\n", body.size());
  std::fwrite(body.data(), 1, body.size(), out_);
  std::fflush(out_);
}

} // namespace fiver::lsp
