// cache list and cache clear, for people and for scripts.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

#include "render/json_writer.hpp"
#include "render/render.hpp"
#include "render/table.hpp"

namespace embtool::output {
namespace {

using app::CacheEntry;
using app::CacheReport;

std::string local_time(int64_t ns) {
  if (ns == 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(ns / 1000000000);
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::localtime(seconds));
}

std::string size_text(uint64_t bytes) {
  if (bytes >= (1ull << 30)) return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1ull << 30));
  if (bytes >= (1ull << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1ull << 20));
  return fmt::format("{} B", bytes);
}

Table entry_table(const CacheReport& report, bool for_people) {
  Table table{{"source", "format", "source_bytes", "source_modified", "options", "words", "dim", "store_bytes",
               "written", "state", "store"},
              {}};
  for (const CacheEntry& e : report.entries) {
    auto bytes = [&](uint64_t n) { return for_people ? Cell(size_text(n)) : Cell(static_cast<int64_t>(n)); };
    table.rows.push_back({printable(e.source_path), e.source_format, bytes(e.source_bytes),
                          local_time(e.source_mtime_ns), e.options, static_cast<int64_t>(e.words),
                          static_cast<int64_t>(e.dim), bytes(e.store_bytes), local_time(e.written_ns), e.state,
                          printable(e.file)});
  }
  return table;
}

std::string render_json(const CacheReport& report) {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  json.key("action").value(report.action);
  json.key("directory").value(report.directory);
  json.key("enabled").value(report.enabled);
  uint64_t total = 0;
  json.key(report.action == "clear" ? "removed" : "entries").begin_array();
  for (const CacheEntry& e : report.entries) {
    total += e.store_bytes;
    json.begin_object();
    json.key("source").value(e.source_path);
    json.key("format").value(e.source_format);
    json.key("source_bytes").value(e.source_bytes);
    json.key("source_mtime_ns").value(e.source_mtime_ns);
    json.key("options").value(e.options);
    json.key("words").value(e.words);
    json.key("dim").value(e.dim);
    json.key("store").value(e.file);
    json.key("store_bytes").value(e.store_bytes);
    json.key("written_ns").value(e.written_ns);
    json.key("state").value(e.state);
    json.end_object();
  }
  json.end_array();
  json.key(report.action == "clear" ? "freed_bytes" : "total_bytes")
      .value(report.action == "clear" ? report.removed_bytes : total);
  json.end_object();
  out += "\n";
  return out;
}

}  // namespace

std::string render(const CacheReport& report, OutputStyle format) {
  if (format == OutputStyle::json) return render_json(report);
  if (format == OutputStyle::tsv) return render_tsv(entry_table(report, false));
  const std::string where = report.directory.empty()
                                ? std::string("no cache directory (neither an absolute XDG_CACHE_HOME nor a home)")
                                : printable(report.directory);
  std::string out;
  if (report.action == "clear") {
    out = fmt::format("removed {} cached store{} from {}: {} freed\n", report.entries.size(),
                      report.entries.size() == 1 ? "" : "s", where, size_text(report.removed_bytes));
  } else if (report.entries.empty()) {
    out = fmt::format("no cached stores in {}\n", where);
  } else {
    uint64_t total = 0;
    for (const CacheEntry& e : report.entries) total += e.store_bytes;
    out = render_text(entry_table(report, true), false);
    out += fmt::format("{} cached store{} in {}: {}\n", report.entries.size(), report.entries.size() == 1 ? "" : "s",
                       where, size_text(total));
  }
  if (!report.enabled && !report.directory.empty()) out += "the cache is off (--no-cache or EMBTOOL_CACHE=0)\n";
  return out;
}

}  // namespace embtool::output
