// file:// URIs <-> file system paths (percent-encoding per RFC 3986).
#pragma once

#include <optional>
#include <string>

namespace fiver::lsp {

// The path of a file:// URI; nullopt for other schemes.
std::optional<std::string> pathFromUri(const std::string& uri);
std::string uriFromPath(const std::string& path);

} // namespace fiver::lsp
