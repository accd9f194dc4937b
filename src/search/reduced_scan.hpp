// Exact top-k by cosine that scans a reduced-precision copy first (see reduced_scan.cpp).
#pragma once

#include <span>
#include <vector>

#include "search/search.hpp"

namespace embtool::search {

// The reduced copy a search with `choice` should scan, or nullptr for the float32 scan.
const ReducedRows* copy_to_scan(const Embeddings& e, ScanChoice choice);

std::vector<Neighbor> reduced_top_k_cosine(const Embeddings& e, const ReducedRows& copy,
                                           std::span<const float> unit_query, size_t k,
                                           std::span<const uint32_t> excluded,
                                           const SearchOptions& options);

}  // namespace embtool::search
