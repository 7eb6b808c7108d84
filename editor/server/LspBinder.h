// Binds typed handlers to LSP method names: each handler takes its params
// struct and returns something convertible to JSON. Params that do not
// convert become InvalidParams errors; handlers report failures by throwing
// LspError.
#pragma once

#include "editor/server/Protocol.h"

#include <functional>
#include <map>
#include <string>

namespace fiver::lsp {

class LspBinder {
public:
  using RequestHandler = std::function<json(const json&)>;
  using NotificationHandler = std::function<void(const json&)>;

  template <typename Params, typename Result, typename Server>
  void request(const std::string& method, Server* server,
               Result (Server::*handler)(const Params&)) {
    requests_[method] = [server, handler](const json& raw) -> json {
      return json((server->*handler)(parse<Params>(raw)));
    };
  }

  template <typename Params, typename Server>
  void notification(const std::string& method, Server* server,
                    void (Server::*handler)(const Params&)) {
    notifications_[method] = [server, handler](const json& raw) {
      (server->*handler)(parse<Params>(raw));
    };
  }

  const RequestHandler* findRequest(const std::string& method) const {
    auto it = requests_.find(method);
    return it == requests_.end() ? nullptr : &it->second;
  }
  const NotificationHandler* findNotification(const std::string& method) const {
    auto it = notifications_.find(method);
    return it == notifications_.end() ? nullptr : &it->second;
  }

private:
  template <typename Params> static Params parse(const json& raw) {
    if constexpr (std::is_same_v<Params, json>) {
      return raw;
    } else {
      try {
        return raw.get<Params>();
      } catch (const json::exception& e) {
        throw LspError{ErrorCode::InvalidParams, std::string("invalid params: ") + e.what()};
      }
    }
  }

  std::map<std::string, RequestHandler> requests_;
  std::map<std::string, NotificationHandler> notifications_;
};

} // namespace fiver::lsp
