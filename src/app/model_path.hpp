// Which vector file a command reads: the one asked for, else $EMBTOOL_MODEL, else the bundled
// model. An empty name (an empty option or an empty EMBTOOL_MODEL) is refused, never taken to
// mean the bundled model.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace embtool::app {

std::filesystem::path resolve_model_path(const std::optional<std::string>& asked_for);

}  // namespace embtool::app
