// safetensors files for tests, laid out byte by byte as the format's spec gives them (the
// 8-byte length, the JSON header, the data): well-formed ones and ones whose header lies.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/quantized.hpp"

namespace embtool::testing {

struct TensorSpec {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  std::string bytes;
};

inline std::string f32_bytes(const std::vector<float>& values) {
  std::string bytes(values.size() * 4, '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

inline std::string u16_bytes(const std::vector<uint16_t>& values) {
  std::string bytes(values.size() * 2, '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

inline std::string length_prefix(uint64_t length) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[static_cast<size_t>(i)] = static_cast<char>((length >> (8 * i)) & 0xFF);
  return bytes;
}

// 8-byte length, `json`, then `data`: the raw layout, for headers that lie.
inline std::string raw_safetensors(const std::string& json, const std::string& data) {
  return length_prefix(json.size()) + json + data;
}

inline std::string shape_json(const std::vector<uint64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

// A well-formed file: the tensors back to back in the given order; `pad` spaces after the
// JSON (0 leaves the data at an offset the JSON's length decides).
inline std::string safetensors(const std::vector<TensorSpec>& tensors,
                               const std::string& metadata = R"({"format":"pt"})", size_t pad = 0) {
  std::string json = "{";
  if (!metadata.empty()) json += R"("__metadata__":)" + metadata;
  std::string data;
  for (const TensorSpec& t : tensors) {
    if (json.size() > 1) json += ",";
    json += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":" + shape_json(t.shape) +
            ",\"data_offsets\":[" + std::to_string(data.size()) + "," + std::to_string(data.size() + t.bytes.size()) + "]}";
    data += t.bytes;
  }
  json += "}" + std::string(pad, ' ');
  return raw_safetensors(json, data);
}

// Values exactly representable in bfloat16 and float16 (small multiples of 1/8).
inline std::vector<float> exact_values(size_t count, float offset = 0) {
  std::vector<float> values;
  for (size_t i = 0; i < count; ++i) values.push_back(offset + static_cast<float>(static_cast<int>(i % 17) - 8) / 8.0f);
  return values;
}

inline std::vector<uint16_t> to_bf16(const std::vector<float>& values) {
  std::vector<uint16_t> out(values.size());
  kernels::to_bf16(values, out);
  return out;
}

inline std::vector<uint16_t> to_f16(const std::vector<float>& values) {
  std::vector<uint16_t> out(values.size());
  kernels::to_half(values, out);
  return out;
}

inline TensorSpec f32_tensor(const std::string& name, size_t rows, size_t dim, float offset = 0) {
  return {name, "F32", {rows, dim}, f32_bytes(exact_values(rows * dim, offset))};
}

}  // namespace embtool::testing
