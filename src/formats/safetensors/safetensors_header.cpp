#include "formats/safetensors/safetensors_header.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "base/error.hpp"

namespace embtool::formats {
namespace {

// Names in messages: a hostile header may hold megabytes in one.
std::string shown(std::string_view name) {
  constexpr size_t kShown = 80;
  return name.size() <= kShown ? std::string(name) : fmt::format("{}...", name.substr(0, kShown));
}

[[noreturn]] void refuse(std::string_view file, const std::string& what) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", file, what));
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

struct TensorReader {
  std::string_view file;
  std::string_view name;

  [[noreturn]] void refuse_field(std::string_view what) const {
    refuse(file, fmt::format("tensor '{}' in the safetensors header {}", shown(name), what));
  }

  simdjson::dom::element field(simdjson::dom::object entry, std::string_view key) const {
    simdjson::dom::element value;
    if (entry.at_key(key).get(value) != simdjson::SUCCESS) refuse_field(fmt::format("has no '{}'", key));
    return value;
  }

  std::vector<uint64_t> whole_numbers(simdjson::dom::element value, std::string_view key) const {
    simdjson::dom::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) {
      refuse_field(fmt::format("has a '{}' that is not a list", key));
    }
    std::vector<uint64_t> numbers;
    for (simdjson::dom::element item : array) {
      uint64_t n = 0;
      if (item.get_uint64().get(n) != simdjson::SUCCESS) {
        refuse_field(fmt::format("has a '{}' holding something other than a whole number >= 0", key));
      }
      numbers.push_back(n);
    }
    return numbers;
  }

  SafetensorsTensor read(simdjson::dom::element value, uint64_t data_bytes) const {
    simdjson::dom::object entry;
    if (value.get_object().get(entry) != simdjson::SUCCESS) refuse_field("is not an object");
    SafetensorsTensor tensor;
    tensor.name = std::string(name);
    std::string_view dtype;
    if (field(entry, "dtype").get_string().get(dtype) != simdjson::SUCCESS) {
      refuse_field("has a 'dtype' that is not a string");
    }
    tensor.dtype = std::string(dtype);
    tensor.shape = whole_numbers(field(entry, "shape"), "shape");
    const std::vector<uint64_t> offsets = whole_numbers(field(entry, "data_offsets"), "data_offsets");
    if (offsets.size() != 2) refuse_field("has 'data_offsets' that are not two offsets [begin, end]");
    tensor.begin = offsets[0];
    tensor.end = offsets[1];
    if (tensor.begin > tensor.end) {
      refuse_field(fmt::format("has reversed data offsets [{}, {}]", tensor.begin, tensor.end));
    }
    if (tensor.end > data_bytes) {
      refuse_field(fmt::format("has data offsets [{}, {}] out of bounds: the data after the header is {} bytes",
                               tensor.begin, tensor.end, data_bytes));
    }
    check_size(tensor);
    return tensor;
  }

  void check_size(const SafetensorsTensor& tensor) const {
    const auto element = safetensors_dtype_bytes(tensor.dtype);
    if (!element) return;  // a dtype this list does not know: nothing to check it against
    uint64_t needed = *element;
    bool overflow = false;
    for (uint64_t extent : tensor.shape) overflow |= __builtin_mul_overflow(needed, extent, &needed);
    if (overflow || needed != tensor.bytes()) {
      refuse_field(fmt::format("has shape {} x {} ({} bytes each) = {} bytes, but its data offsets "
                               "[{}, {}] hold {} bytes",
                               shape_text(tensor.shape), tensor.dtype, *element,
                               overflow ? std::string("more than 2^64") : std::to_string(needed),
                               tensor.begin, tensor.end, tensor.bytes()));
    }
  }
};

void read_metadata(simdjson::dom::element value, std::string_view file, SafetensorsHeader& header) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    refuse(file, "the safetensors header's __metadata__ is not an object");
  }
  for (simdjson::dom::key_value_pair field : object) {
    std::string_view text;
    if (field.value.get_string().get(text) != simdjson::SUCCESS) {
      refuse(file, fmt::format("the safetensors header's __metadata__ '{}' is not a string", shown(field.key)));
    }
    header.metadata.emplace_back(std::string(field.key), std::string(text));
  }
}

// Tensors by offset: each must begin at or after the end of the ones before, unless it is
// one of them under a second name (the very same bytes: a tensor stored once for two names).
void check_no_overlap(std::vector<SafetensorsTensor>& tensors, std::string_view file) {
  std::stable_sort(tensors.begin(), tensors.end(), [](const SafetensorsTensor& a, const SafetensorsTensor& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const SafetensorsTensor* reaching_furthest = nullptr;
  for (const SafetensorsTensor& tensor : tensors) {
    if (reaching_furthest != nullptr) {
      const SafetensorsTensor& before = *reaching_furthest;
      const bool same_bytes = tensor.begin == before.begin && tensor.end == before.end;
      if (!same_bytes && tensor.bytes() > 0 && tensor.begin < before.end) {
        refuse(file, fmt::format("tensors '{}' [{}, {}] and '{}' [{}, {}] overlap in the data section",
                                 shown(before.name), before.begin, before.end, shown(tensor.name), tensor.begin,
                                 tensor.end));
      }
    }
    if (reaching_furthest == nullptr || tensor.end > reaching_furthest->end) reaching_furthest = &tensor;
  }
}

}  // namespace

const SafetensorsTensor* SafetensorsHeader::find(std::string_view name) const {
  for (const SafetensorsTensor& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

std::optional<uint64_t> safetensors_dtype_bytes(std::string_view dtype) {
  static constexpr std::pair<std::string_view, uint64_t> kSizes[] = {
      {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},     {"I32", 4},     {"I16", 2},
      {"I8", 1},  {"U64", 8}, {"U32", 4}, {"U16", 2},  {"U8", 1},      {"BOOL", 1},    {"F8_E4M3", 1},
      {"F8_E5M2", 1}, {"F8_E8M0", 1}, {"C64", 8},
  };
  for (const auto& [name, bytes] : kSizes) {
    if (name == dtype) return bytes;
  }
  return std::nullopt;
}

uint64_t safetensors_header_length(std::string_view first_bytes, uint64_t file_bytes, std::string_view file) {
  if (first_bytes.size() < 8 || file_bytes < 8) {
    refuse(file, fmt::format("too short for a safetensors file: {} bytes, and the header length alone takes 8",
                             file_bytes));
  }
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(first_bytes[static_cast<size_t>(i)]);
  if (length > file_bytes - 8) {
    refuse(file, fmt::format("the safetensors header length {} reaches beyond the end of the file ({} bytes)",
                             length, file_bytes));
  }
  if (length > kMaxSafetensorsHeaderBytes) {
    refuse(file, fmt::format("the safetensors header length {} is more than embtool accepts ({})", length,
                             kMaxSafetensorsHeaderBytes));
  }
  if (length < 2) refuse(file, fmt::format("the safetensors header length {} is too short for a JSON object", length));
  return length;
}

SafetensorsHeader parse_safetensors_header(std::string_view json, uint64_t data_bytes, std::string_view file) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::element document;
  if (const auto error = parser.parse(padded).get(document); error != simdjson::SUCCESS) {
    refuse(file, fmt::format("the safetensors header is not JSON ({})", simdjson::error_message(error)));
  }
  simdjson::dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) {
    refuse(file, "the safetensors header is JSON but not an object of tensors");
  }
  SafetensorsHeader header;
  header.data_offset = 8 + json.size();
  std::unordered_set<std::string_view> names;
  bool metadata_seen = false;
  for (simdjson::dom::key_value_pair field : object) {
    if (field.key == "__metadata__") {
      if (metadata_seen) refuse(file, "the safetensors header has two __metadata__ entries");
      metadata_seen = true;
      read_metadata(field.value, file, header);
      continue;
    }
    if (!names.insert(field.key).second) {
      refuse(file, fmt::format("the safetensors header names tensor '{}' twice", shown(field.key)));
    }
    header.tensors.push_back(TensorReader{file, field.key}.read(field.value, data_bytes));
  }
  check_no_overlap(header.tensors, file);
  return header;
}

}  // namespace embtool::formats
