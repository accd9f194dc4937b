// "Did you mean": case variants, then words a small edit distance away.
#include <algorithm>
#include <numeric>
#include <vector>

#include "ops/ops.hpp"
#include "ops/text_case.hpp"

namespace embtool {
namespace {

// Optimal-string-alignment distance (a swap of neighbours is one edit), giving up once it
// must exceed `bound`; returns bound + 1 then.
size_t edit_distance(std::string_view a, std::string_view b, size_t bound) {
  const size_t n = a.size();
  const size_t m = b.size();
  if ((n > m ? n - m : m - n) > bound) return bound + 1;
  std::vector<size_t> before(m + 1), previous(m + 1), current(m + 1);
  std::iota(previous.begin(), previous.end(), size_t{0});
  for (size_t i = 1; i <= n; ++i) {
    current[0] = i;
    size_t row_best = current[0];
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
      row_best = std::min(row_best, current[j]);
    }
    if (row_best > bound) return bound + 1;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

// Short words tolerate one typo, longer ones two.
size_t allowed_edits(std::string_view word) { return word.size() <= 4 ? 1 : 2; }

}  // namespace

std::vector<std::string> suggest_words(const Vocabulary& vocabulary, std::string_view word,
                                       size_t max) {
  struct Candidate {
    size_t distance;
    uint32_t row;
  };
  const std::string folded = ops::fold_case(word);
  const size_t bound = allowed_edits(folded);
  std::vector<Candidate> candidates;
  for (uint32_t row = 0; row < vocabulary.size(); ++row) {
    const std::string_view other = vocabulary.word(row);
    if (other == word) continue;
    const size_t length_gap = other.size() > folded.size() ? other.size() - folded.size()
                                                           : folded.size() - other.size();
    if (length_gap > bound + 2) continue;  // case folding can change a UTF-8 length a little
    const size_t d = edit_distance(folded, ops::fold_case(other), bound);
    if (d <= bound) candidates.push_back({d, row});
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.row < b.row;
  });
  std::vector<std::string> words;
  for (size_t i = 0; i < candidates.size() && i < max; ++i) {
    words.emplace_back(vocabulary.word(candidates[i].row));
  }
  return words;
}

}  // namespace embtool
