// index: builds a model's approximate (HNSW) index and writes it beside the model, as
// MODEL.hnsw, for `neighbors --ann`.
#pragma once

#include <string>

#include "app/answers.hpp"
#include "app/session.hpp"
#include "search/index/hnsw_index.hpp"

namespace embtool::app {

// `model`: the file to index; empty: the session's model. Reports the rows indexed, the time
// the build took (writing included) and the index file.
ConvertReport build_index(const Session& session, const std::string& model, HnswBuildOptions options);

}  // namespace embtool::app
