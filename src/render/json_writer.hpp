// A small streaming JSON writer: compact, one document a line, valid UTF-8 always.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace embtool::output {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);

  // Words are bytes: invalid UTF-8 becomes U+FFFD, as gensim shows such words.
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  // The shortest text that reads back as the same float32; NaN and infinities become null.
  JsonWriter& value(float number);
  JsonWriter& value(double number);
  JsonWriter& value(int64_t number);
  JsonWriter& value(uint64_t number);
  JsonWriter& value(bool flag);
  JsonWriter& null();

 private:
  void before_value();

  std::string& out_;
  std::vector<bool> first_in_scope_;
  bool after_key_ = false;
};

// Appends `text` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view text);

}  // namespace embtool::output
