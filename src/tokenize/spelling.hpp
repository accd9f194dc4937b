// How tokenizers spell text in their tokens, and UTF-8 itself: one place for both, used by the
// tokenizers and by the rows above that show tokens as text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace embtool::tokenize {

// UTF-8 encoding of one code point (any value below 0x110000).
void append_utf8(std::string& out, uint32_t code_point);
// The byte length of the UTF-8 sequence a lead byte opens (1 for a stray continuation byte,
// as llama.cpp counts it).
size_t utf8_length(unsigned char lead);
// The offset of the first byte of `text` that is not part of well-formed UTF-8 (overlong
// forms, surrogates and values above U+10FFFF are not), or nullopt when all of it is.
std::optional<size_t> first_invalid_utf8(std::string_view text);
// Decodes the code point at `i` of valid UTF-8 and moves `i` past it.
uint32_t next_code_point(std::string_view text, size_t& i);

// GPT-2's bytes_to_unicode spelling of bytes (" king" -> "Ġking").
std::string byte_level_spelling(std::string_view bytes);
// The bytes a byte-level key stands for ("Ġking" -> " king"); nullopt when a character of the
// key is not one of the 256 byte-level characters.
std::optional<std::string> byte_level_bytes(std::string_view key);

inline constexpr std::string_view kMetaspace = "\xE2\x96\x81";  // U+2581, SentencePiece's space
// "<0x0A>" -> '\n'; nullopt for any other key.
std::optional<char> byte_token_value(std::string_view key);
// "<0x0A>" for '\n': SentencePiece's byte-fallback token of a byte.
std::string byte_token_key(unsigned char byte);
// The text a SentencePiece key stands for: "▁" -> ' ', "<0xNN>" -> that byte.
std::string sentencepiece_text(std::string_view key);

// Standard base64 (tiktoken's rank files, tokenizer.json's precompiled charsmap); nullopt for
// text that is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace embtool::tokenize
