#include "app/store_cache.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/error.hpp"
#include "formats/store/store_file.hpp"

namespace embtool::app {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCachedFormats[] = {"word2vec-binary", "word2vec-text", "glove"};
constexpr std::string_view kEntryExtension = ".emb";

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

bool means_off(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  return value == "0" || value == "off" || value == "no" || value == "false";
}

fs::path home_directory() {
  if (const auto home = environment("HOME"); home && fs::path(*home).is_absolute()) return *home;
  if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    if (fs::path(entry->pw_dir).is_absolute()) return entry->pw_dir;
  }
  return {};
}

// FNV-1a, 64 bits: names an entry; the whole key inside it decides.
uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

// The source's name, in characters any file system takes, so that `ls` tells entries apart.
std::string readable_name(const fs::path& source) {
  std::string name;
  for (const char c : source.filename().string()) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '-' || c == '_';
    name += plain ? c : '_';
    if (name.size() == 64) break;
  }
  return name;
}

// The metadata's key=value lines (the first of each key) and the cache's warnings, in order.
struct Recorded {
  std::map<std::string, std::string, std::less<>> fields;
  std::vector<LoadWarning> warnings;

  explicit Recorded(std::string_view text) {
    while (!text.empty()) {
      const size_t end = std::min(text.find('\n'), text.size());
      const std::string_view line = text.substr(0, end);
      text.remove_prefix(std::min(end + 1, text.size()));
      const size_t equals = line.find('=');
      if (equals == std::string_view::npos) continue;
      const std::string_view key = line.substr(0, equals);
      const std::string_view value = line.substr(equals + 1);
      if (key == "cache.warning.strict" || key == "cache.warning.kept") {
        warnings.push_back({std::string(value), key == "cache.warning.strict"});
      } else {
        fields.emplace(std::string(key), std::string(value));
      }
    }
  }
  std::string text(std::string_view key) const {
    const auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  }
  int64_t number(std::string_view key) const {
    const std::string value = text(key);
    int64_t n = 0;
    std::from_chars(value.data(), value.data() + value.size(), n);
    return n;
  }
};

struct SourceState {
  bool exists = false;
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
};

SourceState state_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  return {true, static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, static_cast<uint64_t>(st.st_ino)};
}

// What an entry records of its source, for list and for pruning; throws what open_store throws.
CacheEntry describe_entry(const fs::path& file) {
  std::string metadata;
  const Embeddings store = open_store(file, std::nullopt, &metadata);
  const Recorded recorded(metadata);
  CacheEntry entry;
  entry.file = file.string();
  entry.source_path = recorded.text("cache.source_path");
  entry.source_format = recorded.text("cache.source_format");
  entry.source_bytes = static_cast<uint64_t>(recorded.number("cache.source_bytes"));
  entry.source_mtime_ns = recorded.number("cache.source_mtime_ns");
  entry.words = store.rows();
  entry.dim = store.dim();
  entry.options = recorded.text("cache.options");
  if (recorded.text("cache.key").empty()) throw Error(ErrorKind::bad_data, "not an entry of this cache");
  const SourceState now = state_of(entry.source_path);
  entry.state = !now.exists ? "missing"
                : now.bytes == entry.source_bytes && now.mtime_ns == entry.source_mtime_ns &&
                        now.inode == static_cast<uint64_t>(recorded.number("cache.source_inode"))
                    ? "current"
                    : "stale";
  return entry;
}

// The files of the cache directory: entries, and what an interrupted write may have left
// (".<name>.tmp-..." when the file system has no unnamed files).
struct DirectoryListing {
  std::vector<fs::path> entries;
  std::vector<fs::path> leftovers;
};

DirectoryListing list_directory(const fs::path& directory) {
  DirectoryListing listing;
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    std::error_code type_error;
    if (!it->is_regular_file(type_error)) continue;
    if (name.starts_with(".") && name.find(".tmp-") != std::string::npos) listing.leftovers.push_back(p);
    else if (p.extension() == kEntryExtension) listing.entries.push_back(p);
  }
  std::sort(listing.entries.begin(), listing.entries.end());
  return listing;
}

uint64_t file_bytes(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<uint64_t>(n);
}

int64_t mtime_ns(const fs::path& p) { return state_of(p).mtime_ns; }

// Creates the directory and its missing parents, 0700 as the XDG spec asks.
void make_directories(const fs::path& directory) {
  std::error_code ec;
  if (fs::is_directory(directory, ec)) return;
  if (directory.has_parent_path() && directory.parent_path() != directory) make_directories(directory.parent_path());
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    throw Error(ErrorKind::io, fmt::format("cannot create {}: {}", directory.string(), std::strerror(errno)));
  }
}

// Whether `e`'s source can be told again whole from the entry's metadata (one line a value).
bool recordable(const Embeddings& e, const CacheKey& key) {
  const SourceInfo& s = e.source();
  auto one_line = [](std::string_view t) { return t.find('\n') == std::string_view::npos; };
  if (!one_line(s.path) || !one_line(s.format) || !one_line(key.text)) return false;
  for (const SourceFact& fact : s.facts) {
    if (!one_line(fact.name) || fact.name.find('=') != std::string::npos) return false;
    if (const auto* text = std::get_if<std::string>(&fact.value); text != nullptr && !one_line(*text)) return false;
  }
  for (const LoadWarning& w : s.warnings) {
    if (!one_line(w.message)) return false;
  }
  return s.tensors.empty();
}

// About the bytes the store of `e` takes (float32 rows padded to 64-byte lines, norms, words,
// offsets, index): for refusing a write that cannot fit before it starts.
uint64_t estimated_store_bytes(const Embeddings& e) {
  const uint64_t row_bytes = (e.dim() * 4 + 63) / 64 * 64;
  return e.rows() * (row_bytes + 4 + 8 + 8) + e.vocabulary().arena_bytes() + (1u << 20);
}

void remove_quietly(const fs::path& p) {
  std::error_code ignored;
  fs::remove(p, ignored);
}

std::string mib(uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20)); }

}  // namespace

CacheSettings cache_settings(bool no_cache) {
  CacheSettings settings;
  if (const auto dir = environment("XDG_CACHE_HOME"); dir && fs::path(*dir).is_absolute()) {
    settings.directory = fs::path(*dir) / "embtool";
  } else if (const fs::path home = home_directory(); !home.empty()) {
    settings.directory = home / ".cache" / "embtool";
  }
  if (const auto min = environment("EMBTOOL_CACHE_MIN_BYTES")) {
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(min->data(), min->data() + min->size(), n);
    if (ec == std::errc() && end == min->data() + min->size()) settings.min_bytes = n;
  }
  const auto env = environment("EMBTOOL_CACHE");
  settings.turned_off = no_cache || (env && means_off(*env));
  settings.enabled = !settings.turned_off && !settings.directory.empty();
  return settings;
}

std::optional<CacheKey> cache_key(const fs::path& path, const LoadOptions& options, const CacheSettings& settings) {
  if (!settings.enabled) return std::nullopt;
  if (!options.tensor.empty() || !options.vocab_file.empty() || !options.tokenizer_file.empty()) return std::nullopt;
  const SourceState state = state_of(path);
  if (!state.exists || state.bytes < settings.min_bytes) return std::nullopt;
  std::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) return std::nullopt;
  CacheKey key;
  key.source_path = canonical.string();
  key.source_bytes = state.bytes;
  key.source_mtime_ns = state.mtime_ns;
  key.source_inode = state.inode;
  const std::string format = options.format.empty() ? "auto" : options.format;
  std::vector<std::string> given;
  if (format != "auto") given.push_back(fmt::format("format={}", format));
  if (options.limit) given.push_back(fmt::format("limit={}", *options.limit));
  if (options.allow_nonfinite) given.push_back("allow-nonfinite");
  if (options.strict) given.push_back("strict");
  for (const std::string& option : given) key.options += (key.options.empty() ? "" : " ") + option;
  key.text = fmt::format("cache={} store={} bytes={} mtime_ns={} inode={} format={} limit={} allow_nonfinite={} "
                         "strict={} path={}",
                         kCacheVersion, kStoreVersion, state.bytes, state.mtime_ns, state.inode, format,
                         options.limit.value_or(0), options.allow_nonfinite ? 1 : 0, options.strict ? 1 : 0,
                         key.source_path);
  key.file = settings.directory /
             fmt::format("{}-{:016x}{}", readable_name(canonical), fnv1a(key.text), kEntryExtension);
  return key;
}

std::optional<Embeddings> open_cached(const CacheKey& key, const fs::path& given_path, spdlog::logger& log) {
  std::error_code ec;
  if (!fs::exists(key.file, ec)) return std::nullopt;
  try {
    std::string metadata;
    Embeddings store = open_store(key.file, std::nullopt, &metadata);
    const Recorded recorded(metadata);
    if (recorded.text("cache.key") != key.text) {
      throw Error(ErrorKind::bad_data, "it records another file or other reading options");
    }
    SourceInfo source;
    source.path = given_path.string();
    source.format = recorded.text("cache.source_format");
    source.file_bytes = static_cast<uint64_t>(recorded.number("cache.source_bytes"));
    source.facts = store_recorded_facts(metadata);
    source.facts.push_back({"cached_store", key.file.string()});
    source.warnings = recorded.warnings;
    store.set_source(std::move(source));
    return store;
  } catch (const std::exception& e) {
    log.warn("ignored the damaged cache entry {} ({}); reading {} itself", key.file.string(), e.what(),
             given_path.string());
    remove_quietly(key.file);
    return std::nullopt;
  }
}

std::optional<fs::path> store_in_cache(const Embeddings& embeddings, const CacheKey& key, spdlog::logger& log,
                                       const LoadProgress& progress) {
  const SourceInfo& source = embeddings.source();
  if (std::find(std::begin(kCachedFormats), std::end(kCachedFormats), source.format) == std::end(kCachedFormats)) {
    return std::nullopt;  // already mapped where it lies (a store, GGUF, safetensors, .npy)
  }
  if (embeddings.rows() == 0 || embeddings.dim() == 0 || embeddings.dtype() != Dtype::f32 ||
      !recordable(embeddings, key)) {
    return std::nullopt;
  }
  const fs::path directory = key.file.parent_path();
  try {
    make_directories(directory);
    struct statvfs fs_stat {};
    const uint64_t needed = estimated_store_bytes(embeddings);
    if (::statvfs(directory.c_str(), &fs_stat) == 0) {
      const uint64_t free_bytes = uint64_t{fs_stat.f_bavail} * fs_stat.f_frsize;
      if (free_bytes < needed) {
        throw Error(ErrorKind::io, fmt::format("{} has {} free, the store needs about {}", directory.string(),
                                               mib(free_bytes), mib(needed)));
      }
    }
    StoreWriteOptions options;
    options.force = true;
    options.progress = progress;
    std::string recorded = fmt::format(
        "cache.key={}\ncache.source_path={}\ncache.source_format={}\ncache.source_bytes={}\n"
        "cache.source_mtime_ns={}\ncache.source_inode={}\ncache.options={}\n",
        key.text, key.source_path, source.format, key.source_bytes, key.source_mtime_ns, key.source_inode,
        key.options);
    for (const LoadWarning& w : source.warnings) {
      recorded +=
          fmt::format("cache.warning.{}={}\n", w.refused_when_strict ? "strict" : "kept", w.message);
    }
    write_store(embeddings, key.file, options, recorded);
  } catch (const std::exception& e) {
    log.warn("could not cache {} as a store ({}); answers are unaffected, the next open reads the file again "
             "(EMBTOOL_CACHE=0 turns the cache off)",
             source.path, e.what());
    return std::nullopt;
  }
  log.warn("cached {} as a store in {} ({}); the next open maps it", source.path, key.file.string(),
           mib(file_bytes(key.file)));
  // Entries of the same file as it was before (another size, time or inode) can never be
  // used again.
  for (const fs::path& other : list_directory(directory).entries) {
    if (other == key.file) continue;
    try {
      const CacheEntry entry = describe_entry(other);
      if (entry.source_path == key.source_path && entry.state != "current") remove_quietly(other);
    } catch (const std::exception&) {
      // Another process's entry being replaced, or a damaged one: its own open deals with it.
    }
  }
  return key.file;
}

CacheReport list_cache(const CacheSettings& settings) {
  CacheReport report;
  report.action = "list";
  report.directory = settings.directory.string();
  report.enabled = settings.enabled;
  if (settings.directory.empty()) return report;
  for (const fs::path& file : list_directory(settings.directory).entries) {
    CacheEntry entry;
    try {
      entry = describe_entry(file);
    } catch (const std::exception&) {
      entry = CacheEntry{};
      entry.file = file.string();
      entry.state = "damaged";
    }
    entry.store_bytes = file_bytes(file);
    entry.written_ns = mtime_ns(file);
    report.entries.push_back(std::move(entry));
  }
  std::stable_sort(report.entries.begin(), report.entries.end(),
                   [](const CacheEntry& a, const CacheEntry& b) { return a.written_ns < b.written_ns; });
  return report;
}

CacheReport clear_cache(const CacheSettings& settings, bool stale_only) {
  CacheReport listed = list_cache(settings);
  CacheReport report;
  report.action = "clear";
  report.directory = listed.directory;
  report.enabled = listed.enabled;
  for (CacheEntry& entry : listed.entries) {
    if (stale_only && entry.state == "current") continue;
    std::error_code ec;
    if (!fs::remove(entry.file, ec) || ec) {
      if (ec) throw Error(ErrorKind::io, fmt::format("cannot remove {}: {}", entry.file, ec.message()));
      continue;  // gone meanwhile
    }
    report.removed_bytes += entry.store_bytes;
    report.entries.push_back(std::move(entry));
  }
  if (!settings.directory.empty()) {
    for (const fs::path& leftover : list_directory(settings.directory).leftovers) {
      const uint64_t bytes = file_bytes(leftover);
      std::error_code ec;
      if (fs::remove(leftover, ec)) report.removed_bytes += bytes;
    }
  }
  return report;
}

}  // namespace embtool::app
