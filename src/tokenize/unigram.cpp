#include "base/error.hpp"
#include "tokenize/engines.hpp"

namespace embtool::tokenize {

std::unique_ptr<const Tokenizer> make_unigram(Spec spec) {
  throw Error(ErrorKind::invalid_argument, "the " + spec.model + " tokenizer is not built yet");
}

}  // namespace embtool::tokenize
