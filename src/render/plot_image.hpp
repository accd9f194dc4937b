// A plot answer drawn as an image, through cairo: the points coloured by group, each labelled
// (render/label_placement.hpp), an analogy's arrows, axes saying what each one is (for PCA the
// share of variance it explains), a legend when there are several groups, and a title. The
// SVG also holds every word as text (invisible, over its point), so that a search or a screen
// reader finds each word: cairo draws glyphs as outlines.
#pragma once

#include <string>
#include <string_view>

#include "app/answers.hpp"

namespace embtool::output {

enum class ImageFormat { svg, png };

// The format a file name asks for (".svg", ".png", any case); nullopt for anything else.
std::optional<ImageFormat> image_format_for(std::string_view path);

// The image's bytes. An error of kind internal if cairo fails.
std::string draw_plot(const app::PlotAnswer& plot, ImageFormat format);

}  // namespace embtool::output
