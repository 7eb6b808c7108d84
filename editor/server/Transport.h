// The JSON-RPC transport: LSP base-protocol framing (`Content-Length: N`,
// a blank line, N bytes of JSON) over a pair of streams. Malformed input is
// reported as a value, never thrown: the server answers it and keeps reading.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

namespace fiver::lsp {

// A frame whose header or body could not be understood.
struct MalformedMessage {
  std::string reason;
};
struct EndOfInput {};

using Incoming = std::variant<nlohmann::json, MalformedMessage, EndOfInput>;

class Transport {
public:
  virtual ~Transport() = default;
  // Blocks until one message, a malformed frame, or the end of input.
  virtual Incoming read() = 0;
  virtual void send(const nlohmann::json& message) = 0;
};

// Reads from `in` and writes to `out` (stdin and stdout for the server).
class StreamTransport : public Transport {
public:
  StreamTransport(std::FILE* in, std::FILE* out) : in_(in), out_(out) {}
  Incoming read() override;
  void send(const nlohmann::json& message) override;

private:
  std::optional<std::string> readLine();
  std::FILE* in_;
  std::FILE* out_;
  std::mutex writeMutex_;
};

} // namespace fiver::lsp
