// In-process figures for a store (.emb) with float16, bfloat16 and int8 copies: the open, one exact
// float32 scan, the reduced scans, their recall@10 against the float32 answers, and 1000
// queries as one batch against single scans and against the same batch through bfloat16
// products. Each scan's speed is also given as a ratio to
// reading the same mapped bytes with every thread (a plain sum, nothing else done), measured
// in the same run just before the scan. Prints "name value" lines for run_bench.sh.
//
//   scan_bench STORE [--queries N] [--singles N] [--threads N] [--batch-only]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ops/ops.hpp"
#include "read_bandwidth.hpp"
#include "search/search.hpp"
#include "formats/store/store_file.hpp"

using namespace embtool;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// neighbors_batch's queries, multiplied in bfloat16 whatever the CPU offers beyond it.
std::vector<std::vector<Neighbor>> bf16_batch(const Embeddings& e, std::span<const uint32_t> rows, size_t threads) {
  std::vector<CosineSearch> searches;  // as neighbors() forms them
  for (uint32_t row : rows) {
    const WeightedRow term{row, 1.0f};
    searches.push_back(most_similar_search(e, std::span(&term, 1)));
  }
  std::vector<CosineQuery> queries;
  for (const CosineSearch& search : searches) queries.push_back({search.unit_query, 10, search.excluded});
  return top_k_cosine_batch(e, queries, {.threads = threads, .scan = ScanChoice::f32}, BatchArithmetic::bf16);
}

// The read bandwidth over the memory a scan of `m` reads, GB/s, on `threads` threads (0: every core).
double matrix_read_gbps(const Matrix& m, size_t threads) {
  const unsigned t = threads > 0 ? static_cast<unsigned>(threads) : std::max(1u, std::thread::hardware_concurrency());
  return bench::read_gbps(m.row_bytes(0), m.bytes(), t);
}

// A scan of `bytes` taking `seconds`, as a share of reading them at `gbps`.
double ratio_to_bandwidth(uint64_t bytes, double seconds, double gbps) {
  return static_cast<double>(bytes) / seconds / 1e9 / gbps;
}

struct Args {
  std::string store;
  size_t queries = 1000;
  size_t singles = 30;
  size_t threads = 0;
  bool batch_only = false;  // stop after the batch figures (for profiling them)
};

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&] { return static_cast<size_t>(std::strtoull(argv[++i], nullptr, 10)); };
    if (arg == "--queries" && i + 1 < argc) args.queries = next();
    else if (arg == "--singles" && i + 1 < argc) args.singles = next();
    else if (arg == "--threads" && i + 1 < argc) args.threads = next();
    else if (arg == "--batch-only") args.batch_only = true;
    else args.store = arg;
  }
  if (args.store.empty()) {
    std::fprintf(stderr, "usage: scan_bench STORE [--queries N] [--singles N] [--threads N] [--batch-only]\n");
    std::exit(2);
  }
  return args;
}

std::vector<uint32_t> query_rows(const Embeddings& e, size_t count) {
  std::mt19937_64 rng(20261122);
  std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(e.rows() - 1));
  std::vector<uint32_t> rows;
  while (rows.size() < count) {
    const uint32_t row = pick(rng);
    if (e.norm(row) > 0.0f) rows.push_back(row);
  }
  return rows;
}

// Median seconds of one neighbors query over the first `count` rows, and the answers.
double single_scans(const Embeddings& e, std::span<const uint32_t> rows, ScanChoice scan,
                    size_t threads, std::vector<std::vector<Neighbor>>* answers) {
  std::vector<double> times;
  for (uint32_t row : rows) {
    const auto start = Clock::now();
    auto found = neighbors(e, row, 10, {.threads = threads, .scan = scan});
    times.push_back(since(start));
    if (answers) answers->push_back(std::move(found));
  }
  return median(times);
}

double recall_at_10(const std::vector<std::vector<Neighbor>>& truth,
                    const std::vector<std::vector<Neighbor>>& found) {
  size_t hits = 0, total = 0;
  for (size_t q = 0; q < truth.size(); ++q) {
    for (const Neighbor& n : truth[q]) {
      ++total;
      hits += std::any_of(found[q].begin(), found[q].end(),
                          [&](const Neighbor& m) { return m.row == n.row && m.score == n.score; });
    }
  }
  return total ? static_cast<double>(hits) / static_cast<double>(total) : 1.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  std::vector<double> opens;
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    const Embeddings e = open_store(args.store);
    opens.push_back(since(start));
  }
  std::printf("open_ms %.3f\n", median(opens) * 1e3);

  const Embeddings e = open_store(args.store);
  std::printf("rows %zu\ndim %zu\nmatrix_bytes %llu\n", e.rows(), e.dim(),
              static_cast<unsigned long long>(e.matrix_bytes()));
  const std::vector<uint32_t> rows = query_rows(e, args.queries);
  const std::span<const uint32_t> sample(rows.data(), std::min(args.singles, rows.size()));

  single_scans(e, sample.first(1), ScanChoice::f32, args.threads, nullptr);  // map the pages
  const double f32_read = matrix_read_gbps(e.matrix(), args.threads);
  const double f32 = single_scans(e, sample, ScanChoice::f32, args.threads, nullptr);
  std::printf("read_f32_gbps %.2f\nscan_f32_ms %.3f\nscan_f32_of_read %.3f\n", f32_read, f32 * 1e3,
              ratio_to_bandwidth(e.matrix().bytes(), f32, f32_read));

  const auto batch_start = Clock::now();
  const auto truth = neighbors_batch(e, rows, 10, {.threads = args.threads, .scan = ScanChoice::f32});
  const double batch = since(batch_start);
  std::printf("batch_queries %zu\nbatch_s %.3f\nbatch_per_query_ms %.3f\n", rows.size(), batch,
              batch * 1e3 / static_cast<double>(rows.size()));

  // The same batch through bfloat16 products (the path before int8 ones), beside it.
  const auto bf16_start = Clock::now();
  const auto bf16_answers = bf16_batch(e, rows, args.threads);
  const double bf16_batch_s = since(bf16_start);
  std::printf("batch_bf16_s %.3f\nbatch_speedup_vs_bf16 %.2f\nbatch_equals_bf16 %s\n", bf16_batch_s,
              bf16_batch_s / batch, bf16_answers == truth ? "yes" : "NO");

  std::vector<std::vector<Neighbor>> f32_answers;
  single_scans(e, sample, ScanChoice::f32, args.threads, &f32_answers);
  const std::vector<std::vector<Neighbor>> truth_sample(truth.begin(), truth.begin() + sample.size());
  std::printf("batch_equals_single %s\n", truth_sample == f32_answers ? "yes" : "NO");
  if (args.batch_only) return 0;

  for (const auto& [name, dtype, choice] : {std::tuple{"f16", Dtype::f16, ScanChoice::f16},
                                             std::tuple{"bf16", Dtype::bf16, ScanChoice::bf16},
                                             std::tuple{"i8", Dtype::i8, ScanChoice::i8}}) {
    const Matrix* copy = e.reduced(dtype);
    if (copy == nullptr) continue;
    single_scans(e, sample.first(1), choice, args.threads, nullptr);  // map the pages
    const double read = matrix_read_gbps(*copy, args.threads);
    std::vector<std::vector<Neighbor>> found;
    const double seconds = single_scans(e, rows, choice, args.threads, &found);
    // The scan reads the reduced copy, then re-ranks a few float32 rows: the copy's bytes are
    // what it must read.
    std::printf("read_%s_gbps %.2f\nscan_%s_ms %.3f\nscan_%s_of_read %.3f\nrecall10_%s %.6f\n", name, read,
                name, seconds * 1e3, name, ratio_to_bandwidth(copy->bytes(), seconds, read), name,
                recall_at_10(truth, found));
  }
  return 0;
}
