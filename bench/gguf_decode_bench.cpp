// How GGUF's quantized rows are best read: decoded once at open (what the GGUF reader does)
// and then scanned as float32, or decoded block by block inside every scan. Times, on a
// rows x dim matrix of random blocks of each type: the decode of the whole matrix on one
// thread and on every core (the reader's decode_rows, norms included), one float32 scan (a
// dot product with every row), and one scan that decodes each row's blocks as it goes. Prints
// "name value" lines.
//
//   gguf_decode_bench [--rows 50257] [--dim 768] [--types Q4_K,Q6_K] [--repeat 5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/thread_pool.hpp"
#include "formats/gguf/gguf_rows.hpp"
#include "kernels/ggml_blocks.hpp"
#include "kernels/quantized.hpp"
#include "kernels/simd.hpp"

using namespace embtool;
using kernels::ggml::BlockType;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Args {
  size_t rows = 50257;
  size_t dim = 768;
  std::vector<std::string> types = {"Q4_K", "Q6_K"};
  int repeat = 5;
};

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--rows")
      args.rows = std::strtoull(value, nullptr, 10);
    else if (flag == "--dim")
      args.dim = std::strtoull(value, nullptr, 10);
    else if (flag == "--repeat")
      args.repeat = std::atoi(value);
    else if (flag == "--types") {
      args.types.clear();
      std::string list = value;
      for (size_t start = 0; start <= list.size();) {
        const size_t comma = std::min(list.find(',', start), list.size());
        args.types.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      std::exit(2);
    }
  }
  return args;
}

bool type_of(const std::string& name, BlockType& type) {
  for (int t = 0; t <= static_cast<int>(BlockType::q6_K); ++t) {
    if (kernels::ggml::block_type_name(static_cast<BlockType>(t)) == name) {
      type = static_cast<BlockType>(t);
      return true;
    }
  }
  return false;
}

// Where each block type keeps its float16 scales: set to small finite values so that the
// random blocks decode to values of a trained matrix's size (random bytes there could be NaN).
std::vector<size_t> scale_offsets(BlockType type) {
  switch (type) {
    case BlockType::q8_0:
    case BlockType::q4_0:
    case BlockType::q5_0: return {0};
    case BlockType::q4_1:
    case BlockType::q5_1:
    case BlockType::q4_K:
    case BlockType::q5_K: return {0, 2};
    case BlockType::q2_K: return {80, 82};
    case BlockType::q3_K: return {108};
    case BlockType::q6_K: return {208};
  }
  return {};
}

std::vector<std::byte> random_blocks(BlockType type, size_t blocks, uint32_t seed) {
  const size_t bytes = kernels::ggml::block_layout(type).bytes;
  std::vector<std::byte> data(blocks * bytes);
  std::mt19937 rng(seed);
  for (std::byte& b : data) b = static_cast<std::byte>(rng() & 0xFF);
  std::uniform_real_distribution<float> scale(1e-3f, 1e-2f);
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t offset : scale_offsets(type)) {
      const uint16_t half = kernels::scalar::float_to_half(scale(rng));
      std::memcpy(data.data() + b * bytes + offset, &half, sizeof(half));
    }
  }
  return data;
}

template <class F>
double best_of(int repeat, F&& f) {
  double best = 1e30;
  for (int i = 0; i < repeat; ++i) {
    const auto start = Clock::now();
    f();
    best = std::min(best, since(start));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  std::printf("matrix %zu x %zu, threads %zu, simd %s\n", args.rows, args.dim,
              resolve_thread_count(0), kernels::simd_target_name());
  for (const std::string& name : args.types) {
    BlockType type;
    if (!type_of(name, type) || args.dim % kernels::ggml::block_layout(type).values != 0) {
      std::fprintf(stderr, "%s: not a block type, or the dimension is no multiple of its block\n",
                   name.c_str());
      return 2;
    }
    const auto layout = kernels::ggml::block_layout(type);
    const size_t blocks_per_row = args.dim / layout.values;
    const size_t row_bytes = blocks_per_row * layout.bytes;
    const std::vector<std::byte> data = random_blocks(type, args.rows * blocks_per_row, 7);

    std::vector<float> serial(args.rows * args.dim);
    const double one_thread = best_of(args.repeat, [&] {
      kernels::ggml::dequantize(type, data.data(), args.rows * blocks_per_row, serial.data());
    });
    // What the reader does at open: the decode on every core into fresh memory, with the norms.
    formats::gguf::DecodedRows decoded;
    const LoadOptions options;
    const double all_cores = best_of(args.repeat, [&] {
      decoded = formats::gguf::decode_rows(type, data.data(), args.rows, args.dim, options, name);
    });
    if (std::memcmp(decoded.matrix.f32_row(0), serial.data(), serial.size() * sizeof(float)) != 0) {
      std::fprintf(stderr, "%s: the parallel decode differs from the serial one\n", name.c_str());
      return 1;
    }

    // One query against every row, on one thread: as float32 rows, and decoding each row first.
    const std::vector<float> query(serial.begin() + 12 * args.dim, serial.begin() + 13 * args.dim);
    std::vector<float> scores(args.rows);
    const double f32_scan = best_of(args.repeat, [&] {
      for (size_t r = 0; r < args.rows; ++r) {
        scores[r] = kernels::dot({serial.data() + r * args.dim, args.dim}, query);
      }
    });
    std::vector<float> scratch(args.dim);
    std::vector<float> block_scores(args.rows);
    const double block_scan = best_of(args.repeat, [&] {
      for (size_t r = 0; r < args.rows; ++r) {
        kernels::ggml::dequantize(type, data.data() + r * row_bytes, blocks_per_row,
                                  scratch.data());
        block_scores[r] = kernels::dot(scratch, query);
      }
    });
    if (scores != block_scores) {
      std::fprintf(stderr, "%s: the block-by-block scan's scores differ\n", name.c_str());
      return 1;
    }
    const double mb = static_cast<double>(data.size()) / 1e6;
    std::printf("%s tensor_mb %.1f\n", name.c_str(), mb);
    std::printf("%s decode_1_thread_ms %.1f\n", name.c_str(), one_thread * 1e3);
    std::printf("%s decode_all_cores_ms %.1f\n", name.c_str(), all_cores * 1e3);
    std::printf("%s decode_values_per_ns_1_thread %.2f\n", name.c_str(),
                static_cast<double>(serial.size()) / (one_thread * 1e9));
    std::printf("%s scan_f32_1_thread_ms %.1f\n", name.c_str(), f32_scan * 1e3);
    std::printf("%s scan_block_by_block_1_thread_ms %.1f\n", name.c_str(), block_scan * 1e3);
    const double extra = block_scan - f32_scan;
    if (extra > 0) {
      std::printf(
          "%s block_scan_extra_ms_per_query %.1f (decoding once pays for itself after "
          "%.1f queries)\n",
          name.c_str(), extra * 1e3, one_thread / extra);
    } else {
      std::printf("%s block_scan_extra_ms_per_query %.1f (no slower than the float32 scan)\n",
                  name.c_str(), extra * 1e3);
    }
  }
  return 0;
}
