#include "search/index/hnsw_index.hpp"

#include <fmt/format.h>

// hnswlib 0.6.2 (Debian libhnswlib-dev): header-only; its own warnings are not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-compare"
// hnswlib 0.6.2's SSE prefetches read one link past the end of a node's list (the address is
// only prefetched, never used, but the load of the link itself is out of bounds): the
// sanitizer builds turn them off so that AddressSanitizer watches everything else.
#if defined(__SANITIZE_ADDRESS__)
#define NO_MANUAL_VECTORIZATION
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_MANUAL_VECTORIZATION
#endif
#endif
#include <hnswlib/hnswlib.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <system_error>

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "base/thread_pool.hpp"
#include "kernels/quantized.hpp"
#include "kernels/simd.hpp"
#include "search/top_k_heap.hpp"

namespace embtool {

namespace {

// hnswlib's distance: 1 - cosine (it keeps the smallest). While a graph is built, an element's
// "vector" is either the row's unit-length copy (when the copies fit kBuildCopyBytes: hnswlib
// then reads and prefetches them beside the links, as its own spaces do) or the row number
// (the distance then reads the model's row and multiplies by the inverse norm). In the file,
// and so in a graph opened from one, it is always the row number.
struct DistanceParam {
  kernels::DotFunction dot = nullptr;
  size_t dim = 0;
  const Matrix* matrix = nullptr;
  const float* inverse_norms = nullptr;  // by row
};

float unit_distance(const void* a, const void* b, const void* param) {
  const auto& p = *static_cast<const DistanceParam*>(param);
  return 1.0f - p.dot(static_cast<const float*>(a), static_cast<const float*>(b), p.dim);
}

float row_distance(const void* a, const void* b, const void* param) {
  const auto& p = *static_cast<const DistanceParam*>(param);
  uint32_t ra = 0, rb = 0;
  std::memcpy(&ra, a, sizeof ra);
  std::memcpy(&rb, b, sizeof rb);
  return 1.0f - p.dot(p.matrix->f32_row(ra), p.matrix->f32_row(rb), p.dim) * p.inverse_norms[ra] * p.inverse_norms[rb];
}

class DistanceSpace final : public hnswlib::SpaceInterface<float> {
 public:
  DistanceSpace(DistanceParam* param, bool unit_rows) : param_(param), unit_rows_(unit_rows) {}
  size_t get_data_size() override { return unit_rows_ ? param_->dim * sizeof(float) : sizeof(uint32_t); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return unit_rows_ ? &unit_distance : &row_distance; }
  void* get_dist_func_param() override { return param_; }

 private:
  DistanceParam* param_;
  bool unit_rows_;
};

// Unit-length copies of the rows inside the graph while it is built, up to this many bytes of
// them (GloVe 6B 100-d: 137 MB); past it the graph holds row numbers (a 3M x 300 model).
constexpr uint64_t kBuildCopyBytes = uint64_t{1} << 30;

using Hnsw = hnswlib::HierarchicalNSW<float>;

// The file: a fixed header, then hnswlib's bottom layer as it lies in memory (64-byte
// aligned), each element's level (one byte), then the upper layers' link lists in element
// order, then (64-byte aligned) the walk's int8 rows. Native byte order (little-endian), as the store.
constexpr char kMagic[8] = {'E', 'M', 'B', 'H', 'N', 'S', 'W', '\0'};
constexpr uint32_t kVersion = 2;  // 2: the int8 rows of the walk
struct FileHeader {
  char magic[8] = {};
  uint32_t version = 0;
  uint32_t header_bytes = 0;
  uint64_t rows = 0;  // the model's: the fingerprint
  uint64_t dim = 0;
  uint64_t checksum = 0;
  uint64_t elements = 0;
  uint64_t m = 0;
  uint64_t max_m0 = 0;
  uint64_t ef_construction = 0;
  int64_t max_level = 0;
  uint64_t enter_point = 0;
  uint64_t bytes_per_element = 0;
  uint64_t label_offset = 0;
  uint64_t data_offset = 0;
  uint64_t upper_bytes_per_level = 0;
  double mult = 0;
  uint64_t level0_offset = 0;
  uint64_t levels_offset = 0;
  uint64_t upper_offset = 0;
  uint64_t upper_bytes = 0;
  uint64_t file_bytes = 0;
  uint64_t codes_offset = 0;  // the walk's int8 rows: elements x code_stride bytes
  uint64_t code_stride = 0;
  uint64_t reserved[9] = {};
};
static_assert(sizeof(FileHeader) == 256);

constexpr uint64_t align_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

uint64_t mix(uint64_t h, uint64_t word) {
  h ^= word * 0x9E3779B97F4A7C15ull;
  h = (h << 31) | (h >> 33);
  return h * 0xBF58476D1CE4E5B9ull;
}

uint64_t mix_bytes(uint64_t h, const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, p + i, 8);
    h = mix(h, word);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p + i, size - i);
  return mix(h, tail ^ (uint64_t{size - i} << 56));
}

bool indexable(float norm) { return std::isfinite(norm) && norm > 0.0f; }

[[noreturn]] void damaged(const std::filesystem::path& path, std::string_view what) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: damaged index ({}); run `embtool index` on the model again",
                                               path.string(), what));
}

}  // namespace

VectorsFingerprint vectors_fingerprint(const Embeddings& e) {
  VectorsFingerprint f{e.rows(), e.dim(), 0};
  uint64_t h = mix(mix(0x656d62746f6f6cull, f.rows), f.dim);
  const std::span<const float> norms = e.norms();
  h = mix_bytes(h, norms.data(), norms.size_bytes());
  // Norms alone miss a row changed but not its length (a sign flipped): sampled rows too.
  if (e.has_f32_rows() && e.rows() > 0) {
    const size_t samples = std::min<size_t>(e.rows(), 4096);
    for (size_t i = 0; i < samples; ++i) {
      const size_t row = i * e.rows() / samples;
      h = mix_bytes(h, e.matrix().f32_row(row), e.dim() * sizeof(float));
    }
  }
  f.checksum = h;
  return f;
}

std::filesystem::path index_path_for(const std::filesystem::path& model) {
  std::filesystem::path path = model;
  path += ".hnsw";
  return path;
}

struct HnswIndex::Graph {
  Graph(const Embeddings& e, bool unit_rows) : embeddings(&e), face(&param, unit_rows) {
    const std::span<const float> norms = e.norms();
    inverse_norms.resize(norms.size());
    for (size_t r = 0; r < norms.size(); ++r) inverse_norms[r] = indexable(norms[r]) ? 1.0f / norms[r] : 0.0f;
    param = DistanceParam{kernels::dot_function(), e.dim(), &e.matrix(), inverse_norms.data()};
  }
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  ~Graph() {
    if (hnsw && file) {
      // The layers lie in the mapping: hnswlib must not free them.
      hnsw->data_level0_memory_ = nullptr;
      hnsw->cur_element_count = 0;
    }
  }

  // What a search reads of an element besides its links, by element number: one load.
  struct Element {
    uint32_t row = 0;
    float inverse_norm = 0;
  };

  std::vector<uint32_t> candidates(const float* unit_query, size_t ef) const;

  // The walk's copy of the rows (built here, or mapped from the file): each element's row as
  // int8 with one scale, in element order, in whole 64-byte lines, the last four bytes of a
  // row holding the float that turns an integer dot product with the query's int16 levels
  // into a cosine (the row's scale / its norm). The query is zero there, so the kernel's sum
  // over the whole row ignores the factor; and the factor comes in the line the walk fetches
  // anyway (as an array of its own it was a cache miss a distance: 44% of a search's time).
  // A quarter of a float32 row's lines per distance, and the walk is bound by those fetches;
  // the estimates only steer the walk: the answer's rows are re-scored in float32.
  static size_t code_stride_for(size_t dim) { return kernels::padded_length(dim + sizeof(float), 1); }
  float code_factor(const int8_t* code) const {
    float factor = 0;
    std::memcpy(&factor, code + code_stride - sizeof factor, sizeof factor);
    return factor;
  }
  void quantize_elements(size_t threads) {
    const size_t dim = param.dim;
    code_stride = code_stride_for(dim);
    owned_codes.assign(elements.size() * code_stride, 0);
    parallel_for(elements.size(), threads, Split{4096, 1}, [&](const Task& task) {
      std::vector<float> row(dim);
      for (size_t id = task.begin; id < task.end; ++id) {
        int8_t* code = owned_codes.data() + id * code_stride;
        // Rows read in place from a word2vec binary may be unaligned: copied first.
        std::memcpy(row.data(), embeddings->matrix().f32_row(elements[id].row), dim * sizeof(float));
        const float factor = kernels::quantize_row_i8(row, std::span(code, dim)) * elements[id].inverse_norm;
        std::memcpy(code + code_stride - sizeof factor, &factor, sizeof factor);
      }
    });
    codes = owned_codes.data();
  }
  const int8_t* codes = nullptr;
  size_t code_stride = 0;
  std::vector<int8_t> owned_codes;  // a graph built here; one opened maps them

  const Embeddings* embeddings;
  std::vector<float> inverse_norms;  // by row
  DistanceParam param;
  DistanceSpace face;
  std::vector<Element> elements;
  std::shared_ptr<const MappedFile> file;
  std::unique_ptr<Hnsw> hnsw;
};

namespace {

void prefetch_bytes(const void* p, size_t size) {
  const auto* bytes = static_cast<const char*>(p);
  for (size_t offset = 0; offset < size; offset += 64) __builtin_prefetch(bytes + offset, 0, 3);
}

uint16_t link_count(const void* list) {
  uint16_t count = 0;
  std::memcpy(&count, list, sizeof count);  // the low two bytes (the third: hnswlib's deleted mark)
  return count;
}

}  // namespace

// hnswlib's search (greedy descent through the upper layers, then a best-first walk of the
// bottom one with `ef` candidates) over the int8 copy: 1 - the estimated cosine, the SIMD
// kernel called through one dispatch, and the codes of an element's unvisited neighbours
// prefetched before the first of them is scored (they lie apart from the links, so hnswlib's
// own prefetch would miss them).
// The element numbers of the `ef` nearest found, turned into rows, in no order.
std::vector<uint32_t> HnswIndex::Graph::candidates(const float* unit_query, size_t ef) const {
  const Hnsw& h = *hnsw;
  const Element* element = elements.data();
  std::vector<int16_t> query(code_stride, 0);
  const float query_scale = kernels::quantize_query_i16(std::span(unit_query, param.dim), query);
  auto distance = [&](uint32_t id) {
    int32_t sum = 0;
    const int8_t* code = codes + size_t{id} * code_stride;
    kernels::dot_rows_i8(code, code_stride, 1, query.data(), &sum);
    return 1.0f - static_cast<float>(sum) * query_scale * code_factor(code);
  };
  auto prefetch_row = [&](uint32_t id) { prefetch_bytes(codes + size_t{id} * code_stride, code_stride); };
  auto current = static_cast<uint32_t>(h.enterpoint_node_);
  float current_distance = distance(current);
  for (int level = h.maxlevel_; level > 0; --level) {
    for (bool changed = true; changed;) {
      changed = false;
      const auto* list = reinterpret_cast<const uint32_t*>(h.get_linklist(current, level));
      const uint16_t count = link_count(list);
      for (uint16_t j = 1; j <= count; ++j) prefetch_row(list[j]);
      for (uint16_t j = 1; j <= count; ++j) {
        const float d = distance(list[j]);
        if (d < current_distance) {
          current_distance = d;
          current = list[j];
          changed = true;
        }
      }
    }
  }

  hnswlib::VisitedList* visited_list = h.visited_list_pool_->getFreeVisitedList();
  struct Release {
    hnswlib::VisitedListPool* pool;
    hnswlib::VisitedList* list;
    ~Release() { pool->releaseVisitedList(list); }
  } release{h.visited_list_pool_, visited_list};
  hnswlib::vl_type* visited = visited_list->mass;
  const hnswlib::vl_type tag = visited_list->curV;

  using Entry = std::pair<float, uint32_t>;
  std::vector<Entry> nearest;  // max-heap: the farthest of the ef nearest on top
  std::vector<Entry> frontier;  // min-heap by distance (std::greater)
  nearest.reserve(ef + 1);
  frontier.reserve(ef * 4);
  nearest.emplace_back(current_distance, current);
  frontier.emplace_back(current_distance, current);
  visited[current] = tag;
  float bound = current_distance;
  uint32_t fresh[65536 / 4];
  while (!frontier.empty()) {
    const Entry next = frontier.front();
    if (next.first > bound && nearest.size() >= ef) break;
    std::pop_heap(frontier.begin(), frontier.end(), std::greater<>());
    frontier.pop_back();
    const auto* list = reinterpret_cast<const uint32_t*>(h.get_linklist0(next.second));
    const uint16_t count = std::min<uint16_t>(link_count(list), std::size(fresh));
    size_t fresh_count = 0;
    for (uint16_t j = 1; j <= count; ++j) {
      const uint32_t id = list[j];
      if (visited[id] == tag) continue;
      visited[id] = tag;
      fresh[fresh_count++] = id;
      prefetch_row(id);
    }
    if (!frontier.empty()) prefetch_bytes(h.get_linklist0(frontier.front().second), 64);
    for (size_t j = 0; j < fresh_count; ++j) {
      const uint32_t id = fresh[j];
      const float d = distance(id);
      if (nearest.size() < ef || d < bound) {
        frontier.emplace_back(d, id);
        std::push_heap(frontier.begin(), frontier.end(), std::greater<>());
        nearest.emplace_back(d, id);
        std::push_heap(nearest.begin(), nearest.end());
        if (nearest.size() > ef) {
          std::pop_heap(nearest.begin(), nearest.end());
          nearest.pop_back();
        }
        bound = nearest.front().first;
      }
    }
  }
  std::vector<uint32_t> rows;
  rows.reserve(nearest.size());
  for (const Entry& entry : nearest) rows.push_back(element[entry.second].row);
  return rows;
}

HnswIndex::HnswIndex(std::unique_ptr<Graph> graph) : graph_(std::move(graph)) {}
HnswIndex::HnswIndex(HnswIndex&&) noexcept = default;
HnswIndex& HnswIndex::operator=(HnswIndex&&) noexcept = default;
HnswIndex::~HnswIndex() = default;

HnswIndex HnswIndex::build(const Embeddings& e, const HnswBuildOptions& options) {
  if (!e.has_f32_rows()) {
    throw Error(ErrorKind::invalid_argument, "an index needs float32 rows; this model holds only reduced ones");
  }
  if (e.rows() > 0x7fffffffu) throw Error(ErrorKind::invalid_argument, "an index holds at most 2^31 - 1 rows");
  if (options.m < 2 || options.m > 1000) throw Error(ErrorKind::invalid_argument, "--m must be between 2 and 1000");
  const std::span<const float> norms = e.norms();
  std::vector<uint32_t> rows;
  rows.reserve(e.rows());
  for (uint32_t r = 0; r < e.rows(); ++r) {
    if (indexable(norms[r])) rows.push_back(r);
  }
  const size_t dim = e.dim();
  const bool unit_rows = uint64_t{e.rows()} * dim * sizeof(float) <= kBuildCopyBytes;
  auto graph = std::make_unique<Graph>(e, unit_rows);
  graph->hnsw = std::make_unique<Hnsw>(&graph->face, std::max<size_t>(rows.size(), 1), options.m,
                                       options.ef_construction, options.seed);
  std::atomic<uint64_t> done{0};
  const uint64_t total = rows.size();
  Hnsw& hnsw = *graph->hnsw;
  const std::span<const float> inverse = graph->inverse_norms;
  parallel_for(rows.size(), options.threads, Split{1024, 1}, [&](const Task& task) {
    std::vector<float> unit(unit_rows ? dim : 0);
    for (size_t i = task.begin; i < task.end; ++i) {
      const uint32_t row = rows[i];
      if (unit_rows) {
        // Rows read in place from a word2vec binary may be unaligned: copied, then scaled.
        std::memcpy(unit.data(), e.matrix().f32_row(row), dim * sizeof(float));
        for (size_t j = 0; j < dim; ++j) unit[j] *= inverse[row];
        hnsw.addPoint(unit.data(), row);
      } else {
        hnsw.addPoint(&row, row);
      }
      const uint64_t now = done.fetch_add(1, std::memory_order_relaxed) + 1;
      if (task.on_calling_thread && options.progress && (i - task.begin) % 1024 == 0) options.progress(now, total);
    }
  });
  graph->elements.resize(hnsw.cur_element_count);
  for (size_t i = 0; i < graph->elements.size(); ++i) {
    const auto row = static_cast<uint32_t>(hnsw.getExternalLabel(static_cast<hnswlib::tableint>(i)));
    graph->elements[i] = {row, inverse[row]};
  }
  graph->quantize_elements(options.threads);
  if (options.progress) options.progress(total, total);
  return HnswIndex(std::move(graph));
}

void HnswIndex::save(const std::filesystem::path& path, bool replace_existing) const {
  const Hnsw& h = *graph_->hnsw;
  const VectorsFingerprint f = vectors_fingerprint(*graph_->embeddings);
  const uint64_t n = h.cur_element_count;
  FileHeader header;
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.version = kVersion;
  header.header_bytes = sizeof(FileHeader);
  header.rows = f.rows;
  header.dim = f.dim;
  header.checksum = f.checksum;
  header.elements = n;
  header.m = h.M_;
  header.max_m0 = h.maxM0_;
  header.ef_construction = h.ef_construction_;
  header.max_level = h.maxlevel_;
  header.enter_point = h.enterpoint_node_;
  // In the file an element's data is its row number, whatever the graph held while built.
  const uint64_t level0_links = h.size_links_level0_;
  header.data_offset = level0_links;
  header.label_offset = level0_links + sizeof(uint32_t);
  header.bytes_per_element = header.label_offset + sizeof(hnswlib::labeltype);
  header.upper_bytes_per_level = h.size_links_per_element_;
  header.mult = h.mult_;
  header.level0_offset = align_up(sizeof(FileHeader), 64);
  header.levels_offset = header.level0_offset + n * header.bytes_per_element;
  header.upper_offset = align_up(header.levels_offset + n, 8);
  std::vector<uint8_t> levels(n);
  for (uint64_t i = 0; i < n; ++i) {
    levels[i] = static_cast<uint8_t>(std::min(h.element_levels_[i], 255));
    if (h.element_levels_[i] > 255) throw Error(ErrorKind::internal, "an HNSW element above level 255");
    header.upper_bytes += uint64_t{levels[i]} * h.size_links_per_element_;
  }
  header.codes_offset = align_up(header.upper_offset + header.upper_bytes, 64);
  header.code_stride = graph_->code_stride;
  header.file_bytes = header.codes_offset + n * header.code_stride;

  AtomicFile out(path, replace_existing);
  out.write(&header, sizeof header);
  std::vector<char> chunk;
  chunk.reserve(4096 * header.bytes_per_element);
  for (uint64_t i = 0; i < n; ++i) {
    const char* element = h.data_level0_memory_ + i * h.size_data_per_element_;
    const uint32_t row = graph_->elements[i].row;
    hnswlib::labeltype label = 0;
    std::memcpy(&label, element + h.label_offset_, sizeof label);
    chunk.insert(chunk.end(), element, element + level0_links);
    chunk.insert(chunk.end(), reinterpret_cast<const char*>(&row), reinterpret_cast<const char*>(&row) + sizeof row);
    chunk.insert(chunk.end(), reinterpret_cast<const char*>(&label), reinterpret_cast<const char*>(&label) + sizeof label);
    if (chunk.size() >= 4095 * header.bytes_per_element || i + 1 == n) {
      out.write(chunk.data(), chunk.size());
      chunk.clear();
    }
  }
  out.write(levels.data(), levels.size());
  const char zeros[8] = {};
  out.write(zeros, header.upper_offset - (header.levels_offset + n));
  for (uint64_t i = 0; i < n; ++i) {
    if (levels[i] > 0) out.write(h.linkLists_[i], levels[i] * h.size_links_per_element_);
  }
  const char line[64] = {};
  out.write(line, header.codes_offset - (header.upper_offset + header.upper_bytes));
  out.write(graph_->codes, n * header.code_stride);
  out.commit();
}

HnswIndex HnswIndex::open(const std::filesystem::path& path, const Embeddings& e) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error(ErrorKind::not_found, fmt::format("{} does not exist: the model has no approximate index; make one "
                                                  "with `embtool index {}`",
                                                  path.string(), e.source().path));
  }
  auto file = MappedFile::open(path);
  const std::byte* base = file->data();
  FileHeader header;
  if (file->size() < sizeof header) damaged(path, "shorter than its header");
  std::memcpy(&header, base, sizeof header);
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0) {
    throw Error(ErrorKind::bad_data, fmt::format("{} is not an embtool index", path.string()));
  }
  if (header.version != kVersion || header.header_bytes != sizeof header) {
    throw Error(ErrorKind::bad_data, fmt::format("{}: index version {} is not one this embtool reads; run "
                                                 "`embtool index` on the model again",
                                                 path.string(), header.version));
  }
  const VectorsFingerprint f = vectors_fingerprint(e);
  if (header.rows != f.rows || header.dim != f.dim || header.checksum != f.checksum) {
    throw Error(ErrorKind::bad_data,
                fmt::format("{} was built for other vectors ({} rows x {}{}) than {} holds ({} rows x {}): the "
                            "index is stale; run `embtool index {}` again",
                            path.string(), header.rows, header.dim,
                            header.rows == f.rows && header.dim == f.dim ? ", other values" : "",
                            e.source().path, f.rows, f.dim, e.source().path));
  }
  const uint64_t n = header.elements;
  const uint64_t m = header.m;
  if (m < 2 || m > 1000 || header.max_m0 != 2 * m) damaged(path, "its link counts");
  const uint64_t level0_links = header.max_m0 * 4 + 4;
  if (header.data_offset != level0_links || header.label_offset != level0_links + 4 ||
      header.bytes_per_element != level0_links + 4 + sizeof(hnswlib::labeltype) ||
      header.upper_bytes_per_level != m * 4 + 4) {
    damaged(path, "its element layout");
  }
  if (n == 0 || n > f.rows || header.enter_point >= n || header.max_level < 0 || header.max_level > 255) {
    damaged(path, "its element count or entry point");
  }
  if (header.level0_offset != align_up(sizeof header, 64) ||
      header.levels_offset != header.level0_offset + n * header.bytes_per_element ||
      header.upper_offset != align_up(header.levels_offset + n, 8) ||
      header.code_stride != Graph::code_stride_for(f.dim) ||
      header.codes_offset != align_up(header.upper_offset + header.upper_bytes, 64) ||
      header.file_bytes != header.codes_offset + n * header.code_stride || header.file_bytes != file->size()) {
    damaged(path, fmt::format("{} bytes where its header says {}", file->size(), header.file_bytes));
  }
  char* level0 = const_cast<char*>(reinterpret_cast<const char*>(base + header.level0_offset));
  const auto* levels = reinterpret_cast<const uint8_t*>(base + header.levels_offset);
  char* upper = const_cast<char*>(reinterpret_cast<const char*>(base + header.upper_offset));

  // Every link, row and label is checked once here, so that a search never reads outside.
  auto check_list = [&](const char* list, uint64_t most) {
    uint32_t count = 0;
    std::memcpy(&count, list, 4);
    count &= 0xffff;  // hnswlib keeps the count in the low two bytes (the third: deleted mark)
    if (count > most) return false;
    for (uint32_t j = 0; j < count; ++j) {
      uint32_t link = 0;
      std::memcpy(&link, list + 4 + 4 * j, 4);
      if (link >= n) return false;
    }
    return true;
  };
  uint64_t upper_seen = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const char* element = level0 + i * header.bytes_per_element;
    uint32_t row = 0;
    hnswlib::labeltype label = 0;
    std::memcpy(&row, element + header.data_offset, 4);
    std::memcpy(&label, element + header.label_offset, sizeof label);
    if (row >= f.rows || label != row || !indexable(e.norm(row))) damaged(path, "a row it names");
    if (!check_list(element, header.max_m0) || levels[i] > header.max_level) damaged(path, "a link");
    for (uint64_t level = 0; level < levels[i]; ++level) {
      if (!check_list(upper + upper_seen, m)) damaged(path, "a link");
      upper_seen += header.upper_bytes_per_level;
    }
  }
  if (upper_seen != header.upper_bytes || levels[header.enter_point] != header.max_level) {
    damaged(path, "its upper layers");
  }

  const auto* codes = reinterpret_cast<const int8_t*>(base + header.codes_offset);
  for (uint64_t i = 0; i < n; ++i) {
    float factor = 0;
    std::memcpy(&factor, codes + (i + 1) * header.code_stride - sizeof factor, sizeof factor);
    if (!std::isfinite(factor)) damaged(path, "a scale of its int8 rows");
  }

  auto graph = std::make_unique<Graph>(e, false);
  graph->file = file;
  graph->codes = codes;
  graph->code_stride = header.code_stride;
  graph->elements.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t row = 0;
    std::memcpy(&row, level0 + i * header.bytes_per_element + header.data_offset, sizeof row);
    graph->elements[i] = {row, graph->inverse_norms[row]};
  }
  graph->hnsw = std::make_unique<Hnsw>(&graph->face);
  Hnsw& h = *graph->hnsw;
  h.max_elements_ = n;
  h.cur_element_count = n;
  h.size_data_per_element_ = header.bytes_per_element;
  h.size_links_per_element_ = header.upper_bytes_per_level;
  h.num_deleted_ = 0;
  h.M_ = m;
  h.maxM_ = m;
  h.maxM0_ = header.max_m0;
  h.ef_construction_ = header.ef_construction;
  h.mult_ = header.mult;
  h.revSize_ = 1.0 / header.mult;
  h.maxlevel_ = static_cast<int>(header.max_level);
  h.enterpoint_node_ = static_cast<hnswlib::tableint>(header.enter_point);
  h.size_links_level0_ = level0_links;
  h.offsetData_ = header.data_offset;
  h.offsetLevel0_ = 0;
  h.label_offset_ = header.label_offset;
  h.data_size_ = sizeof(uint32_t);
  h.fstdistfunc_ = graph->face.get_dist_func();
  h.dist_func_param_ = graph->face.get_dist_func_param();
  h.ef_ = 0;  // each search passes its own candidate count as k
  h.data_level0_memory_ = level0;
  h.linkLists_ = static_cast<char**>(std::malloc(sizeof(char*) * n));
  h.visited_list_pool_ = new hnswlib::VisitedListPool(1, static_cast<int>(n));
  h.cur_element_count = 0;  // until every field is set, the destructor must free nothing of the mapping
  if (h.linkLists_ == nullptr) throw Error(ErrorKind::io, "out of memory opening the index");
  uint64_t offset = 0;
  for (uint64_t i = 0; i < n; ++i) {
    h.linkLists_[i] = levels[i] > 0 ? upper + offset : nullptr;
    offset += levels[i] * header.upper_bytes_per_level;
  }
  h.cur_element_count = n;
  return HnswIndex(std::move(graph));
}

std::vector<Neighbor> HnswIndex::search(std::span<const float> unit_query, size_t k,
                                        std::span<const uint32_t> excluded, size_t ef, size_t row_limit) const {
  const Hnsw& h = *graph_->hnsw;
  if (k == 0 || h.cur_element_count == 0) return {};
  const size_t want = std::min<size_t>(std::max(ef, k + excluded.size()), h.cur_element_count);
  std::vector<uint32_t> rows = graph_->candidates(unit_query.data(), want);
  if (row_limit > 0) std::erase_if(rows, [&](uint32_t row) { return row >= row_limit; });
  std::vector<float> scores(rows.size());
  cosine_of_rows(*graph_->embeddings, unit_query, rows, scores.data());
  search::TopKHeap best(k, excluded);
  for (size_t i = 0; i < rows.size(); ++i) best.offer(rows[i], scores[i]);
  return best.take_sorted();
}

size_t HnswIndex::indexed_rows() const { return graph_->hnsw->cur_element_count; }
size_t HnswIndex::m() const { return graph_->hnsw->M_; }
size_t HnswIndex::ef_construction() const { return graph_->hnsw->ef_construction_; }
size_t HnswIndex::bytes() const {
  const Hnsw& h = *graph_->hnsw;
  if (graph_->file) return graph_->file->size();
  size_t upper = 0;
  for (size_t i = 0; i < h.cur_element_count; ++i) upper += size_t(h.element_levels_[i]) * h.size_links_per_element_;
  return h.cur_element_count *
             (h.size_links_level0_ + sizeof(uint32_t) + sizeof(hnswlib::labeltype) + graph_->code_stride) +
         upper;
}

}  // namespace embtool
