// The cache of converted files: keyed by the file and the reading options, mapped on the next
// open with the same answers, warnings and facts, and never a cause of failure.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "app/store_cache.hpp"
#include "fixtures.hpp"

using namespace embtool;
using namespace embtool::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Sets an environment variable for the scope of a test, then puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A cache of its own in the scratch directory, on for files of any size.
struct CacheHere {
  fs::path home;
  ScopedEnv xdg;
  ScopedEnv min_bytes{"EMBTOOL_CACHE_MIN_BYTES", "0"};
  ScopedEnv on{"EMBTOOL_CACHE", std::nullopt};

  explicit CacheHere(const std::string& name)
      : home(scratch_dir() / ("cache-" + name)), xdg("XDG_CACHE_HOME", (scratch_dir() / ("cache-" + name)).string()) {}
  fs::path directory() const { return home / "embtool"; }
  size_t entries() const {
    size_t n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(directory(), ec), end; !ec && it != end; it.increment(ec)) {
      n += it->path().extension() == ".emb" ? 1 : 0;
    }
    return n;
  }
};

std::string model(const std::string& name, size_t words = 300, uint32_t seed = 7) {
  return write_file(name, word2vec_binary(random_words(words, 16, seed))).string();
}

json info_of(const std::vector<std::string>& args) {
  std::vector<std::string> all = args;
  all.insert(all.end(), {"info", "--json"});
  const CliResult r = run_cli(all);
  REQUIRE(r.code == 0);
  return json::parse(r.out);
}

bool served_from_cache(const json& info) { return info.contains("cached_store"); }

void set_mtime(const fs::path& path, fs::file_time_type when) { fs::last_write_time(path, when); }

}  // namespace

TEST_CASE("a cache key changes with the file's size, time and the reading options", "[app][cache]") {
  CacheHere cache("key");
  const app::CacheSettings settings = app::cache_settings(false);
  REQUIRE(settings.enabled);
  CHECK(settings.directory == cache.directory());
  const fs::path path = model("key.bin");
  const auto key = app::cache_key(path, {}, settings);
  REQUIRE(key);
  CHECK(key->file.parent_path() == cache.directory());
  CHECK(key->file.filename().string().starts_with("key.bin-"));
  CHECK(app::cache_key(path, {}, settings)->text == key->text);

  LoadOptions limited;
  limited.limit = 10;
  CHECK(app::cache_key(path, limited, settings)->file != key->file);
  CHECK(app::cache_key(path, limited, settings)->options == "limit=10");
  LoadOptions strict;
  strict.strict = true;
  CHECK(app::cache_key(path, strict, settings)->file != key->file);
  LoadOptions nonfinite;
  nonfinite.allow_nonfinite = true;
  CHECK(app::cache_key(path, nonfinite, settings)->file != key->file);
  LoadOptions format;
  format.format = "word2vec-binary";
  CHECK(app::cache_key(path, format, settings)->file != key->file);
  LoadOptions tensor;
  tensor.tensor = "x";
  CHECK_FALSE(app::cache_key(path, tensor, settings));

  set_mtime(path, fs::last_write_time(path) + std::chrono::seconds(5));
  const auto touched = app::cache_key(path, {}, settings);
  CHECK(touched->file != key->file);
  std::ofstream(path, std::ios::app) << "x";
  CHECK(app::cache_key(path, {}, settings)->file != touched->file);

  app::CacheSettings big = settings;
  big.min_bytes = fs::file_size(path) + 1;
  CHECK_FALSE(app::cache_key(path, {}, big));
  CHECK_FALSE(app::cache_key(scratch_dir() / "no-such-file.bin", {}, settings));
}

TEST_CASE("the cache's directory: an absolute XDG_CACHE_HOME, else ~/.cache; off when asked", "[app][cache]") {
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "relative/dir");
    ScopedEnv home("HOME", "/home/someone");
    ScopedEnv on("EMBTOOL_CACHE", std::nullopt);
    CHECK(app::cache_settings(false).directory == fs::path("/home/someone/.cache/embtool"));
    CHECK(app::cache_settings(false).min_bytes == app::kCacheMinBytes);
    CHECK_FALSE(app::cache_settings(true).enabled);
  }
  for (const char* off : {"0", "off", "no", "FALSE"}) {
    ScopedEnv env("EMBTOOL_CACHE", off);
    CHECK_FALSE(app::cache_settings(false).enabled);
    CHECK(app::cache_settings(false).turned_off);
  }
  ScopedEnv env("EMBTOOL_CACHE", "1");
  CHECK(app::cache_settings(false).enabled);
}

TEST_CASE("the second open maps the cached store and answers, warns and tells as the file did", "[app][cache]") {
  CacheHere cache("hit");
  // Two copies of one word: a warning the cached open must repeat.
  std::vector<WordVector> words = random_words(200, 16, 11);
  words.push_back(words[5]);
  const std::string path = write_file("hit.bin", word2vec_binary(words)).string();
  const std::vector<std::string> query = {"-m", path, "neighbors", "w5", "w17", "--k", "7", "--json"};

  std::vector<std::string> uncached = query;
  uncached.insert(uncached.begin(), "--no-cache");
  const CliResult reference = run_cli(uncached);
  REQUIRE(reference.code == 0);
  CHECK(cache.entries() == 0);

  const CliResult first = run_cli(query);
  CHECK(first.code == 0);
  CHECK(first.out == reference.out);
  CHECK(first.err.find("cached " + path + " as a store in " + cache.directory().string()) != std::string::npos);
  CHECK(first.err.find("duplicate word") != std::string::npos);
  CHECK(cache.entries() == 1);

  const CliResult second = run_cli(query);
  CHECK(second.code == 0);
  CHECK(second.out == reference.out);
  CHECK(second.err.find("cached ") == std::string::npos);
  CHECK(second.err.find("1 duplicate word ignored") != std::string::npos);

  json plain = info_of({"--no-cache", "-m", path});
  json cached = info_of({"-m", path});
  REQUIRE(served_from_cache(cached));
  CHECK(fs::path(cached["cached_store"].get<std::string>()).parent_path() == cache.directory());
  CHECK_FALSE(served_from_cache(plain));
  cached.erase("cached_store");
  CHECK(cached == plain);  // the user's file named, its format, size and facts
  CHECK(cached["path"] == path);
  CHECK(cached["format"] == "word2vec-binary");

  // --strict refuses the duplicate, from the cache too (its own entry: never written).
  const CliResult strict = run_cli({"--strict", "-m", path, "info"});
  CHECK(strict.code != 0);
  CHECK(cache.entries() == 1);

  // Every other reading option is another entry, with its own answer.
  const json limited = info_of({"--limit", "50", "-m", path});
  CHECK(limited["words"] == 50);
  CHECK(cache.entries() == 2);
  CHECK(info_of({"--limit", "50", "-m", path})["words"] == 50);
  CHECK(served_from_cache(info_of({"--limit", "50", "-m", path})));
}

TEST_CASE("a gzip file is cached and its cached open says gzip", "[app][cache]") {
  CacheHere cache("gzip");
  const auto words = random_words(300, 16, 3);
  const std::string path = write_file("cached.bin.gz", gzip(word2vec_binary(words))).string();
  const CliResult reference = run_cli({"--no-cache", "-m", path, "neighbors", "w1", "--json"});
  REQUIRE(reference.code == 0);
  CHECK(run_cli({"-m", path, "neighbors", "w1", "--json"}).out == reference.out);
  const json info = info_of({"-m", path});
  CHECK(served_from_cache(info));
  CHECK(info["compression"] == "gzip");
  CHECK(run_cli({"-m", path, "neighbors", "w1", "--json"}).out == reference.out);
}

TEST_CASE("the cache is neither read nor written with --no-cache or EMBTOOL_CACHE=0", "[app][cache]") {
  CacheHere cache("off");
  const std::string path = model("off.bin");
  CHECK(run_cli({"--no-cache", "-m", path, "info"}).code == 0);
  CHECK(cache.entries() == 0);
  {
    ScopedEnv off("EMBTOOL_CACHE", "0");
    CHECK(run_cli({"-m", path, "info"}).code == 0);
    CHECK(cache.entries() == 0);
  }
  CHECK_FALSE(served_from_cache(info_of({"-m", path})));  // writes it
  CHECK(cache.entries() == 1);
  CHECK(served_from_cache(info_of({"-m", path})));
  CHECK_FALSE(served_from_cache(info_of({"--no-cache", "-m", path})));
  ScopedEnv off("EMBTOOL_CACHE", "off");
  CHECK_FALSE(served_from_cache(info_of({"-m", path})));
}

TEST_CASE("files below the threshold, stores and converts' inputs are not cached", "[app][cache]") {
  CacheHere cache("small");
  const std::string path = model("small.bin");
  {
    ScopedEnv min("EMBTOOL_CACHE_MIN_BYTES", std::to_string(fs::file_size(path) + 1));
    CHECK(run_cli({"-m", path, "info"}).code == 0);
    CHECK(cache.entries() == 0);
  }
  const std::string store = (scratch_dir() / "small.emb").string();
  CHECK(run_cli({"convert", path, store}).code == 0);
  CHECK(cache.entries() == 0);
  CHECK(run_cli({"-m", store, "info"}).code == 0);
  CHECK(cache.entries() == 0);
}

TEST_CASE("a damaged cached store is ignored, removed and replaced, never a wrong answer", "[app][cache]") {
  CacheHere cache("damaged");
  const std::string path = model("damaged.bin");
  const CliResult reference = run_cli({"--no-cache", "-m", path, "neighbors", "w3", "--json"});
  REQUIRE(run_cli({"-m", path, "info"}).code == 0);
  const auto key = app::cache_key(path, {}, app::cache_settings(false));
  REQUIRE(fs::exists(key->file));

  SECTION("truncated") { fs::resize_file(key->file, fs::file_size(key->file) / 2); }
  SECTION("not a store") { std::ofstream(key->file, std::ios::binary | std::ios::trunc) << "garbage"; }
  SECTION("empty") { std::ofstream(key->file, std::ios::binary | std::ios::trunc); }
  SECTION("another file's store") {
    const std::string other = model("damaged-other.bin", 300, 99);
    REQUIRE(run_cli({"-m", other, "info"}).code == 0);
    fs::copy_file(app::cache_key(other, {}, app::cache_settings(false))->file, key->file,
                  fs::copy_options::overwrite_existing);
  }
  const CliResult r = run_cli({"-m", path, "neighbors", "w3", "--json"});
  CHECK(r.code == 0);
  CHECK(r.out == reference.out);
  CHECK(r.err.find("ignored the damaged cache entry") != std::string::npos);
  CHECK(r.err.find("cached " + path) != std::string::npos);  // and written again
  CHECK(served_from_cache(info_of({"-m", path})));
}

TEST_CASE("an unwritable cache costs one warning and the speed-up, never the answer", "[app][cache]") {
  const std::string path = model("unwritable.bin");
  const CliResult reference = run_cli({"--no-cache", "-m", path, "neighbors", "w3", "--json"});
  // A cache "directory" under a regular file: no one can create it, root included.
  const fs::path file = write_file("not-a-directory", "x");
  ScopedEnv xdg("XDG_CACHE_HOME", (file / "cache").string());
  ScopedEnv min("EMBTOOL_CACHE_MIN_BYTES", "0");
  ScopedEnv on("EMBTOOL_CACHE", std::nullopt);
  const CliResult r = run_cli({"-m", path, "neighbors", "w3", "--json"});
  CHECK(r.code == 0);
  CHECK(r.out == reference.out);
  CHECK(r.err.find("could not cache") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(run_cli({"-q", "-m", path, "neighbors", "w3"}).err.empty());
}

TEST_CASE("a read-only cache directory costs the speed-up only", "[app][cache]") {
  if (::geteuid() == 0) {
    WARN("skipped: root writes into read-only directories");
    return;
  }
  CacheHere cache("readonly");
  fs::create_directories(cache.directory());
  fs::permissions(cache.directory(), fs::perms::owner_read | fs::perms::owner_exec);
  const std::string path = model("readonly.bin");
  const CliResult r = run_cli({"-m", path, "info"});
  fs::permissions(cache.directory(), fs::perms::owner_all);
  CHECK(r.code == 0);
  CHECK(r.err.find("could not cache") != std::string::npos);
  CHECK(cache.entries() == 0);
}

TEST_CASE("a full disk while writing the cached store costs the speed-up only", "[app][cache]") {
  CacheHere cache("full");
  const std::string path = model("full.bin", 3000);
  const CliResult reference = run_cli({"--no-cache", "-m", path, "neighbors", "w3", "--json"});
  // Files of this process may not grow past 64 KiB: the store's write fails as on a full disk.
  rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 64 << 10;
  ::setrlimit(RLIMIT_FSIZE, &small);
  const CliResult r = run_cli({"-m", path, "neighbors", "w3", "--json"});
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  CHECK(r.code == 0);
  CHECK(r.out == reference.out);
  CHECK(r.err.find("could not cache") != std::string::npos);
  CHECK(cache.entries() == 0);
  std::error_code ec;
  size_t leftovers = 0;
  for (fs::directory_iterator it(cache.directory(), ec), end; !ec && it != end; it.increment(ec)) ++leftovers;
  CHECK(leftovers == 0);
}

TEST_CASE("cache list shows each entry's file and state, and cache clear removes them", "[app][cache]") {
  CacheHere cache("list");
  CHECK(run_cli({"cache"}).out.find("no cached stores in " + cache.directory().string()) != std::string::npos);
  const std::string a = model("list-a.bin");
  const std::string b = write_file("list-b.txt", word2vec_text(random_words(40, 4, 5))).string();
  REQUIRE(run_cli({"-m", a, "info"}).code == 0);
  REQUIRE(run_cli({"-m", b, "info"}).code == 0);

  const CliResult text = run_cli({"cache", "list"});
  CHECK(text.code == 0);
  CHECK(text.out.find(fs::canonical(a).string()) != std::string::npos);
  CHECK(text.out.find("2 cached stores in " + cache.directory().string()) != std::string::npos);
  json listed = json::parse(run_cli({"cache", "list", "--json"}).out);
  REQUIRE(listed["entries"].size() == 2);
  for (const json& entry : listed["entries"]) {
    CHECK(entry["state"] == "current");
    CHECK(entry["store_bytes"].get<uint64_t>() > 0);
  }
  CHECK(listed["entries"][1]["format"] == "word2vec-text");
  CHECK(listed["entries"][1]["words"] == 40);

  // The file changes: its entry is stale; the next open writes another and drops the old one.
  set_mtime(a, fs::last_write_time(a) + std::chrono::seconds(10));
  listed = json::parse(run_cli({"cache", "--json"}).out);
  CHECK(listed["entries"][0]["state"] == "stale");
  REQUIRE(run_cli({"-m", a, "info"}).code == 0);
  listed = json::parse(run_cli({"cache", "--json"}).out);
  REQUIRE(listed["entries"].size() == 2);
  CHECK(listed["entries"][0]["state"] == "current");
  CHECK(listed["entries"][1]["state"] == "current");

  fs::remove(b);
  const json stale = json::parse(run_cli({"cache", "clear", "--stale", "--json"}).out);
  REQUIRE(stale["removed"].size() == 1);
  CHECK(stale["removed"][0]["state"] == "missing");
  CHECK(cache.entries() == 1);
  const CliResult cleared = run_cli({"cache", "clear"});
  CHECK(cleared.code == 0);
  CHECK(cleared.out.find("removed 1 cached store from") != std::string::npos);
  CHECK(cache.entries() == 0);
  CHECK(run_cli({"cache", "list", "--stale"}).code != 0);
}

TEST_CASE("two processes opening the same file at once both answer", "[app][cache]") {
  CacheHere cache("race");
  const std::string path = model("race.bin", 4000);
  const CliResult reference = run_cli({"--no-cache", "-m", path, "neighbors", "w3", "--json"});
  const std::string embtool = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "embtool";
  if (!fs::exists(embtool)) {
    WARN("skipped: no embtool binary beside the tests");
    return;
  }
  const fs::path out = scratch_dir() / "race-out";
  fs::create_directories(out);
  const std::string command = "for i in 1 2 3 4; do '" + embtool + "' -q -m '" + path + "' neighbors w3 --json > '" +
                              out.string() + "'/$i & done; wait";
  REQUIRE(std::system(command.c_str()) == 0);
  for (int i = 1; i <= 4; ++i) {
    std::ifstream in(out / std::to_string(i));
    const std::string answer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(answer == reference.out);
  }
  CHECK(cache.entries() == 1);
  CHECK(served_from_cache(info_of({"-m", path})));
}
