#include "tokenize/pre_tokenize.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <fmt/format.h>

#include "base/error.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::tokenize {
namespace {

struct PreTokenizerName {
  const char* name;
  const char* type;
  bool clean_spaces;
  bool ignore_merges;
};
struct PreTokenizerRegexes {
  const char* type;
  bool byte_encode;
  std::vector<const char*> regexes;
};
#include "tokenize/llama_cpp_pre_tokenizers.inc"

// Two of llama.cpp's "regexes" are names of hand-written splitters (src/unicode.cpp); these are
// the patterns those splitters implement, in PCRE2's syntax.
std::string pcre2_pattern_of(std::string_view llama_cpp_regex) {
  // unicode_regex_split_custom_afmoe: a run of digits as its leading len % 3 digits, then threes.
  if (llama_cpp_regex == "\\p{AFMoE_digits}") return "\\p{N}{1,3}(?=(?:\\p{N}{3})*(?!\\p{N}))";
  // unicode_regex_split_custom_kimi_k2: tokenization_kimi.py's pattern; PCRE2 has no class
  // intersection, so [X&&[^\p{Han}]] is (?:(?!\p{Han})[X]).
  if (llama_cpp_regex == "\\p{Han}+") {
    return "[\\p{Han}]+|[^\\r\\n\\p{L}\\p{N}]?(?:(?!\\p{Han})[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}])*"
           "(?:(?!\\p{Han})[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}])+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
           "[^\\r\\n\\p{L}\\p{N}]?(?:(?!\\p{Han})[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}])+"
           "(?:(?!\\p{Han})[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}])*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
           "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  }
  return std::string(llama_cpp_regex);
}

// GPT-2's pattern, as Hugging Face's ByteLevel pre-tokenizer uses it when use_regex is set.
constexpr const char* kGpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

std::string quote_literal(std::string_view s) {
  std::string out = "\\Q";
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "\\E") == 0) {
      out += "\\E\\\\E\\Q";
      ++i;
    } else {
      out += s[i];
    }
  }
  return out + "\\E";
}

// ---- PCRE2 -----------------------------------------------------------------------------

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
using Code = std::unique_ptr<pcre2_code, CodeDeleter>;

Code compile(const std::string& pattern) {
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &error_offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw Error(ErrorKind::bad_data, fmt::format("the tokenizer's split pattern '{}' is not a regex PCRE2 accepts ({} at "
                                                 "offset {})", pattern, reinterpret_cast<char*>(message), error_offset));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // without JIT (an old CPU) matching still works
  return Code(code);
}

// Each thread's match data and JIT stack: a deep pattern on a long text needs more stack than
// PCRE2's 32 KiB default.
struct MatchContext {
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  MatchContext() { pcre2_jit_stack_assign(context, nullptr, stack); }
  ~MatchContext() {
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
    pcre2_match_data_free(data);
  }
};

MatchContext& match_context() {
  thread_local MatchContext context;
  return context;
}

// Calls found(begin, end) for each match of `code` in text[begin, end), the range being the
// whole subject (lookarounds do not see past it, as llama.cpp's per-word regexes do not).
template <typename Found>
void for_each_match(const pcre2_code* code, std::string_view text, size_t begin, size_t end, Found&& found) {
  MatchContext& m = match_context();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data() + begin);
  const size_t length = end - begin;
  size_t at = 0;
  while (at <= length) {
    const int rc = pcre2_match(code, subject, length, at, PCRE2_NO_UTF_CHECK, m.data, m.context);
    if (rc == PCRE2_ERROR_NOMATCH) return;
    if (rc < 0) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(rc, message, sizeof message);
      throw Error(ErrorKind::invalid_argument,
                  fmt::format("the tokenizer's split pattern failed on this text: {}", reinterpret_cast<char*>(message)));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(m.data);
    const size_t match_begin = ovector[0], match_end = ovector[1];
    found(begin + match_begin, begin + match_end);
    if (match_end > match_begin) {
      at = match_end;
    } else {  // an empty match: step one character on
      if (match_end >= length) return;
      at = match_end + utf8_length(static_cast<unsigned char>(text[begin + match_end]));
    }
  }
}

}  // namespace

// ---- the named pre-tokenizers ------------------------------------------------------------

std::vector<SplitStep> bpe_pre_splits(std::string_view pre) {
  const PreTokenizerName* name = std::find_if(std::begin(kPreTokenizerNames), std::end(kPreTokenizerNames),
                                              [&](const PreTokenizerName& n) { return n.name == pre; });
  if (name == std::end(kPreTokenizerNames)) return {};
  const std::string_view type = name->type;
  const PreTokenizerRegexes* regexes = std::find_if(std::begin(kPreTokenizerRegexes), std::end(kPreTokenizerRegexes),
                                                    [&](const PreTokenizerRegexes& r) { return r.type == type; });
  if (regexes == std::end(kPreTokenizerRegexes)) return {};
  std::vector<SplitStep> steps;
  for (const char* regex : regexes->regexes) {
    SplitStep step;
    step.kind = SplitStep::Kind::regex;
    step.pattern = pcre2_pattern_of(regex);
    steps.push_back(std::move(step));
  }
  return steps;
}

bool bpe_pre_byte_encode(std::string_view pre) {
  const PreTokenizerName* name = std::find_if(std::begin(kPreTokenizerNames), std::end(kPreTokenizerNames),
                                              [&](const PreTokenizerName& n) { return n.name == pre; });
  if (name == std::end(kPreTokenizerNames)) return true;
  const std::string_view type = name->type;
  for (const PreTokenizerRegexes& r : kPreTokenizerRegexes) {
    if (r.type == type) return r.byte_encode;
  }
  return true;
}

bool bpe_pre_ignore_merges(std::string_view pre) {
  for (const PreTokenizerName& n : kPreTokenizerNames) {
    if (n.name == pre) return n.ignore_merges;
  }
  return false;
}

// ---- AlignedText ---------------------------------------------------------------------------

AlignedText::AlignedText(std::string_view input, uint32_t offset) : text_(input), offset_(offset) {}

void AlignedText::materialize() {
  if (!identity_) return;
  begin_.resize(text_.size());
  end_.resize(text_.size());
  // Each byte maps to its whole character, so that a token holding part of one still maps to
  // input that can be shown.
  for (size_t i = 0; i < text_.size();) {
    const size_t len = std::min(utf8_length(static_cast<unsigned char>(text_[i])), text_.size() - i);
    for (size_t k = 0; k < len; ++k) {
      begin_[i + k] = offset_ + static_cast<uint32_t>(i);
      end_[i + k] = offset_ + static_cast<uint32_t>(i + len);
    }
    i += len;
  }
  identity_ = false;
}

void AlignedText::transform(const std::function<void(uint32_t, std::string&)>& map) {
  materialize();
  std::string text;
  std::vector<uint32_t> begin, end;
  text.reserve(text_.size());
  begin.reserve(text_.size());
  end.reserve(text_.size());
  std::string piece;
  for (size_t i = 0; i < text_.size();) {
    const size_t at = i;
    const uint32_t cp = next_code_point(text_, i);
    piece.clear();
    map(cp, piece);
    text += piece;
    begin.insert(begin.end(), piece.size(), begin_[at]);
    end.insert(end.end(), piece.size(), end_[i - 1]);
  }
  text_ = std::move(text);
  begin_ = std::move(begin);
  end_ = std::move(end);
}

void AlignedText::prepend(std::string_view text) {
  if (text_.empty()) return;
  materialize();
  const uint32_t b = begin_[0], e = end_[0];
  text_.insert(0, text);
  begin_.insert(begin_.begin(), text.size(), b);
  end_.insert(end_.begin(), text.size(), e);
}

void AlignedText::assign(std::string text, std::vector<uint32_t> begin, std::vector<uint32_t> end) {
  text_ = std::move(text);
  begin_ = std::move(begin);
  end_ = std::move(end);
  identity_ = false;
}

// ---- Unicode classes -----------------------------------------------------------------------

bool is_unicode_whitespace(uint32_t cp) { return u_isUWhiteSpace(static_cast<UChar32>(cp)); }

bool is_bert_control(uint32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  const int8_t type = u_charType(static_cast<UChar32>(cp));
  return type == U_CONTROL_CHAR || type == U_FORMAT_CHAR || type == U_PRIVATE_USE_CHAR ||
         type == U_UNASSIGNED || type == U_SURROGATE;
}

bool is_bert_punctuation(uint32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return u_ispunct(static_cast<UChar32>(cp));
}

bool is_cjk_ideograph(uint32_t cp) {
  // BERT's _is_chinese_char (tokenization_bert.py / tokenizers' bert normalizer): its ranges.
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// ---- normalization -------------------------------------------------------------------------
namespace {

const icu::Normalizer2* normalizer_of(NormalizeStep::Kind kind) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = nullptr;
  switch (kind) {
    case NormalizeStep::Kind::nfc: n = icu::Normalizer2::getNFCInstance(status); break;
    case NormalizeStep::Kind::nfd: n = icu::Normalizer2::getNFDInstance(status); break;
    case NormalizeStep::Kind::nfkc: n = icu::Normalizer2::getNFKCInstance(status); break;
    case NormalizeStep::Kind::nfkd: n = icu::Normalizer2::getNFKDInstance(status); break;
    default: break;
  }
  if (U_FAILURE(status) || n == nullptr) throw Error(ErrorKind::internal, "ICU has no Unicode normalizer");
  return n;
}

// A Unicode normal form, applied segment by segment (a segment starts at each character ICU
// says has a boundary before it), so that each normalized segment maps to the input span of
// the segment it came from.
void unicode_normalize(AlignedText& text, const icu::Normalizer2& n) {
  const std::string& t = text.text();
  UErrorCode status = U_ZERO_ERROR;
  if (n.isNormalized(icu::UnicodeString::fromUTF8(t), status) && U_SUCCESS(status)) return;
  std::vector<size_t> starts;
  for (size_t i = 0; i < t.size();) {
    const size_t at = i;
    const uint32_t cp = next_code_point(t, i);
    if (at == 0 || n.hasBoundaryBefore(static_cast<UChar32>(cp))) starts.push_back(at);
  }
  starts.push_back(t.size());
  std::string out;
  std::vector<uint32_t> begin, end;
  for (size_t s = 0; s + 1 < starts.size(); ++s) {
    const size_t b = starts[s], e = starts[s + 1];
    status = U_ZERO_ERROR;
    const icu::UnicodeString source =
        icu::UnicodeString::fromUTF8(icu::StringPiece(t.data() + b, static_cast<int32_t>(e - b)));
    std::string normalized;
    n.normalize(source, status).toUTF8String(normalized);
    if (U_FAILURE(status)) throw Error(ErrorKind::internal, "ICU could not normalize a text");
    out += normalized;
    begin.insert(begin.end(), normalized.size(), text.input_begin(b));
    end.insert(end.end(), normalized.size(), text.input_end(e));
  }
  text.assign(std::move(out), std::move(begin), std::move(end));
}

void lowercase(AlignedText& text) {
  bool ascii_lower = true;
  for (char c : text.text()) ascii_lower = ascii_lower && !(c >= 'A' && c <= 'Z') && static_cast<unsigned char>(c) < 0x80;
  if (ascii_lower) return;
  text.transform([](uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
      return;
    }
    // Full lower-casing (one character may become two: İ -> i̇), as Rust's to_lowercase.
    icu::UnicodeString s(static_cast<UChar32>(cp));
    s.toLower(icu::Locale::getRoot()).toUTF8String(out);
  });
}

void strip_accents(AlignedText& text) {
  text.transform([](uint32_t cp, std::string& out) {
    if (u_charType(static_cast<UChar32>(cp)) != U_NON_SPACING_MARK) append_utf8(out, cp);
  });
}

void bert_clean(AlignedText& text, const NormalizeStep& step) {
  text.transform([&](uint32_t cp, std::string& out) {
    if (step.clean_text) {
      if (cp == 0 || cp == 0xFFFD || is_bert_control(cp)) return;
      if (cp == '\t' || cp == '\n' || cp == '\r' || is_unicode_whitespace(cp)) {
        out += ' ';
        return;
      }
    }
    if (step.handle_chinese_chars && is_cjk_ideograph(cp)) {
      out += ' ';
      append_utf8(out, cp);
      out += ' ';
      return;
    }
    append_utf8(out, cp);
  });
}

void strip_ends(AlignedText& text, bool left, bool right) {
  const std::string& t = text.text();
  size_t b = 0, e = t.size();
  if (left) {
    while (b < e) {
      size_t i = b;
      if (!is_unicode_whitespace(next_code_point(t, i))) break;
      b = i;
    }
  }
  if (right) {
    while (e > b) {
      size_t s = e - 1;
      while (s > b && (static_cast<unsigned char>(t[s]) & 0xC0) == 0x80) --s;
      size_t i = s;
      if (!is_unicode_whitespace(next_code_point(t, i))) break;
      e = s;
    }
  }
  if (b == 0 && e == t.size()) return;
  std::vector<uint32_t> begin, end;
  for (size_t i = b; i < e; ++i) {
    begin.push_back(text.input_begin(i));
    end.push_back(text.input_end(i + 1));
  }
  text.assign(t.substr(b, e - b), std::move(begin), std::move(end));
}

}  // namespace

struct Normalizer::Impl {
  std::vector<NormalizeStep> steps;
  std::vector<Code> patterns;  // one per step (null where the step has none)
};

Normalizer::Normalizer(std::vector<NormalizeStep> steps) : impl_(std::make_unique<Impl>()) {
  for (const NormalizeStep& step : steps) {
    if (step.kind == NormalizeStep::Kind::replace) {
      impl_->patterns.push_back(compile(step.pattern_is_regex ? step.pattern : quote_literal(step.pattern)));
    } else {
      impl_->patterns.emplace_back();
    }
  }
  impl_->steps = std::move(steps);
}
Normalizer::~Normalizer() = default;
Normalizer::Normalizer(Normalizer&&) noexcept = default;
bool Normalizer::empty() const { return impl_->steps.empty(); }

namespace {

void replace_matches(AlignedText& text, const pcre2_code* code, const std::string& content) {
  const std::string& t = text.text();
  std::string out;
  std::vector<uint32_t> begin, end;
  size_t copied = 0;
  auto copy_to = [&](size_t upto) {
    for (size_t i = copied; i < upto; ++i) {
      out += t[i];
      begin.push_back(text.input_begin(i));
      end.push_back(text.input_end(i + 1));
    }
    copied = upto;
  };
  bool any = false;
  for_each_match(code, t, 0, t.size(), [&](size_t b, size_t e) {
    if (e == b) return;
    any = true;
    copy_to(b);
    out += content;
    begin.insert(begin.end(), content.size(), text.input_begin(b));
    end.insert(end.end(), content.size(), text.input_end(e));
    copied = e;
  });
  if (!any) return;
  copy_to(t.size());
  text.assign(std::move(out), std::move(begin), std::move(end));
}

}  // namespace

void Normalizer::apply(AlignedText& text) const {
  for (size_t s = 0; s < impl_->steps.size(); ++s) {
    const NormalizeStep& step = impl_->steps[s];
    if (text.text().empty()) return;
    switch (step.kind) {
      case NormalizeStep::Kind::nfc:
      case NormalizeStep::Kind::nfd:
      case NormalizeStep::Kind::nfkc:
      case NormalizeStep::Kind::nfkd: unicode_normalize(text, *normalizer_of(step.kind)); break;
      case NormalizeStep::Kind::lowercase: lowercase(text); break;
      case NormalizeStep::Kind::strip_accents: strip_accents(text); break;
      case NormalizeStep::Kind::replace: replace_matches(text, impl_->patterns[s].get(), step.content); break;
      case NormalizeStep::Kind::prepend: text.prepend(step.content); break;
      case NormalizeStep::Kind::strip: strip_ends(text, step.left, step.right); break;
      case NormalizeStep::Kind::bert:
        bert_clean(text, step);
        if (step.strip_accents.value_or(step.lowercase)) {
          unicode_normalize(text, *normalizer_of(NormalizeStep::Kind::nfd));
          strip_accents(text);
        }
        if (step.lowercase) lowercase(text);
        break;
    }
  }
}

// ---- splitting -----------------------------------------------------------------------------
namespace {

// One compiled step: the pattern whose matches it cuts at, and what it does with them.
struct CompiledStep {
  Code code;
  SplitStep::Behavior behavior = SplitStep::Behavior::isolated;
  bool invert = false;
};

CompiledStep compile_step(const SplitStep& step) {
  CompiledStep c;
  c.behavior = step.behavior;
  c.invert = step.invert;
  switch (step.kind) {
    case SplitStep::Kind::regex: c.code = compile(step.pattern); break;
    case SplitStep::Kind::string: c.code = compile(quote_literal(step.pattern)); break;
    case SplitStep::Kind::byte_level: c.code = compile(kGpt2Pattern); c.behavior = SplitStep::Behavior::isolated; break;
    case SplitStep::Kind::metaspace:
      // The spaces are "▁" by now (the tokenizer's normalization); each word starts at one.
      c.code = compile(quote_literal(step.replacement));
      c.behavior = SplitStep::Behavior::merged_with_next;
      break;
    case SplitStep::Kind::digits:
      c.code = compile(step.individual_digits ? "\\p{N}" : "\\p{N}+");
      c.behavior = SplitStep::Behavior::isolated;
      break;
    case SplitStep::Kind::whitespace:
      c.code = compile("\\w+|[^\\w\\s]+");
      c.behavior = SplitStep::Behavior::removed;
      c.invert = true;
      break;
    case SplitStep::Kind::whitespace_split:
      c.code = compile("\\s+");
      c.behavior = SplitStep::Behavior::removed;
      break;
    case SplitStep::Kind::bert:  // handled as two steps by the Splitter
    case SplitStep::Kind::punctuation:
      c.code = compile("[\\p{P}!-/:-@\\[-`{-~]");
      break;
  }
  return c;
}

}  // namespace

struct Splitter::Impl {
  std::vector<CompiledStep> steps;

  // Hands the words of text[begin, end) that step `s` makes to step s + 1 (the last to `word`).
  void run(std::string_view text, size_t begin, size_t end, size_t s,
           const std::function<void(size_t, size_t)>& word) const {
    if (begin >= end) return;
    if (s == steps.size()) {
      word(begin, end);
      return;
    }
    const CompiledStep& step = steps[s];
    auto emit = [&](size_t b, size_t e) {
      if (e > b) run(text, b, e, s + 1, word);
    };
    // Pieces in order: (b, e, is_match); the behavior decides which become words.
    size_t gap = begin;           // start of the text after the last match
    size_t pending_begin = begin; // merged_with_next / contiguous: a word not yet emitted
    bool pending = false;
    size_t last_match_end = begin;
    auto on_piece = [&](size_t b, size_t e, bool is_match) {
      if (step.invert) is_match = !is_match;
      switch (step.behavior) {
        case SplitStep::Behavior::isolated: emit(b, e); break;
        case SplitStep::Behavior::removed:
          if (!is_match) emit(b, e);
          break;
        case SplitStep::Behavior::merged_with_previous:
          if (is_match) {
            emit(pending ? pending_begin : b, e);
            pending = false;
          } else {
            if (pending) emit(pending_begin, b);
            pending_begin = b, pending = true;
          }
          break;
        case SplitStep::Behavior::merged_with_next:
          if (is_match) {
            if (pending) emit(pending_begin, b);
            pending_begin = b, pending = true;
          } else {
            emit(pending ? pending_begin : b, e);
            pending = false;
          }
          break;
        case SplitStep::Behavior::contiguous:
          if (is_match) {
            if (pending && last_match_end == b) {
              // extends the run of matches
            } else {
              if (pending) emit(pending_begin, last_match_end);
              pending_begin = b, pending = true;
            }
            last_match_end = e;
          } else {
            if (pending) emit(pending_begin, last_match_end);
            pending = false;
            emit(b, e);
          }
          break;
      }
    };
    for_each_match(step.code.get(), text, begin, end, [&](size_t b, size_t e) {
      if (e == b) {
        // An empty match only marks a place to cut (superbpe's lookahead).
        if (b > gap) on_piece(gap, b, false);
        gap = b;
        return;
      }
      if (b > gap) on_piece(gap, b, false);
      on_piece(b, e, true);
      gap = e;
    });
    if (end > gap) on_piece(gap, end, false);
    if (pending) {
      emit(pending_begin, step.behavior == SplitStep::Behavior::contiguous ? last_match_end : end);
    }
  }
};

Splitter::Splitter(const std::vector<SplitStep>& steps) : impl_(std::make_unique<Impl>()) {
  for (const SplitStep& step : steps) {
    if (step.kind == SplitStep::Kind::bert) {
      SplitStep spaces;
      spaces.kind = SplitStep::Kind::whitespace_split;
      impl_->steps.push_back(compile_step(spaces));
      SplitStep punctuation;
      punctuation.kind = SplitStep::Kind::punctuation;
      impl_->steps.push_back(compile_step(punctuation));
      continue;
    }
    if (step.kind == SplitStep::Kind::byte_level && !step.use_regex) continue;  // bytes only
    if (step.kind == SplitStep::Kind::metaspace && !step.split) continue;
    impl_->steps.push_back(compile_step(step));
  }
}
Splitter::~Splitter() = default;
Splitter::Splitter(Splitter&&) noexcept = default;

void Splitter::split(std::string_view text, const std::function<void(size_t, size_t)>& word) const {
  impl_->run(text, 0, text.size(), 0, word);
}

}  // namespace embtool::tokenize
