// convert: a vector file written as a store (.emb) or in another format, every word and float
// bit kept.
#pragma once

#include <string>
#include <vector>

#include "app/answers.hpp"
#include "app/session.hpp"

namespace embtool::app {

struct ConvertRequest {
  std::string input;
  std::string output;
  std::string to;                   // the output format; empty: from the output's name
  std::vector<std::string> dtypes;  // reduced copies to add to a store: "f16", "i8"
  bool force = false;               // replace an existing output
};

// Reads the input with the session's reading options (never the session's own model).
ConvertReport convert(const Session& session, const ConvertRequest& request);

}  // namespace embtool::app
