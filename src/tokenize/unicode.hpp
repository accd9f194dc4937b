// Unicode facts about single code points, through ICU, in the terms llama.cpp's tokenizers use
// (src/unicode.h: unicode_cpt_flags, unicode_tolower, unicode_cpts_normalize_nfd), so that
// every tokenizer asks the same questions the same way.
#pragma once

#include <cstdint>
#include <string>

namespace embtool::tokenize::unicode {

// The general-category groups of \p{..} plus white space, as llama.cpp's unicode_cpt_flags.
struct Flags {
  bool is_number = false;       // \p{N}
  bool is_letter = false;       // \p{L}
  bool is_separator = false;    // \p{Z}
  bool is_accent_mark = false;  // \p{M}
  bool is_punctuation = false;  // \p{P}
  bool is_symbol = false;       // \p{S}
  bool is_control = false;      // \p{C} without Cn (llama.cpp counts unassigned as undefined)
  bool is_whitespace = false;   // the White_Space property (\s)
  bool is_nonspacing_mark = false;  // Mn alone: what Hugging Face's strip_accents removes
};

Flags flags(uint32_t code_point);
// Simple (one code point) lower-case mapping, as llama.cpp's unicode_tolower.
uint32_t tolower(uint32_t code_point);
// The first code point of the code point's canonical decomposition: llama.cpp's
// unicode_cpts_normalize_nfd keeps only that (é -> e, 한 -> ᄒ).
uint32_t nfd_first(uint32_t code_point);
// The full canonical decomposition (NFD) of one code point, appended as UTF-8.
void append_nfd(std::string& out, uint32_t code_point);

}  // namespace embtool::tokenize::unicode
