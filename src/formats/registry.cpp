#include "formats/registry.hpp"

#include "formats/gguf/gguf.hpp"
#include "formats/glove/glove.hpp"
#include "formats/npy/npy.hpp"
#include "formats/safetensors/safetensors.hpp"
#include "formats/store/store_file.hpp"
#include "formats/tokenizer_file/tokenizer_file.hpp"
#include "formats/word2vec_binary/word2vec_binary.hpp"
#include "formats/word2vec_text/word2vec_text.hpp"

namespace embtool {

// Every format, one line each. Detection asks them in this order (a magic number first), and
// lists show them in it.
std::span<const FormatDescriptor* const> registered_formats() {
  static const FormatDescriptor* const kFormats[] = {
      &formats::word2vec_binary_format(),
      &formats::word2vec_text_format(),
      // Before GloVe: a tiktoken line ("IQ== 0") is also a word and one number.
      &formats::tokenizer_file_format(),
      &formats::glove_format(),
      &formats::store_format(),
      &formats::safetensors_format(),
      &formats::npy_format(),
      &formats::gguf_format(),
  };
  return kFormats;
}

const FormatDescriptor* find_format(std::string_view name_or_alias) {
  for (const FormatDescriptor* format : registered_formats()) {
    if (format->answers_to(name_or_alias)) return format;
  }
  return nullptr;
}

const FormatDescriptor* find_format_by_extension(std::string_view extension) {
  for (const FormatDescriptor* format : registered_formats()) {
    for (const std::string& own : format->extensions) {
      if (own == extension) return format;
    }
  }
  return nullptr;
}

std::vector<std::string> format_spellings(bool writable_only) {
  std::vector<std::string> spellings;
  for (const FormatDescriptor* format : registered_formats()) {
    if (!writable_only || format->writable()) spellings.push_back(format->name);
  }
  for (const FormatDescriptor* format : registered_formats()) {
    if (writable_only && !format->writable()) continue;
    spellings.insert(spellings.end(), format->aliases.begin(), format->aliases.end());
  }
  return spellings;
}

std::string describe_formats(bool writable_only, std::string_view separator) {
  std::string text;
  for (const FormatDescriptor* format : registered_formats()) {
    if (writable_only && !format->writable()) continue;
    if (!text.empty()) text += separator;
    text += format->name;
    for (size_t i = 0; i < format->aliases.size(); ++i) {
      text += (i == 0 ? " (" : ", ") + format->aliases[i];
    }
    if (!format->aliases.empty()) text += ")";
  }
  return text;
}

std::string format_descriptions(std::string_view separator) {
  std::string text;
  for (const FormatDescriptor* format : registered_formats()) {
    if (!text.empty()) text += separator;
    text += format->description;
  }
  return text;
}

std::string describe_output_extensions() {
  std::string text;
  for (const FormatDescriptor* format : registered_formats()) {
    if (!format->writable() || format->extensions.empty()) continue;
    if (!text.empty()) text += ", ";
    for (size_t i = 0; i < format->extensions.size(); ++i) text += (i == 0 ? "" : "/") + format->extensions[i];
    text += " (" + format->description + ")";
  }
  return text;
}

std::vector<std::string> output_extensions() {
  std::vector<std::string> extensions;
  for (const FormatDescriptor* format : registered_formats()) {
    if (format->writable()) extensions.insert(extensions.end(), format->extensions.begin(), format->extensions.end());
  }
  return extensions;
}

}  // namespace embtool
