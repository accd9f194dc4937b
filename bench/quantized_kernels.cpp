// Single-thread scan speed of the reduced-precision copies against the float32 scan, over a
// 200,000 x 300 matrix laid out as the .emb store keeps it (rows padded to 64 bytes, 64-byte
// aligned). "GB" (shown per second) counts the bytes the scan streams, padded rows;
// "ms_per_3M_rows" extrapolates to a 3,000,000-row scan on one core (shown with an "s" suffix:
// Google Benchmark labels every inverted rate in seconds, but the figure is milliseconds).
//
//   quantized_kernels_bench [--benchmark_repetitions=5 ...]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <span>
#include <vector>

#include "kernels/quantized.hpp"
#include "kernels/simd.hpp"

using namespace embtool;

namespace {

constexpr size_t kRows = 200000;
constexpr size_t kDim = 300;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

template <class T>
std::unique_ptr<T[], FreeDeleter> aligned_array(size_t n) {
  void* p = std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64);
  if (p == nullptr) throw std::bad_alloc();
  return std::unique_ptr<T[], FreeDeleter>(static_cast<T*>(p));
}

// The three copies of one seeded Gaussian matrix, and the query in each form.
struct Matrices {
  size_t f32_stride = kernels::padded_length(kDim, 4);
  size_t f16_stride = kernels::padded_length(kDim, 2);
  size_t i8_stride = kernels::padded_length(kDim, 1);
  std::unique_ptr<float[], FreeDeleter> f32 = aligned_array<float>(kRows * f32_stride);
  std::unique_ptr<uint16_t[], FreeDeleter> f16 = aligned_array<uint16_t>(kRows * f16_stride);
  std::unique_ptr<int8_t[], FreeDeleter> i8 = aligned_array<int8_t>(kRows * i8_stride);
  std::vector<const float*> f32_rows;
  std::unique_ptr<float[], FreeDeleter> query = aligned_array<float>(f16_stride);
  std::unique_ptr<int16_t[], FreeDeleter> query_i16 = aligned_array<int16_t>(i8_stride);

  Matrices() {
    std::mt19937 rng(1);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::vector<float> row(kDim);
    for (size_t r = 0; r < kRows; ++r) {
      for (float& x : row) x = gauss(rng);
      float* f32_row = f32.get() + r * f32_stride;
      std::fill(f32_row, f32_row + f32_stride, 0.0f);
      std::copy(row.begin(), row.end(), f32_row);
      f32_rows.push_back(f32_row);
      std::span<uint16_t> f16_row(f16.get() + r * f16_stride, f16_stride);
      std::fill(f16_row.begin(), f16_row.end(), uint16_t{0});
      kernels::to_half(row, f16_row.first(kDim));
      std::span<int8_t> i8_row(i8.get() + r * i8_stride, i8_stride);
      std::fill(i8_row.begin(), i8_row.end(), int8_t{0});
      kernels::quantize_row_i8(row, i8_row);
    }
    std::fill(query.get(), query.get() + f16_stride, 0.0f);
    for (size_t i = 0; i < kDim; ++i) query[i] = gauss(rng);
    kernels::quantize_query_i16(std::span<const float>(query.get(), kDim),
                                std::span<int16_t>(query_i16.get(), i8_stride));
  }
};

const Matrices& matrices() {
  static const Matrices m;
  return m;
}

void report(benchmark::State& state, size_t row_bytes) {
  const double bytes = static_cast<double>(kRows * row_bytes);
  state.counters["GB"] =
      benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  // Inverted rate: seconds per iteration divided by 1 / 15000, i.e. milliseconds for 15 times
  // the rows (3,000,000).
  state.counters["ms_per_3M_rows"] = benchmark::Counter(
      1.0 / 15000, benchmark::Counter::Flags(benchmark::Counter::kIsIterationInvariantRate |
                                             benchmark::Counter::kInvert));
}

void BM_DotRowsF32(benchmark::State& state) {
  const Matrices& m = matrices();
  std::vector<float> out(kRows);
  for (auto _ : state) {
    kernels::dot_rows(m.f32_rows.data(), kRows, kDim, m.query.get(), out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report(state, m.f32_stride * sizeof(float));
}

void BM_DotRowsF16(benchmark::State& state) {
  const Matrices& m = matrices();
  std::vector<float> out(kRows);
  for (auto _ : state) {
    kernels::dot_rows_f16(m.f16.get(), m.f16_stride, kRows, m.query.get(), out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report(state, m.f16_stride * sizeof(uint16_t));
}

void BM_DotRowsI8(benchmark::State& state) {
  const Matrices& m = matrices();
  std::vector<int32_t> out(kRows);
  for (auto _ : state) {
    kernels::dot_rows_i8(m.i8.get(), m.i8_stride, kRows, m.query_i16.get(), out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report(state, m.i8_stride * sizeof(int8_t));
}

}  // namespace

BENCHMARK(BM_DotRowsF32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DotRowsF16)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DotRowsI8)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
