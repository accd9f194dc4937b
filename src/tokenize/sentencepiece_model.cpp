#include "tokenize/sentencepiece_model.hpp"

#include <fmt/format.h>
#include <sentencepiece_processor.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "tokenize/engines.hpp"

namespace embtool::tokenize {
namespace {

std::unique_ptr<sentencepiece::SentencePieceProcessor> load_processor(const std::string& serialized) {
  auto processor = std::make_unique<sentencepiece::SentencePieceProcessor>();
  const auto status = processor->LoadFromSerializedProto(serialized);
  if (!status.ok()) {
    throw Error(ErrorKind::bad_data, fmt::format("the SentencePiece model cannot be loaded: {}", status.ToString()));
  }
  return processor;
}

// A reader of protobuf's wire format, enough to walk ModelProto's fields: the library
// (0.1.97, Debian 12) reports every kind of piece but user-defined, which only the proto says.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return pos_ >= bytes_.size(); }

  std::optional<uint64_t> varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return std::nullopt;
      const auto byte = static_cast<unsigned char>(bytes_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return std::nullopt;
  }

  // One field: its number, and its bytes when length-delimited (or its value when a varint).
  struct Field {
    uint64_t number = 0;
    uint64_t value = 0;
    std::string_view bytes;
  };
  std::optional<Field> field() {
    const std::optional<uint64_t> key = varint();
    if (!key) return std::nullopt;
    Field f;
    f.number = *key >> 3;
    switch (*key & 7) {
      case 0: {
        const std::optional<uint64_t> v = varint();
        if (!v) return std::nullopt;
        f.value = *v;
        return f;
      }
      case 1: return skip(8) ? std::optional(f) : std::nullopt;
      case 5: return skip(4) ? std::optional(f) : std::nullopt;
      case 2: {
        const std::optional<uint64_t> size = varint();
        if (!size || *size > bytes_.size() - pos_) return std::nullopt;
        f.bytes = bytes_.substr(pos_, *size);
        pos_ += *size;
        return f;
      }
      default: return std::nullopt;
    }
  }

 private:
  bool skip(size_t n) {
    if (n > bytes_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  std::string_view bytes_;
  size_t pos_ = 0;
};

constexpr uint64_t kModelPieces = 1;       // ModelProto.pieces (repeated SentencePiece)
constexpr uint64_t kPieceType = 3;         // SentencePiece.type
constexpr uint64_t kUserDefinedType = 4;   // SentencePiece.Type.USER_DEFINED
constexpr uint64_t kNormalizerSpec = 3;    // ModelProto.normalizer_spec
constexpr uint64_t kAddDummyPrefix = 3;    // NormalizerSpec.add_dummy_prefix

struct ProtoFacts {
  std::vector<bool> user_defined;  // by id
  bool add_dummy_prefix = true;    // the proto's default
};

ProtoFacts read_proto_facts(std::string_view serialized) {
  ProtoFacts facts;
  WireReader model(serialized);
  while (!model.done()) {
    const auto f = model.field();
    if (!f) throw Error(ErrorKind::bad_data, "the SentencePiece model is not a well-formed protobuf message");
    if (f->number == kModelPieces) {
      bool user_defined = false;
      WireReader piece(f->bytes);
      while (!piece.done()) {
        const auto g = piece.field();
        if (!g) throw Error(ErrorKind::bad_data, "a piece of the SentencePiece model is not a well-formed protobuf message");
        if (g->number == kPieceType) user_defined = g->value == kUserDefinedType;
      }
      facts.user_defined.push_back(user_defined);
    } else if (f->number == kNormalizerSpec) {
      WireReader spec(f->bytes);
      while (!spec.done()) {
        const auto g = spec.field();
        if (!g) break;
        if (g->number == kAddDummyPrefix) facts.add_dummy_prefix = g->value != 0;
      }
    }
  }
  return facts;
}

int32_t id_or_none(int id, size_t size) {
  return id >= 0 && static_cast<size_t>(id) < size ? static_cast<int32_t>(id) : kNoToken;
}

// Encodes with the library: its ids, and its pieces' byte spans in the fragment.
class SentencePieceModelTokenizer final : public Tokenizer {
 public:
  explicit SentencePieceModelTokenizer(Spec spec)
      : Tokenizer(std::move(spec)), processor_(load_processor(this->spec().sentencepiece_model)) {}

  std::string_view algorithm() const override { return "SentencePiece"; }

 protected:
  void encode_fragment(std::string_view text, uint32_t offset, bool /*after_special*/,
                       std::vector<Piece>& out) const override {
    const sentencepiece::ImmutableSentencePieceText encoded = processor_->EncodeAsImmutableProto(text);
    for (const auto& piece : encoded.pieces()) {
      const uint32_t begin = std::min<uint32_t>(piece.begin(), static_cast<uint32_t>(text.size()));
      const uint32_t end = std::clamp<uint32_t>(piece.end(), begin, static_cast<uint32_t>(text.size()));
      out.push_back({static_cast<int32_t>(piece.id()), offset + begin, offset + end});
    }
  }

 private:
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
};

}  // namespace

Spec sentencepiece_model_spec(std::string serialized_proto) {
  const auto processor = load_processor(serialized_proto);
  const ProtoFacts facts = read_proto_facts(serialized_proto);
  Spec spec;
  spec.model = "sentencepiece";
  spec.decoding = Decoding::sentencepiece;
  spec.add_space_prefix = facts.add_dummy_prefix;
  const auto n = static_cast<size_t>(processor->GetPieceSize());
  Vocab& v = spec.vocab;
  v.tokens.reserve(n);
  for (size_t id = 0; id < n; ++id) {
    const int i = static_cast<int>(id);
    v.tokens.push_back(processor->IdToPiece(i));
    v.scores.push_back(processor->GetScore(i));
    TokenKind kind = TokenKind::normal;
    if (processor->IsControl(i)) kind = TokenKind::control;
    else if (processor->IsUnknown(i)) kind = TokenKind::unknown;
    else if (processor->IsByte(i)) kind = TokenKind::byte;
    else if (processor->IsUnused(i)) kind = TokenKind::unused;
    else if (id < facts.user_defined.size() && facts.user_defined[id]) kind = TokenKind::user_defined;
    v.kinds.push_back(kind);
  }
  spec.special.unk = id_or_none(processor->unk_id(), n);
  spec.special.bos = id_or_none(processor->bos_id(), n);
  spec.special.eos = id_or_none(processor->eos_id(), n);
  spec.special.pad = id_or_none(processor->pad_id(), n);
  spec.sentencepiece_model = std::move(serialized_proto);
  return spec;
}

std::unique_ptr<const Tokenizer> make_sentencepiece_model(Spec spec) {
  if (spec.sentencepiece_model.empty()) {
    throw Error(ErrorKind::bad_data, "the SentencePiece tokenizer has no model (its serialized ModelProto is empty)");
  }
  return std::make_unique<SentencePieceModelTokenizer>(std::move(spec));
}

}  // namespace embtool::tokenize
