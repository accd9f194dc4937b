// The plot images: an SVG naming every word (escaped for XML, whatever its bytes) and a PNG.
#include <catch2/catch.hpp>

#include <cstdint>

#include "render/plot_image.hpp"

using namespace embtool;
using namespace embtool::output;

namespace {

app::PlotAnswer sample_plot() {
  app::PlotAnswer plot;
  plot.method = "pca";
  plot.model = "toy.bin";
  plot.title = "toy.bin: PCA of 4 words";
  plot.explained_variance = {0.6, 0.3};
  const char* words[] = {"king", "queen", "fish & chips", "caf\xe9<"};  // an ampersand; Latin-1 bytes
  for (int i = 0; i < 4; ++i) {
    app::PlotPoint p;
    p.row.word = words[i];
    p.row.id = static_cast<uint32_t>(i);
    p.group = i < 2 ? "royal" : "food";
    p.x = i * 0.5;
    p.y = (i % 2) * 1.0;
    plot.points.push_back(p);
  }
  plot.arrows.push_back({0, 1});
  return plot;
}

}  // namespace

TEST_CASE("the SVG holds the title and every word as text, escaped", "[render][plot]") {
  const std::string svg = draw_plot(sample_plot(), ImageFormat::svg);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.rfind("</svg>") != std::string::npos);
  CHECK(svg.find("<title>toy.bin: PCA of 4 words</title>") != std::string::npos);
  CHECK(svg.find(">king</text>") != std::string::npos);
  CHECK(svg.find(">queen</text>") != std::string::npos);
  CHECK(svg.find(">fish &amp; chips</text>") != std::string::npos);
  CHECK(svg.find(">caf\xEF\xBF\xBD&lt;</text>") != std::string::npos);  // invalid UTF-8 -> U+FFFD
  CHECK(svg.find("data-group=\"food\"") != std::string::npos);
}

TEST_CASE("the PNG is a 960 x 720 PNG", "[render][plot]") {
  const std::string png = draw_plot(sample_plot(), ImageFormat::png);
  REQUIRE(png.size() > 24);
  CHECK(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const auto be32 = [&](size_t at) {
    return (uint32_t{static_cast<uint8_t>(png[at])} << 24) | (uint32_t{static_cast<uint8_t>(png[at + 1])} << 16) |
           (uint32_t{static_cast<uint8_t>(png[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(png[at + 3])};
  };
  CHECK(png.substr(12, 4) == "IHDR");
  CHECK(be32(16) == 960);
  CHECK(be32(20) == 720);
}

TEST_CASE("image formats come from the file name's extension, in any case", "[render][plot]") {
  CHECK(image_format_for("p.svg") == ImageFormat::svg);
  CHECK(image_format_for("dir/P.PNG") == ImageFormat::png);
  CHECK_FALSE(image_format_for("p.jpg"));
  CHECK_FALSE(image_format_for(".svg"));
}

TEST_CASE("a plot of one point, or of points on one spot, still draws", "[render][plot]") {
  app::PlotAnswer plot = sample_plot();
  for (auto& p : plot.points) p.x = p.y = 0;
  CHECK(draw_plot(plot, ImageFormat::svg).find(">king</text>") != std::string::npos);
  plot.points.resize(1);
  CHECK(draw_plot(plot, ImageFormat::png).size() > 100);
}
