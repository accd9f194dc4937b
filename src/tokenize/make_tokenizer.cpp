#include "tokenize/make_tokenizer.hpp"

#include <fmt/format.h>

#include "base/error.hpp"
#include "tokenize/engines.hpp"

namespace embtool::tokenize {

std::unique_ptr<const Tokenizer> make_tokenizer(Spec spec) {
  if (spec.vocab.kinds.size() != spec.vocab.tokens.size()) {
    spec.vocab.kinds.resize(spec.vocab.tokens.size(), TokenKind::normal);
  }
  if (!spec.vocab.scores.empty() && spec.vocab.scores.size() != spec.vocab.tokens.size()) {
    throw Error(ErrorKind::bad_data, fmt::format("the tokenizer has {} scores for {} tokens",
                                                 spec.vocab.scores.size(), spec.vocab.tokens.size()));
  }
  for (const std::vector<int32_t>* ids : {&spec.prefix_ids, &spec.suffix_ids, &spec.vocab.lstrip, &spec.vocab.rstrip}) {
    for (int32_t id : *ids) {
      if (id < 0 || static_cast<size_t>(id) >= spec.vocab.tokens.size()) {
        throw Error(ErrorKind::bad_data, fmt::format("the tokenizer names a special token id {} but has {} tokens", id,
                                                     spec.vocab.tokens.size()));
      }
    }
  }
  if (spec.model == "gpt2" || spec.model == "tiktoken") return make_bpe(std::move(spec));
  if (spec.model == "llama") return make_sentencepiece(std::move(spec));
  if (spec.model == "bert") return make_wordpiece(std::move(spec));
  if (spec.model == "t5") return make_unigram(std::move(spec));
  if (spec.model == "sentencepiece") return make_sentencepiece_model(std::move(spec));
  throw Error(ErrorKind::invalid_argument,
              fmt::format("embtool has no tokenizer of type '{}' (it knows gpt2, llama, bert, t5, tiktoken, sentencepiece)", spec.model));
}

}  // namespace embtool::tokenize
