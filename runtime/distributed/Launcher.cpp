#include "runtime/distributed/Launcher.h"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fiver::runtime::distributed {

namespace {

// A port that was free a moment ago (the rendezvous binds it right after).
int freeLocalPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 29500;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 29500;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

int exitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

} // namespace

int launchLocalRanks(int nproc, int argc, char** argv, std::chrono::seconds grace) {
  const std::string port = std::to_string(freeLocalPort());
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::string threads = std::to_string(std::max(1u, cores / static_cast<unsigned>(nproc)));
  std::vector<pid_t> ranks;
  std::fflush(nullptr);
  for (int r = 0; r < nproc; ++r) {
    pid_t pid = fork();
    if (pid < 0) {
      std::perror("5rc-exec: fork");
      for (pid_t p : ranks)
        kill(p, SIGKILL);
      return 1;
    }
    if (pid == 0) {
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("RANK", std::to_string(r).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", port.c_str(), 1);
      // The ranks share the cores unless --threads says otherwise.
      setenv("FIVER_DEFAULT_THREADS", threads.c_str(), 0);
      std::vector<char*> args(argv, argv + argc);
      args.push_back(nullptr);
      execv("/proc/self/exe", args.data());
      std::perror("5rc-exec: exec");
      _exit(127);
    }
    ranks.push_back(pid);
  }

  int result = 0;
  size_t running = ranks.size();
  auto deadline = std::chrono::steady_clock::time_point::max();
  while (running > 0) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      --running;
      const int code = exitStatus(status);
      if (code != 0 && result == 0) {
        result = code;
        deadline = std::chrono::steady_clock::now() + grace;
        for (size_t r = 0; r < ranks.size(); ++r)
          if (ranks[r] == pid)
            std::fprintf(stderr, "5rc-exec: rank %zu exited with status %d\n", r, code);
      }
      continue;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "5rc-exec: stopping the remaining ranks\n");
      for (pid_t p : ranks)
        kill(p, SIGKILL);
      deadline = std::chrono::steady_clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return result;
}

} // namespace fiver::runtime::distributed
