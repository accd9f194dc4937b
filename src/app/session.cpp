#include "app/session.hpp"

#include <fmt/format.h>

#include <chrono>

#include "app/info.hpp"
#include "app/model_path.hpp"
#include "base/error.hpp"
#include "formats/registry.hpp"
#include "formats/tokenizer_file/tokenizer_file.hpp"
#include "tokenize/make_tokenizer.hpp"

namespace embtool::app {
namespace {

// Files smaller than this load in well under a second: no progress display for them.
constexpr uint64_t kProgressMinBytes = 64ull << 20;

LoadOptions load_options(const ModelOptions& m) {
  LoadOptions options;
  if (m.format != "auto" && find_format(m.format) == nullptr) {
    throw Error(ErrorKind::invalid_argument, fmt::format("'{}' is not a file format", m.format));
  }
  options.format = m.no_header ? "glove" : m.format;
  if (m.limit > 0) options.limit = m.limit;
  options.allow_nonfinite = m.allow_nonfinite;
  options.strict = m.strict;
  options.tensor = m.tensor;
  options.vocab_file = m.vocab;
  return options;
}

void report_load(spdlog::logger& log, const Embeddings& e, double seconds) {
  const SourceInfo& s = e.source();
  const std::string cached = s.text("cached_store");
  log.info("loaded {} {} x {} dimensions ({}{}) from {}{} in {:.3f} s; SIMD target {}", e.rows(),
           e.tokens() ? "rows" : "words", e.dim(), s.format, s.text("compression") == "gzip" ? ", gzip" : "", s.path,
           cached.empty() ? std::string() : fmt::format(" (its cached store {})", cached), seconds, simd_target());
  for (const std::string& warning : load_warnings(s)) log.warn("{}", warning);
}

}  // namespace

Embeddings open_model(const std::filesystem::path& path, const ModelOptions& model, spdlog::logger& log,
                      const ProgressFactory& progress, const CacheSettings* cache, const OpeningHook& opening) {
  const auto start = std::chrono::steady_clock::now();
  LoadOptions options = load_options(model);
  const std::optional<CacheKey> key = cache != nullptr && !model.no_cache ? cache_key(path, options, *cache)
                                                                          : std::nullopt;
  if (key) {
    if (opening) opening(key->file);
    if (std::optional<Embeddings> cached = open_cached(*key, path, log)) {
      report_load(log, *cached, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      return std::move(*cached);
    }
    if (opening) opening(path);
  }
  std::unique_ptr<Progress> bar = progress ? progress(fmt::format("loading {}", path.filename().string()), "")
                                           : nullptr;
  if (bar) {
    options.progress = [&bar](uint64_t done, uint64_t total) {
      if (total >= kProgressMinBytes) bar->update(done, total);
    };
  }
  Embeddings embeddings = load(path, options);
  if (bar) bar->finish();
  report_load(log, embeddings,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (key) {
    // Written before the first answer, so the first open pays for it (about as long as
    // `convert` takes); a failure costs one warning.
    std::unique_ptr<Progress> writing =
        progress ? progress(fmt::format("caching {}", path.filename().string()), "") : nullptr;
    store_in_cache(embeddings, *key, log, [&writing](uint64_t done, uint64_t total) {
      if (writing && total >= kProgressMinBytes) writing->update(done, total);
    });
    if (writing) writing->finish();
  }
  return embeddings;
}

// The tokenizer --tokenizer names, built once, whether a command asks the session for it or
// the model it is attached to (a batch line's session sees only the model).
struct Session::NamedTokenizer {
  std::filesystem::path path;
  std::shared_ptr<const tokenize::Tokenizer> built;

  std::shared_ptr<const tokenize::Tokenizer> get() {
    if (!built) built = formats::build_tokenizer(path);
    return built;
  }
};

Session::Session(ModelOptions model, bool case_fallback, SearchOptions search, spdlog::logger& log,
                 ProgressFactory progress, std::istream* in, OpeningHook opening)
    : model_(std::move(model)),
      case_fallback_(case_fallback),
      search_(std::move(search)),
      log_(log),
      progress_(std::move(progress)),
      in_(in),
      opening_(std::move(opening)),
      cache_(cache_settings(model_.no_cache)) {
  if (!model_.tokenizer.empty()) named_tokenizer_ = std::make_shared<NamedTokenizer>(NamedTokenizer{model_.tokenizer, {}});
}

Session::Session(const Embeddings& embeddings, bool case_fallback, SearchOptions search, spdlog::logger& log,
                 std::istream* in)
    : case_fallback_(case_fallback), search_(std::move(search)), log_(log), in_(in),
      embeddings_(&embeddings) {}

const Embeddings& Session::embeddings() const {
  if (embeddings_ == nullptr) {
    const std::filesystem::path path = resolve_model_path(model_.path);
    if (opening_) opening_(path);
    opened_.emplace(open_model(path, model_, log_, progress_, &cache_, opening_));
    if (named_tokenizer_) opened_->set_tokenizer([named = named_tokenizer_] { return named->get(); });
    embeddings_ = &*opened_;
    warn_of_missing_scan_copy(*embeddings_);
  }
  return *embeddings_;
}

// --scan-dtype names a copy the model may not hold: the searches then scan its float32 rows
// (the same answers), and the user is told rather than left to wonder why it is no faster.
void Session::warn_of_missing_scan_copy(const Embeddings& e) const {
  const auto wanted = [&]() -> std::optional<std::pair<Dtype, std::string_view>> {
    switch (search_.scan) {
      case ScanChoice::f16: return std::pair{Dtype::f16, std::string_view("f16")};
      case ScanChoice::bf16: return std::pair{Dtype::bf16, std::string_view("bf16")};
      case ScanChoice::i8: return std::pair{Dtype::i8, std::string_view("i8")};
      default: return std::nullopt;
    }
  }();
  if (!wanted || e.reduced(wanted->first) != nullptr || e.matrix().dtype() == wanted->first) return;
  log_.warn("--scan-dtype {}: the model holds no {} copy, so searches scan its {} rows (the same answers); "
            "`embtool convert MODEL OUT.emb --dtype {}` makes a store with one",
            wanted->second, wanted->second, dtype_name(e.matrix().dtype()), wanted->second);
}

const tokenize::Tokenizer& Session::tokenizer() const {
  if (named_tokenizer_) return *named_tokenizer_->get();
  return embeddings().tokenizer();
}

Embeddings Session::open(const std::filesystem::path& path) const {
  if (opening_) opening_(path);
  return open_model(path, model_, log_, progress_);
}

const HnswIndex& AnnIndexCache::get(const Embeddings& embeddings) {
  const std::lock_guard lock(mutex_);
  if (!index_ || for_ != &embeddings) {
    index_ = std::make_unique<HnswIndex>(HnswIndex::open(index_path_for(embeddings.source().path), embeddings));
    for_ = &embeddings;
  }
  return *index_;
}

std::unique_ptr<Progress> Session::progress(std::string label, std::string items) const {
  return progress_ ? progress_(std::move(label), std::move(items)) : nullptr;
}

}  // namespace embtool::app
