#include "formats/gguf/gguf_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <unordered_set>

#include "base/error.hpp"

namespace embtool::formats::gguf {

static_assert(std::endian::native == std::endian::little, "GGUF files are read as little-endian");

namespace {

// The fewest bytes one metadata entry takes (key length, a one-byte key, the type, a one-byte
// value) and one tensor info (name length, n_dims, type, offset): a count larger than the
// bytes left could hold is refused before anything is sized by it.
constexpr uint64_t kMinKeyValueBytes = 8 + 1 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;
constexpr size_t kHeaderBytes = 4 + 4 + 8 + 8;

[[noreturn]] void refuse(std::string_view path, const std::string& problem) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", path, problem));
}

// Size in the file of one value of a fixed-size type, or 0 for strings and arrays.
size_t fixed_size(ValueType type) {
  switch (type) {
    case ValueType::u8:
    case ValueType::i8:
    case ValueType::boolean: return 1;
    case ValueType::u16:
    case ValueType::i16: return 2;
    case ValueType::u32:
    case ValueType::i32:
    case ValueType::f32: return 4;
    case ValueType::u64:
    case ValueType::i64:
    case ValueType::f64: return 8;
    case ValueType::string:
    case ValueType::array: return 0;
  }
  return 0;
}

bool known_value_type(uint32_t type) {
  return type <= static_cast<uint32_t>(ValueType::f64);
}

template <class T>
T load(const std::byte* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace

// A name from the file as messages show it: control bytes as \xNN, long names cut, so that a
// hostile name cannot break the one-line message or flood it.
std::string printable_name(std::string_view name) {
  constexpr size_t kMaxShown = 80;
  std::string out;
  for (size_t i = 0; i < name.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (name.size() > kMaxShown) out += "...";
  return out;
}

namespace {

// Reads the file front to back; every read checks the bytes left first.
class Cursor {
 public:
  Cursor(std::span<const std::byte> bytes, std::string_view path) : bytes_(bytes), path_(path) {}

  uint64_t position() const { return pos_; }
  std::span<const std::byte> bytes_at(uint64_t offset, uint64_t size) const {
    return bytes_.subspan(offset, size);
  }
  // The bytes read from `start` up to here.
  std::span<const std::byte> since(uint64_t start) const {
    return bytes_.subspan(start, pos_ - start);
  }
  uint64_t left() const { return bytes_.size() - pos_; }
  std::string_view path() const { return path_; }

  // `what` is a callable giving the words for the thing read ("the key of metadata entry 3"):
  // built only when a message needs them.
  template <class T, class What>
  T scalar(const What& what) {
    return load<T>(take(sizeof(T), what).data());
  }

  template <class What>
  std::span<const std::byte> take(uint64_t size, const What& what) {
    if (size > left()) {
      refuse(path_,
             fmt::format("the file ends inside {} at byte offset {} ({} bytes needed, {} left)",
                         what(), pos_, size, left()));
    }
    const auto span = bytes_.subspan(pos_, size);
    pos_ += size;
    return span;
  }

  template <class What>
  std::string_view string(const What& what) {
    const uint64_t start = pos_;
    const auto length = scalar<uint64_t>([&] { return fmt::format("the length of {}", what()); });
    if (length > left()) {
      refuse(path_,
             fmt::format("{} at byte offset {} is a string of {} bytes, longer than the {} bytes "
                         "left in the file",
                         what(), start, length, left()));
    }
    const auto text = take(length, what);
    return {reinterpret_cast<const char*>(text.data()), text.size()};
  }

 private:
  std::span<const std::byte> bytes_;
  std::string_view path_;
  uint64_t pos_ = 0;
};

void check_magic_and_version(Cursor& in, uint32_t& version) {
  if (in.left() == 0) refuse(in.path(), "the file is empty");
  // The magic number first (or as much of it as there is): a file of another kind is named so,
  // however short.
  const auto magic = in.bytes_at(0, std::min<uint64_t>(kMagic.size(), in.left()));
  if (std::memcmp(magic.data(), kMagic.data(), magic.size()) != 0) {
    refuse(
        in.path(),
        fmt::format("not a GGUF file: it starts with '{}', not 'GGUF'",
                    printable_name({reinterpret_cast<const char*>(magic.data()), magic.size()})));
  }
  if (in.left() < kHeaderBytes) {
    refuse(in.path(), fmt::format("too short for a GGUF header ({} bytes, a header takes {})",
                                  in.left(), kHeaderBytes));
  }
  in.take(kMagic.size(), [] { return std::string("the magic number"); });
  version = in.scalar<uint32_t>([] { return std::string("the version"); });
  if (version != 0 && (version & 0xFFFFu) == 0) {
    refuse(in.path(),
           fmt::format("GGUF version {} (0x{:08X}): a big-endian GGUF file, which embtool does "
                       "not read",
                       version, version));
  }
  if (version != 2 && version != 3) {
    refuse(in.path(), fmt::format("GGUF version {}: embtool reads GGUF versions 2 and 3", version));
  }
}

// A count from the header that the bytes after it must be able to hold.
uint64_t checked_count(Cursor& in, const char* what, uint64_t min_bytes_each,
                       uint64_t bytes_after) {
  const auto count = in.scalar<uint64_t>([&] { return fmt::format("the number of {}", what); });
  if (count > bytes_after / min_bytes_each) {
    refuse(in.path(),
           fmt::format("the header announces {} {}, more than the file can hold ({} bytes follow "
                       "the header; each takes at least {})",
                       count, what, bytes_after, min_bytes_each));
  }
  return count;
}

Value read_array(Cursor& in, std::string_view key) {
  const auto what = [&] { return fmt::format("the array of metadata '{}'", printable_name(key)); };
  const auto raw_element = in.scalar<uint32_t>(what);
  const auto count = in.scalar<uint64_t>(what);
  if (!known_value_type(raw_element)) {
    refuse(in.path(), fmt::format("metadata '{}' is an array of the unknown value type {}",
                                  printable_name(key), raw_element));
  }
  const auto element = static_cast<ValueType>(raw_element);
  if (element == ValueType::array) {
    // Neither llama.cpp nor gguf-py's reader accepts them; no model writes them.
    refuse(in.path(),
           fmt::format("metadata '{}' is an array of arrays, which GGUF readers do not accept",
                       printable_name(key)));
  }
  const uint64_t start = in.position();
  const size_t size = fixed_size(element);
  const uint64_t min_each = size != 0 ? size : 8;  // a string takes at least its length
  if (count > in.left() / min_each) {
    refuse(in.path(),
           fmt::format("metadata '{}' is an array of {} {} values at byte offset {}, more than "
                       "the {} bytes left in the file can hold",
                       printable_name(key), count, value_type_name(element), start, in.left()));
  }
  if (size != 0) {
    return Value{ValueType::array, element, count, in.take(count * size, what)};
  }
  for (uint64_t i = 0; i < count; ++i) {
    in.string([&] { return fmt::format("string {} of metadata '{}'", i, printable_name(key)); });
  }
  return Value{ValueType::array, element, count, in.since(start)};
}

Value read_value(Cursor& in, uint32_t raw_type, std::string_view key) {
  if (!known_value_type(raw_type)) {
    refuse(in.path(), fmt::format("metadata '{}' has the unknown value type {}",
                                  printable_name(key), raw_type));
  }
  const auto type = static_cast<ValueType>(raw_type);
  const auto what = [&] { return fmt::format("the value of metadata '{}'", printable_name(key)); };
  if (type == ValueType::array) return read_array(in, key);
  if (type == ValueType::string) {
    const std::string_view text = in.string(what);
    return Value{type, type, 1, std::as_bytes(std::span(text.data(), text.size()))};
  }
  return Value{type, type, 1, in.take(fixed_size(type), what)};
}

void read_metadata(Cursor& in, uint64_t count, File& file) {
  file.metadata.reserve(count);
  std::unordered_set<std::string_view> keys;
  keys.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const std::string_view key =
        in.string([&] { return fmt::format("the key of metadata entry {}", i); });
    if (key.empty()) refuse(in.path(), fmt::format("metadata entry {} has an empty key", i));
    if (!keys.insert(key).second) {
      refuse(in.path(), fmt::format("metadata '{}' appears twice", printable_name(key)));
    }
    const auto type = in.scalar<uint32_t>(
        [&] { return fmt::format("the type of metadata '{}'", printable_name(key)); });
    file.metadata.push_back({key, read_value(in, type, key)});
  }
}

uint64_t read_alignment(const File& file, std::string_view path) {
  const Value* value = file.find("general.alignment");
  if (value == nullptr) return kDefaultAlignment;
  if (value->type != ValueType::u32) {
    refuse(path, fmt::format("general.alignment is of type {}; GGUF requires uint32",
                             value_type_name(value->type)));
  }
  const uint64_t alignment = *value->as_unsigned();
  if (alignment == 0 || !std::has_single_bit(alignment)) {
    refuse(path, fmt::format("general.alignment is {}, not a power of 2", alignment));
  }
  return alignment;
}

uint64_t checked_product(uint64_t a, uint64_t b, bool& overflow) {
  uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product) || product > static_cast<uint64_t>(INT64_MAX))
    overflow = true;
  return product;
}

TensorInfo read_tensor_info(Cursor& in, uint64_t index) {
  TensorInfo t;
  t.name = in.string([&] { return fmt::format("the name of tensor {}", index); });
  const std::string name = printable_name(t.name);
  const auto what = [&] { return fmt::format("the description of tensor '{}'", name); };
  t.n_dims = in.scalar<uint32_t>(what);
  if (t.n_dims > kMaxDims) {
    refuse(in.path(), fmt::format("tensor '{}' has {} dimensions; GGUF tensors have at most {}",
                                  name, t.n_dims, kMaxDims));
  }
  for (uint32_t j = 0; j < t.n_dims; ++j) {
    t.ne[j] = in.scalar<uint64_t>(what);
    if (t.ne[j] > static_cast<uint64_t>(INT64_MAX)) {
      refuse(in.path(),
             fmt::format("tensor '{}' has a negative number of elements in dimension {} ({})", name,
                         j, static_cast<int64_t>(t.ne[j])));
    }
  }
  bool overflow = false;
  uint64_t elements = 1;
  for (uint32_t j = 0; j < kMaxDims; ++j) elements = checked_product(elements, t.ne[j], overflow);
  if (overflow) {
    refuse(in.path(), fmt::format("tensor '{}' has the shape {}, whose number of elements "
                                  "overflows a signed 64-bit count",
                                  name, t.shape_text()));
  }
  const auto type_id = in.scalar<uint32_t>(what);
  t.type = ggml_type(type_id);
  if (t.type == nullptr)
    refuse(in.path(), fmt::format("tensor '{}' has the unknown tensor type {}", name, type_id));
  if (t.ne[0] % t.type->block_values != 0) {
    refuse(in.path(),
           fmt::format(
               "tensor '{}' of type {} has {} values a row, not a multiple of its blocks of {}",
               name, t.type->name, t.ne[0], t.type->block_values));
  }
  t.bytes = checked_product(elements / t.type->block_values, t.type->block_bytes, overflow);
  if (overflow) {
    refuse(in.path(),
           fmt::format("tensor '{}' of shape {} and type {} would take more than 2^63 bytes", name,
                       t.shape_text(), t.type->name));
  }
  t.offset = in.scalar<uint64_t>(what);
  return t;
}

void read_tensor_infos(Cursor& in, uint64_t count, File& file) {
  file.tensors.reserve(count);
  std::unordered_set<std::string_view> names;
  names.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    TensorInfo t = read_tensor_info(in, i);
    if (!names.insert(t.name).second) {
      refuse(in.path(), fmt::format("tensor '{}' appears twice", printable_name(t.name)));
    }
    file.tensors.push_back(t);
  }
}

// Each tensor aligned, inside the file, and apart from the others (two infos may name the
// same bytes: a tied output embedding written as its own entry).
void place_tensors(File& file, uint64_t file_size, std::string_view path) {
  if (file.data_offset > file_size) {
    refuse(path, fmt::format(
                     "the data section would start at byte {}, past the end of the file ({} bytes)",
                     file.data_offset, file_size));
  }
  const uint64_t data_bytes = file_size - file.data_offset;
  for (TensorInfo& t : file.tensors) {
    if (t.offset % file.alignment != 0) {
      refuse(path,
             fmt::format("tensor '{}' starts at data offset {}, not a multiple of the alignment {}",
                         printable_name(t.name), t.offset, file.alignment));
    }
    if (t.offset > data_bytes || t.bytes > data_bytes - t.offset) {
      refuse(
          path,
          fmt::format(
              "tensor '{}' ({} bytes at byte offset {} of the data section) ends past the end of "
              "the file (the data section holds {} bytes)",
              printable_name(t.name), t.bytes, t.offset, data_bytes));
    }
    t.file_offset = file.data_offset + t.offset;
  }
  std::vector<size_t> order(file.tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return file.tensors[a].offset < file.tensors[b].offset; });
  const TensorInfo* furthest = nullptr;  // of the tensors so far, the one that ends last
  for (size_t index : order) {
    const TensorInfo& t = file.tensors[index];
    if (t.bytes == 0) continue;
    if (furthest != nullptr && t.offset < furthest->offset + furthest->bytes) {
      const bool same_bytes = t.offset == furthest->offset && t.bytes == furthest->bytes;
      if (!same_bytes) {
        refuse(path,
               fmt::format("tensors '{}' and '{}' overlap (data bytes {}-{} and {}-{})",
                           printable_name(furthest->name), printable_name(t.name), furthest->offset,
                           furthest->offset + furthest->bytes, t.offset, t.offset + t.bytes));
      }
    }
    if (furthest == nullptr || t.offset + t.bytes > furthest->offset + furthest->bytes)
      furthest = &t;
  }
}

}  // namespace

std::string_view value_type_name(ValueType type) {
  switch (type) {
    case ValueType::u8: return "uint8";
    case ValueType::i8: return "int8";
    case ValueType::u16: return "uint16";
    case ValueType::i16: return "int16";
    case ValueType::u32: return "uint32";
    case ValueType::i32: return "int32";
    case ValueType::f32: return "float32";
    case ValueType::boolean: return "bool";
    case ValueType::string: return "string";
    case ValueType::array: return "array";
    case ValueType::u64: return "uint64";
    case ValueType::i64: return "int64";
    case ValueType::f64: return "float64";
  }
  return "unknown";
}

std::optional<int64_t> Value::as_signed() const {
  const std::byte* p = bytes.data();
  switch (type) {
    case ValueType::u8: return load<uint8_t>(p);
    case ValueType::i8: return load<int8_t>(p);
    case ValueType::u16: return load<uint16_t>(p);
    case ValueType::i16: return load<int16_t>(p);
    case ValueType::u32: return load<uint32_t>(p);
    case ValueType::i32: return load<int32_t>(p);
    case ValueType::i64: return load<int64_t>(p);
    case ValueType::u64: {
      const auto value = load<uint64_t>(p);
      if (value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<int64_t>(value);
    }
    default: return std::nullopt;
  }
}

std::optional<uint64_t> Value::as_unsigned() const {
  if (type == ValueType::u64) return load<uint64_t>(bytes.data());
  const auto value = as_signed();
  if (!value || *value < 0) return std::nullopt;
  return static_cast<uint64_t>(*value);
}

std::optional<double> Value::as_float() const {
  if (type == ValueType::f32) return load<float>(bytes.data());
  if (type == ValueType::f64) return load<double>(bytes.data());
  return std::nullopt;
}

std::optional<bool> Value::as_bool() const {
  if (type != ValueType::boolean) return std::nullopt;
  return load<uint8_t>(bytes.data()) != 0;
}

std::optional<std::string_view> Value::as_string() const {
  if (type != ValueType::string) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<std::string_view> Value::strings() const {
  std::vector<std::string_view> out;
  if (!is_array() || element_type != ValueType::string) return out;
  out.reserve(count);
  // The parser walked these lengths already; they are read again the same way.
  size_t pos = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const auto length = load<uint64_t>(bytes.data() + pos);
    pos += 8;
    out.emplace_back(reinterpret_cast<const char*>(bytes.data() + pos), length);
    pos += length;
  }
  return out;
}

std::vector<int64_t> Value::integers() const {
  std::vector<int64_t> out;
  if (!is_array()) return out;
  const size_t size = fixed_size(element_type);
  if (size == 0 || element_type == ValueType::f32 || element_type == ValueType::f64 ||
      element_type == ValueType::boolean) {
    return out;
  }
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const Value element{element_type, element_type, 1, bytes.subspan(i * size, size)};
    // uint64 elements above INT64_MAX have no signed view: kept as -1, no token type.
    out.push_back(element.as_signed().value_or(-1));
  }
  return out;
}

std::vector<float> Value::floats() const {
  std::vector<float> out;
  if (!is_array()) return out;
  if (element_type == ValueType::f32) {
    out.resize(count);
    if (count > 0) std::memcpy(out.data(), bytes.data(), count * sizeof(float));
    return out;
  }
  // llama.cpp reads integer scores too (as floats).
  for (int64_t v : integers()) out.push_back(static_cast<float>(v));
  return out;
}

std::string TensorInfo::shape_text() const {
  std::string text = "[";
  for (uint32_t j = 0; j < n_dims; ++j) text += fmt::format("{}{}", j == 0 ? "" : ", ", ne[j]);
  return text + "]";
}

const Value* File::find(std::string_view key) const {
  for (const KeyValue& entry : metadata) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

const TensorInfo* File::find_tensor(std::string_view name) const {
  for (const TensorInfo& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

File parse(std::span<const std::byte> bytes, std::string_view path) {
  Cursor in(bytes, path);
  File file;
  check_magic_and_version(in, file.version);
  const uint64_t after_counts = in.left() - 16;
  const uint64_t tensor_count = checked_count(in, "tensors", kMinTensorInfoBytes, after_counts);
  const uint64_t kv_count = checked_count(in, "metadata entries", kMinKeyValueBytes, after_counts);
  if (tensor_count * kMinTensorInfoBytes + kv_count * kMinKeyValueBytes > after_counts) {
    refuse(path,
           fmt::format(
               "the header announces {} tensors and {} metadata entries, more than the file can "
               "hold ({} bytes follow the header)",
               tensor_count, kv_count, after_counts));
  }
  read_metadata(in, kv_count, file);
  file.alignment = read_alignment(file, path);
  read_tensor_infos(in, tensor_count, file);
  file.data_offset = in.position();
  if (tensor_count > 0)
    file.data_offset = (file.data_offset + file.alignment - 1) / file.alignment * file.alignment;
  place_tensors(file, bytes.size(), path);
  return file;
}

}  // namespace embtool::formats::gguf
