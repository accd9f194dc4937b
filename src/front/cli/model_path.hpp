// Which vector file a command reads: --model, else $EMBTOOL_MODEL, else the bundled model.
#pragma once

#include <filesystem>
#include <string>

namespace embtool::cli {

std::filesystem::path resolve_model_path(const std::string& model_option);

}  // namespace embtool::cli
