// Drives the real 5rc-lsp binary over pipes with JSON-RPC, as an editor does:
// the client side shared by the protocol tests.
#pragma once

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <poll.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fiver::lsp::test {

using json = nlohmann::json;

inline const std::string kStdlib = std::string(FIVER_TEST_SOURCE_DIR) + "/stdlib";
inline const std::string kUri = "file:///nonexistent/transcript/doc.5r";

class LspProcess {
public:
  LspProcess() {
    int in[2], out[2];
    EXPECT_EQ(pipe(in), 0);
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      execl(FIVER_LSP_BINARY, FIVER_LSP_BINARY, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~LspProcess() {
    if (to_ >= 0) close(to_);
    close(from_);
    if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  void sendRaw(const std::string& body) {
    std::string frame = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_EQ(write(to_, frame.data(), frame.size()), static_cast<ssize_t>(frame.size()));
  }
  void send(const json& message) { sendRaw(message.dump()); }
  void request(int id, const std::string& method, const json& params) {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
  }
  void notify(const std::string& method, const json& params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
  }

  // The next message, or null after 10 s without one.
  json read() {
    std::string header;
    while (header.find("\r\n\r\n") == std::string::npos) {
      char c;
      if (!readByte(c)) return nullptr;
      header += c;
    }
    size_t length = std::stoul(header.substr(header.find(':') + 1));
    std::string body(length, '\0');
    for (size_t i = 0; i < length; ++i)
      if (!readByte(body[i])) return nullptr;
    return json::parse(body);
  }
  // Reads until the response to `id`, keeping notifications seen on the way.
  json response(int id) {
    for (json m = read(); !m.is_null(); m = read()) {
      if (m.contains("id") && m["id"] == id) return m;
      notifications.push_back(m);
    }
    return nullptr;
  }
  json notification(const std::string& method) {
    for (size_t i = 0; i < notifications.size(); ++i)
      if (notifications[i]["method"] == method) {
        json m = notifications[i];
        notifications.erase(notifications.begin() + i);
        return m;
      }
    for (json m = read(); !m.is_null(); m = read()) {
      if (m.value("method", "") == method) return m;
      notifications.push_back(m);
    }
    return nullptr;
  }
  // The exit status, or -1 if the server has not exited within 10 s.
  int waitExit() {
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      usleep(10000);
    }
    return -1;
  }
  void initialize() {
    request(1, "initialize", {{"initializationOptions", {{"stdlib", kStdlib}}}});
    json r = response(1);
    ASSERT_TRUE(r.contains("result"));
    notify("initialized", json::object());
  }
  void open(const std::string& text) {
    notify("textDocument/didOpen",
           {{"textDocument",
             {{"uri", kUri}, {"languageId", "fiver"}, {"version", 1}, {"text", text}}}});
  }

  std::vector<json> notifications;

private:
  bool readByte(char& c) {
    pollfd p{from_, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) return false;
    return ::read(from_, &c, 1) == 1;
  }
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
};

inline json position(int line, int character) {
  return {{"line", line}, {"character", character}};
}
inline json doc() {
  return {{"uri", kUri}};
}

} // namespace fiver::lsp::test
