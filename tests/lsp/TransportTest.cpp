#include "editor/server/Transport.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

using namespace fiver::lsp;

namespace {
// A transport reading `input` from memory.
struct MemoryTransport {
  explicit MemoryTransport(const std::string& input)
      : data(input), in(fmemopen(data.data(), data.size(), "r")), transport(in, stdout) {}
  ~MemoryTransport() { std::fclose(in); }
  std::string data;
  std::FILE* in;
  StreamTransport transport;
};
} // namespace

TEST(Transport, ReadsFramedMessages) {
  MemoryTransport t("Content-Length: 2\r\n\r\n{}Content-Length: 7\r\n\r\n[1,2,3]");
  Incoming a = t.transport.read();
  ASSERT_TRUE(std::holds_alternative<nlohmann::json>(a));
  EXPECT_TRUE(std::get<nlohmann::json>(a).is_object());
  Incoming b = t.transport.read();
  ASSERT_TRUE(std::holds_alternative<nlohmann::json>(b));
  EXPECT_EQ(std::get<nlohmann::json>(b).size(), 3u);
  EXPECT_TRUE(std::holds_alternative<EndOfInput>(t.transport.read()));
}

TEST(Transport, ReportsMalformedHeadersAndBodiesAndGoesOn) {
  MemoryTransport t("Content-Type: x\r\n\r\n"
                    "Content-Length: abc\r\n\r\n"
                    "Content-Length: 4\r\n\r\n{no}"
                    "content-length: 2\r\n\r\n{}");
  EXPECT_TRUE(std::holds_alternative<MalformedMessage>(t.transport.read()));
  EXPECT_TRUE(std::holds_alternative<MalformedMessage>(t.transport.read()));
  EXPECT_TRUE(std::holds_alternative<MalformedMessage>(t.transport.read()));
  EXPECT_TRUE(std::holds_alternative<nlohmann::json>(t.transport.read()));
}

TEST(Transport, TruncatedBodyIsEndOfInput) {
  MemoryTransport t("Content-Length: 50\r\n\r\n{}");
  EXPECT_TRUE(std::holds_alternative<EndOfInput>(t.transport.read()));
}
