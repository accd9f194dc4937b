#include "tokenize/unicode.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "base/error.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::tokenize::unicode {
namespace {

const icu::Normalizer2& nfd_normalizer() {
  static const icu::Normalizer2* const normalizer = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status) || n == nullptr) {
      throw Error(ErrorKind::internal, "ICU has no NFD normalizer (its data is missing)");
    }
    return n;
  }();
  return *normalizer;
}

}  // namespace

Flags flags(uint32_t code_point) {
  Flags f;
  const auto c = static_cast<UChar32>(code_point);
  const int32_t mask = U_MASK(u_charType(c));
  f.is_number = (mask & U_GC_N_MASK) != 0;
  f.is_letter = (mask & U_GC_L_MASK) != 0;
  f.is_separator = (mask & U_GC_Z_MASK) != 0;
  f.is_accent_mark = (mask & U_GC_M_MASK) != 0;
  f.is_punctuation = (mask & U_GC_P_MASK) != 0;
  f.is_symbol = (mask & U_GC_S_MASK) != 0;
  f.is_control = (mask & (U_GC_CC_MASK | U_GC_CF_MASK | U_GC_CS_MASK | U_GC_CO_MASK)) != 0;
  f.is_whitespace = u_isUWhiteSpace(c) != 0;
  f.is_nonspacing_mark = (mask & U_GC_MN_MASK) != 0;
  return f;
}

uint32_t tolower(uint32_t code_point) { return static_cast<uint32_t>(u_tolower(static_cast<UChar32>(code_point))); }

uint32_t nfd_first(uint32_t code_point) {
  icu::UnicodeString decomposition;
  if (!nfd_normalizer().getDecomposition(static_cast<UChar32>(code_point), decomposition)) return code_point;
  return decomposition.isEmpty() ? code_point : static_cast<uint32_t>(decomposition.char32At(0));
}

void append_nfd(std::string& out, uint32_t code_point) {
  icu::UnicodeString decomposition;
  if (!nfd_normalizer().getDecomposition(static_cast<UChar32>(code_point), decomposition)) {
    append_utf8(out, code_point);
    return;
  }
  for (int32_t i = 0; i < decomposition.length();) {
    const UChar32 c = decomposition.char32At(i);
    append_utf8(out, static_cast<uint32_t>(c));
    i += U16_LENGTH(c);
  }
}

}  // namespace embtool::tokenize::unicode
