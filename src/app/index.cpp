#include "app/index.hpp"

#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "base/atomic_file.hpp"

namespace embtool::app {

ConvertReport build_index(const Session& s, const std::string& model, HnswBuildOptions options) {
  std::optional<Embeddings> opened;
  if (!model.empty()) {
    check_output_file(index_path_for(model), /*replace_existing=*/true);  // said before a long load
    opened.emplace(s.open(model));
  }
  const Embeddings& e = opened ? *opened : s.embeddings();
  if (e.dim() == 0) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("{} holds no embedding matrix: there is nothing to index", e.source().path));
  }
  const std::filesystem::path output = index_path_for(e.source().path);
  check_output_file(output, /*replace_existing=*/true);
  if (options.threads == 0) options.threads = s.search().threads;
  const auto start = std::chrono::steady_clock::now();
  const auto bar = s.progress(fmt::format("indexing {}", std::filesystem::path(e.source().path).filename().string()),
                              "rows");
  if (bar) options.progress = [&bar](uint64_t done, uint64_t total) { bar->update(done, total); };
  const HnswIndex index = HnswIndex::build(e, options);
  if (bar) bar->finish();
  index.save(output, /*replace_existing=*/true);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.log().info("indexed {} of {} rows (M {}, ef-construction {}): {:.1f} MB", index.indexed_rows(), e.rows(),
               index.m(), index.ef_construction(), static_cast<double>(index.bytes()) / 1e6);
  return {e.source().path, output.string(), "hnsw", index.indexed_rows(), e.dim(), seconds};
}

}  // namespace embtool::app
