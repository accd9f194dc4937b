// Tokenizing speed on one thread: reads FILE into memory, then encodes it one line at a time
// (one encode call per line, its "\n" not included, add_special and parse_special off) and
// keeps the best of N runs. Prints "name value" lines: the bytes and lines tokenized, the
// tokens, the best run's seconds and MB/s (10^6 bytes a second), the same per second of CPU
// time (the best run's by CPU time: on a shared machine wall time counts others' work), and a
// checksum of the ids
// (FNV-1a over each id, and -1 after each line, as 32-bit words) that tokenize_bench.sh
// compares with the peer's.
//
//   tokenize_bench TOKENIZER FILE [--repeat 5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "any_tokenizer.hpp"

using namespace embtool;

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

uint32_t fnv1a(uint32_t hash, uint32_t word) { return (hash ^ word) * 16777619u; }

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

struct Run {
  double seconds = 0;
  double cpu = 0;
  size_t tokens = 0;
  uint32_t checksum = 2166136261u;
};

Run tokenize_all(const tokenize::Tokenizer& tokenizer, const std::vector<std::string_view>& lines) {
  Run run;
  const Clock::time_point start = Clock::now();
  const double cpu_start = cpu_seconds();
  for (std::string_view line : lines) {
    const std::vector<tokenize::Piece> pieces = tokenizer.encode(line);
    run.tokens += pieces.size();
    for (const tokenize::Piece& piece : pieces) run.checksum = fnv1a(run.checksum, static_cast<uint32_t>(piece.id));
    run.checksum = fnv1a(run.checksum, 0xffffffffu);
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.cpu = cpu_seconds() - cpu_start;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 5;
  if (argc == 5 && std::string_view(argv[3]) == "--repeat") repeat = std::max(1, std::atoi(argv[4]));
  else if (argc != 3) {
    std::fprintf(stderr, "usage: tokenize_bench TOKENIZER FILE [--repeat N]\n");
    return 2;
  }
  try {
    const AnyTokenizer tokenizer(argv[1]);
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) throw Error(ErrorKind::io, std::string("cannot open ") + argv[2] + ".");
    std::ostringstream contents;
    contents << in.rdbuf();
    const std::string text = contents.str();
    const std::vector<std::string_view> lines = lines_of(text);
    size_t bytes = 0;
    for (std::string_view line : lines) bytes += line.size();
    Run best;
    double best_cpu = 0;
    for (int i = 0; i < repeat; ++i) {
      const Run run = tokenize_all(*tokenizer, lines);
      if (i == 0 || run.seconds < best.seconds) best = run;
      if (i == 0 || run.cpu < best_cpu) best_cpu = run.cpu;
    }
    const auto megabytes = static_cast<double>(bytes) / 1e6;
    std::printf("bytes %zu\nlines %zu\ntokens %zu\nseconds %.3f\nMB/s %.2f\ncpu_seconds %.3f\nMB/cpu_s %.2f\n"
                "checksum %08x\n", bytes, lines.size(), best.tokens, best.seconds, megabytes / best.seconds, best_cpu,
                megabytes / best_cpu, best.checksum);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
