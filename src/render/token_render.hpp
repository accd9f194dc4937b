// The token commands' answers (tokenize, detokenize, embed, tokens) in text, JSON and TSV,
// and what they share with the other answers: a token as a table shows it, a vector as
// `vector` prints it. Internal to render/: render.hpp is the way in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/answers.hpp"
#include "render/json_writer.hpp"

namespace embtool::output {

// A token's text as a table shows it: leading blanks as '␣' (so " king" and "king" differ
// at a glance), and a special token with its kind ("<|endoftext|> [control]"). A word of a
// word-vector model (no token) as it is.
std::string shown(const std::string& word, const std::optional<app::TokenText>& token);

// A row as `vector` prints it in text: the word, then each value in the shortest form that
// reads back bit for bit (a word2vec text line).
std::string vector_line(const std::string& word, const std::vector<float>& values, bool color);

// The fields after "command" of each answer's one JSON object.
void write_json_fields(JsonWriter& json, const app::TokenizeAnswer& answer);
void write_json_fields(JsonWriter& json, const app::DetokenizeAnswer& answer);
void write_json_fields(JsonWriter& json, const app::EmbedAnswer& answer);
void write_json_fields(JsonWriter& json, const app::TokenDiagnosticsAnswer& answer);

// Text for people, or TSV (`tsv`).
std::string token_table(const app::TokenizeAnswer& answer, bool tsv, bool color);
std::string token_table(const app::DetokenizeAnswer& answer, bool tsv, bool color);
std::string token_table(const app::EmbedAnswer& answer, bool tsv, bool color);
std::string token_table(const app::TokenDiagnosticsAnswer& answer, bool tsv, bool color);

}  // namespace embtool::output
