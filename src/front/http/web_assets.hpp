// The web page's files (web/ in the source tree), built into the binary so that `serve` needs
// nothing beside it and works offline.
#pragma once

#include <string_view>

namespace embtool::http {

struct WebAsset {
  std::string_view path;          // "/index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view content;
};

// The file at `path` ("/" is "/index.html"), or nullptr. Only these names exist: no path is
// ever looked up on disk.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace embtool::http
