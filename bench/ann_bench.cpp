// The approximate index against the exact float32 scan, in one process and one run:
// recall@10 over random queries (each row's own neighbours, the row excluded, as `neighbors W`
// asks) and the time a query takes, for several candidate lists (ef); the index's build time
// and peak memory when it is built here. With --faiss (when built with libfaiss-dev), FAISS's
// IndexHNSWFlat (inner product on normalized rows) is measured the same way beside it.
//
//   ann_bench STORE [--build] [--m 16] [--ef-construction 200] [--ef 10,20,40,...]
//             [--queries 1000] [--singles 100] [--threads N] [--limit ROWS] [--faiss]
//
// Without --build the index is STORE.hnsw (made by `embtool index STORE`).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/thread_pool.hpp"
#include "formats/store/store_file.hpp"
#include "ops/ops.hpp"
#include "search/index/hnsw_index.hpp"
#include "search/search.hpp"

#ifdef EMBTOOL_BENCH_FAISS
#include <faiss/IndexHNSW.h>
#endif

using namespace embtool;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Resident and peak resident memory of this process, MiB.
double rss_mib() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}
double peak_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

struct Args {
  std::string store;
  bool build = false, faiss = false;
  size_t m = 16, ef_construction = 200, queries = 1000, singles = 100, threads = 0, limit = 0;
  std::vector<size_t> efs{10, 20, 40, 60, 80, 100, 150, 200, 400};
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&] { return static_cast<size_t>(std::strtoull(argv[++i], nullptr, 10)); };
    if (arg == "--build") a.build = true;
    else if (arg == "--faiss") a.faiss = true;
    else if (arg == "--m" && i + 1 < argc) a.m = next();
    else if (arg == "--ef-construction" && i + 1 < argc) a.ef_construction = next();
    else if (arg == "--queries" && i + 1 < argc) a.queries = next();
    else if (arg == "--singles" && i + 1 < argc) a.singles = next();
    else if (arg == "--threads" && i + 1 < argc) a.threads = next();
    else if (arg == "--limit" && i + 1 < argc) a.limit = next();
    else if (arg == "--ef" && i + 1 < argc) {
      a.efs.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) a.efs.push_back(std::stoull(item));
    } else a.store = arg;
  }
  if (a.store.empty()) {
    std::fprintf(stderr, "usage: ann_bench STORE [--build] [--m M] [--ef-construction N] [--ef 10,20,...] "
                         "[--queries N] [--singles N] [--threads N] [--faiss]\n");
    std::exit(2);
  }
  return a;
}

std::vector<float> unit_row(const Embeddings& e, uint32_t row) {
  std::vector<float> v = e.row_values(row);
  const float norm = e.norm(row);
  for (float& x : v) x /= norm;
  return v;
}

double recall(const std::vector<std::vector<Neighbor>>& truth, const std::vector<std::vector<uint32_t>>& found) {
  size_t hits = 0, total = 0;
  for (size_t q = 0; q < truth.size(); ++q) {
    for (const Neighbor& n : truth[q]) hits += std::count(found[q].begin(), found[q].end(), n.row);
    total += truth[q].size();
  }
  return static_cast<double>(hits) / static_cast<double>(total);
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  // --limit N: the first N rows only (then with --build: STORE.hnsw indexes all rows).
  const Embeddings e = a.limit > 0 ? open_store(a.store, a.limit) : open_store(a.store);
  std::printf("model %s: %zu rows x %zu\n", a.store.c_str(), e.rows(), e.dim());
  const SearchOptions exact{.threads = a.threads, .scan = ScanChoice::f32};

  std::mt19937_64 rng(20261202);
  std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(e.rows() - 1));
  std::vector<uint32_t> rows;
  while (rows.size() < a.queries) {
    const uint32_t row = pick(rng);
    if (e.norm(row) > 0) rows.push_back(row);
  }
  std::vector<std::vector<float>> units;
  for (uint32_t row : rows) units.push_back(unit_row(e, row));

  // The exact answers (one batch: the same answers as single scans, to the bit), and the time
  // of single exact float32 scans, as `neighbors W` runs one.
  std::vector<CosineQuery> batch;
  for (size_t q = 0; q < rows.size(); ++q) batch.push_back({units[q], 10, std::span(&rows[q], 1)});
  const auto truth = top_k_cosine_batch(e, batch, exact);
  for (size_t q = 0; q < std::min<size_t>(3, rows.size()); ++q) top_k_cosine(e, units[q], 10, batch[q].excluded, exact);
  auto exact_scan_ms = [&] {
    const auto scan_start = Clock::now();
    for (size_t q = 0; q < a.singles; ++q) top_k_cosine(e, units[q], 10, batch[q].excluded, exact);
    return since(scan_start) * 1e3 / static_cast<double>(a.singles);
  };
  const double exact_ms = exact_scan_ms();
  std::printf("exact float32 scan: %.3f ms a query (mean of %zu, %zu threads)\n", exact_ms, a.singles,
              resolve_thread_count(a.threads));

  const double rss_before = rss_mib();
  const auto build_start = Clock::now();
  std::optional<HnswIndex> index;
  if (a.build) {
    HnswBuildOptions options;
    options.m = a.m;
    options.ef_construction = a.ef_construction;
    options.threads = a.threads;
    index.emplace(HnswIndex::build(e, options));
    std::printf("embtool index (hnswlib) build: %.1f s, M %zu, ef-construction %zu, %zu threads; graph %.1f MB; "
                "RSS +%.0f MiB, peak %.0f MiB\n",
                since(build_start), a.m, a.ef_construction, resolve_thread_count(a.threads),
                static_cast<double>(index->bytes()) / 1e6, rss_mib() - rss_before, peak_mib());
  } else {
    index.emplace(HnswIndex::open(index_path_for(a.store), e));
    std::printf("embtool index (hnswlib) opened from %s in %.3f s: M %zu, ef-construction %zu, %.1f MB\n",
                index_path_for(a.store).c_str(), since(build_start), index->m(), index->ef_construction(),
                static_cast<double>(index->bytes()) / 1e6);
  }
  std::printf("%-8s %6s %10s %10s %9s\n", "library", "ef", "recall@10", "ms/query", "speed-up");
  for (const size_t ef : a.efs) {
    std::vector<std::vector<uint32_t>> found(rows.size());
    const auto start = Clock::now();
    for (size_t q = 0; q < rows.size(); ++q) {
      for (const Neighbor& n : index->search(units[q], 10, batch[q].excluded, ef)) found[q].push_back(n.row);
    }
    const double ms = since(start) * 1e3 / static_cast<double>(rows.size());
    std::printf("%-8s %6zu %10.4f %10.4f %8.1fx\n", "hnswlib", ef, recall(truth, found), ms, exact_ms / ms);
  }
  // The exact scan again: on a shared machine its time moves; a second, faster time means
  // the speed-ups above were overstated by that much.
  const double exact_after_ms = exact_scan_ms();
  std::printf("exact float32 scan again: %.3f ms a query (speed-ups above are against %.3f ms)\n", exact_after_ms,
              exact_ms);
  if (a.faiss) {
#ifdef EMBTOOL_BENCH_FAISS
    std::vector<float> normalized(e.rows() * e.dim());
    for (uint32_t r = 0; r < e.rows(); ++r) {
      const auto v = e.norm(r) > 0 ? unit_row(e, r) : std::vector<float>(e.dim(), 0.0f);
      std::copy(v.begin(), v.end(), normalized.begin() + static_cast<ptrdiff_t>(size_t{r} * e.dim()));
    }
    const double faiss_rss_before = rss_mib();
    const auto faiss_start = Clock::now();
    faiss::IndexHNSWFlat flat(static_cast<int>(e.dim()), static_cast<int>(a.m), faiss::METRIC_INNER_PRODUCT);
    flat.hnsw.efConstruction = static_cast<int>(a.ef_construction);
    flat.add(static_cast<faiss::Index::idx_t>(e.rows()), normalized.data());
    std::printf("faiss IndexHNSWFlat build: %.1f s, M %zu, efConstruction %zu (OpenMP threads); RSS +%.0f MiB "
                "(its own copy of the rows included), peak %.0f MiB\n",
                since(faiss_start), a.m, a.ef_construction, rss_mib() - faiss_rss_before, peak_mib());
    for (const size_t ef : a.efs) {
      flat.hnsw.efSearch = static_cast<int>(ef);
      std::vector<std::vector<uint32_t>> found(rows.size());
      std::vector<float> distances(11);
      std::vector<faiss::Index::idx_t> labels(11);
      const auto start = Clock::now();
      for (size_t q = 0; q < rows.size(); ++q) {
        flat.search(1, units[q].data(), 11, distances.data(), labels.data());
        for (const faiss::Index::idx_t l : labels) {
          if (l >= 0 && static_cast<uint32_t>(l) != rows[q] && found[q].size() < 10) found[q].push_back(static_cast<uint32_t>(l));
        }
      }
      const double ms = since(start) * 1e3 / static_cast<double>(rows.size());
      std::printf("%-8s %6zu %10.4f %10.4f %8.1fx\n", "faiss", ef, recall(truth, found), ms, exact_ms / ms);
    }
#else
    std::printf("faiss: not built in (install libfaiss-dev and reconfigure)\n");
#endif
  }
  std::printf("peak RSS %.0f MiB\n", peak_mib());
  return 0;
}
