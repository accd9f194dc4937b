#include "render/plot_image.hpp"

#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "base/error.hpp"
#include "render/label_placement.hpp"
#include "render/token_render.hpp"
#include "tokenize/spelling.hpp"

namespace embtool::output {
namespace {

constexpr double kWidth = 960, kHeight = 720;
constexpr double kMarginLeft = 72, kMarginRight = 24, kMarginBottom = 64, kTitleHeight = 40, kLegendRow = 20;
constexpr double kPointRadius = 4.5, kLabelSize = 13, kAxisTextSize = 12, kTitleSize = 16;
constexpr const char* kFont = "sans-serif";

struct Rgb {
  double r, g, b;
};
// Tableau's ten colours (matplotlib's default cycle): distinct for the usual colour blindness.
constexpr std::array<Rgb, 10> kPalette{{{0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
                                        {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
                                        {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133},
                                        {0.090, 0.745, 0.812}}};

// cairo draws only valid UTF-8 (anything else puts the context in an error state) and XML
// holds no control characters: each offending byte becomes U+FFFD.
std::string drawable_text(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const size_t good = tokenize::first_invalid_utf8(text).value_or(text.size());
    for (const char c : text.substr(0, good)) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7F) out += "\xEF\xBF\xBD";
      else out += c;
    }
    if (good == text.size()) break;
    out += "\xEF\xBF\xBD";
    text.remove_prefix(good + 1);
  }
  return out;
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Group names in the order they first appear, each with its colour.
std::vector<std::string> groups_of(const app::PlotAnswer& plot) {
  std::vector<std::string> groups;
  for (const app::PlotPoint& p : plot.points) {
    if (std::find(groups.begin(), groups.end(), p.group) == groups.end()) groups.push_back(p.group);
  }
  return groups;
}

// Data coordinates to pixels: one scale for both axes, so that distances and angles (an
// analogy's parallelogram) look as they are.
class Frame {
 public:
  Frame(const app::PlotAnswer& plot, const Box& area) : area_(area) {
    double min_x = std::numeric_limits<double>::infinity(), max_x = -min_x, min_y = min_x, max_y = -min_x;
    for (const app::PlotPoint& p : plot.points) {
      min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
      min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
    }
    if (plot.points.empty()) min_x = max_x = min_y = max_y = 0;
    double span = std::max(max_x - min_x, max_y - min_y);
    if (!(span > 0)) span = 1;
    // A tenth of the span as room for the labels at the edges.
    const double scale_x = area.width / ((max_x - min_x) + 0.2 * span);
    const double scale_y = area.height / ((max_y - min_y) + 0.2 * span);
    scale_ = std::min(scale_x, scale_y);
    centre_x_ = (min_x + max_x) / 2;
    centre_y_ = (min_y + max_y) / 2;
  }
  double px(double x) const { return area_.left + area_.width / 2 + (x - centre_x_) * scale_; }
  double py(double y) const { return area_.top + area_.height / 2 - (y - centre_y_) * scale_; }
  double data_x(double px) const { return centre_x_ + (px - area_.left - area_.width / 2) / scale_; }
  double data_y(double py) const { return centre_y_ - (py - area_.top - area_.height / 2) / scale_; }
  const Box& area() const { return area_; }

 private:
  Box area_;
  double scale_ = 1, centre_x_ = 0, centre_y_ = 0;
};

// Tick values 1, 2 or 5 times a power of ten apart, about five over [low, high].
std::vector<double> ticks(double low, double high) {
  const double range = high - low;
  if (!(range > 0) || !std::isfinite(range)) return {};
  const double rough = range / 5;
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  const double step = rough / power < 1.5 ? power : rough / power < 3.5 ? 2 * power : rough / power < 7.5 ? 5 * power : 10 * power;
  std::vector<double> values;
  for (double v = std::ceil(low / step) * step; v <= high && values.size() < 20; v += step) {
    values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return values;
}

class Painter {
 public:
  explicit Painter(cairo_t* cr) : cr_(cr) {}

  void set_colour(const Rgb& c, double alpha = 1) { cairo_set_source_rgba(cr_, c.r, c.g, c.b, alpha); }
  void set_font(double size, bool bold = false) {
    cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
  }
  // The text's advance width and the font's line height (ascent + descent).
  std::pair<double, double> measure(const std::string& text) {
    cairo_text_extents_t extents;
    cairo_font_extents_t font;
    cairo_text_extents(cr_, text.c_str(), &extents);
    cairo_font_extents(cr_, &font);
    return {extents.x_advance, font.ascent + font.descent};
  }
  // Text whose box's top-left corner is (left, top).
  void text_at(const std::string& text, double left, double top) {
    cairo_font_extents_t font;
    cairo_font_extents(cr_, &font);
    cairo_move_to(cr_, left, top + font.ascent);
    cairo_show_text(cr_, text.c_str());
  }
  void text_centred(const std::string& text, double centre_x, double top) {
    text_at(text, centre_x - measure(text).first / 2, top);
  }
  void line(double x1, double y1, double x2, double y2, double width) {
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, x1, y1);
    cairo_line_to(cr_, x2, y2);
    cairo_stroke(cr_);
  }
  void dot(double x, double y, double radius) {
    cairo_new_sub_path(cr_);
    cairo_arc(cr_, x, y, radius, 0, 2 * M_PI);
    cairo_fill(cr_);
  }
  // A line from (x1, y1) to (x2, y2), ending `inset` short of both points, with a head.
  void arrow(double x1, double y1, double x2, double y2, double inset) {
    const double length = std::hypot(x2 - x1, y2 - y1);
    if (length <= 2 * inset + 1) return;
    const double ux = (x2 - x1) / length, uy = (y2 - y1) / length;
    const double sx = x1 + ux * inset, sy = y1 + uy * inset, ex = x2 - ux * inset, ey = y2 - uy * inset;
    line(sx, sy, ex, ey, 1.6);
    constexpr double kHead = 10, kHalfWidth = 4.5;
    cairo_move_to(cr_, ex, ey);
    cairo_line_to(cr_, ex - ux * kHead - uy * kHalfWidth, ey - uy * kHead + ux * kHalfWidth);
    cairo_line_to(cr_, ex - ux * kHead + uy * kHalfWidth, ey - uy * kHead - ux * kHalfWidth);
    cairo_close_path(cr_);
    cairo_fill(cr_);
  }
  void rectangle(const Box& box, double width) {
    cairo_set_line_width(cr_, width);
    cairo_rectangle(cr_, box.left, box.top, box.width, box.height);
    cairo_stroke(cr_);
  }
  void fill_all(const Rgb& c) {
    set_colour(c);
    cairo_paint(cr_);
  }
  cairo_t* context() { return cr_; }

 private:
  cairo_t* cr_;
};

const Rgb kInk{0.15, 0.15, 0.15}, kGrid{0.88, 0.88, 0.88}, kWhite{1, 1, 1}, kArrow{0.35, 0.35, 0.35};

std::string axis_name(const app::PlotAnswer& plot, size_t axis) {
  if (plot.method != "pca") return fmt::format("t-SNE {}", axis + 1);
  if (axis < plot.explained_variance.size()) {
    return fmt::format("PC{}: {:.1f}% of the variance", axis + 1, 100 * plot.explained_variance[axis]);
  }
  return fmt::format("PC{}", axis + 1);
}

void draw_axes(Painter& p, const app::PlotAnswer& plot, const Frame& frame) {
  const Box& a = frame.area();
  p.set_font(kAxisTextSize);
  for (const double v : ticks(frame.data_x(a.left), frame.data_x(a.right()))) {
    const double x = frame.px(v);
    p.set_colour(kGrid);
    p.line(x, a.top, x, a.bottom(), 1);
    p.set_colour(kInk);
    p.line(x, a.bottom(), x, a.bottom() + 5, 1);
    p.text_centred(fmt::format("{:g}", v), x, a.bottom() + 8);
  }
  for (const double v : ticks(frame.data_y(a.bottom()), frame.data_y(a.top))) {
    const double y = frame.py(v);
    p.set_colour(kGrid);
    p.line(a.left, y, a.right(), y, 1);
    p.set_colour(kInk);
    p.line(a.left - 5, y, a.left, y, 1);
    const std::string text = fmt::format("{:g}", v);
    const auto [w, h] = p.measure(text);
    p.text_at(text, a.left - 8 - w, y - h / 2);
  }
  p.set_colour(kInk);
  p.rectangle(a, 1);
  p.text_centred(axis_name(plot, 0), a.left + a.width / 2, a.bottom() + 30);
  cairo_save(p.context());
  cairo_translate(p.context(), 18, a.top + a.height / 2);
  cairo_rotate(p.context(), -M_PI / 2);
  p.text_centred(axis_name(plot, 1), 0, -p.measure("X").second / 2);
  cairo_restore(p.context());
}

// One row a line at the top right: a dot in the group's colour and its name.
double legend_rows(Painter& p, const std::vector<std::string>& groups, double width) {
  if (groups.size() < 2) return 0;
  p.set_font(kAxisTextSize);
  double rows = 1, x = 0;
  for (const std::string& g : groups) {
    const double item = 18 + p.measure(drawable_text(g)).first + 16;
    if (x + item > width && x > 0) ++rows, x = 0;
    x += item;
  }
  return rows;
}

void draw_legend(Painter& p, const std::vector<std::string>& groups, double left, double top, double width) {
  if (groups.size() < 2) return;
  p.set_font(kAxisTextSize);
  double x = left, y = top;
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string name = drawable_text(groups[i]);
    const auto [w, h] = p.measure(name);
    const double item = 18 + w + 16;
    if (x + item > left + width && x > left) x = left, y += kLegendRow;
    p.set_colour(kPalette[i % kPalette.size()]);
    p.dot(x + 6, y + h / 2, kPointRadius);
    p.set_colour(kInk);
    p.text_at(name, x + 18, y);
    x += item;
  }
}

struct Drawn {
  std::vector<std::string> labels;         // as drawn (valid UTF-8)
  std::vector<LabelPlacement> placements;  // one a point
  std::vector<std::pair<double, double>> pixels;
};

Drawn draw(cairo_t* cr, const app::PlotAnswer& plot) {
  Painter p(cr);
  p.fill_all(kWhite);
  const std::vector<std::string> groups = groups_of(plot);
  const double legend_height = legend_rows(p, groups, kWidth - kMarginLeft - kMarginRight) * kLegendRow;
  const double top = kTitleHeight + legend_height + 8;
  const Frame frame(plot, {kMarginLeft, top, kWidth - kMarginLeft - kMarginRight, kHeight - top - kMarginBottom});

  p.set_colour(kInk);
  p.set_font(kTitleSize, true);
  p.text_centred(drawable_text(plot.title), kWidth / 2, 12);
  draw_legend(p, groups, kMarginLeft, kTitleHeight, kWidth - kMarginLeft - kMarginRight);
  draw_axes(p, plot, frame);

  Drawn drawn;
  std::vector<LabelRequest> requests;
  p.set_font(kLabelSize);
  for (const app::PlotPoint& point : plot.points) {
    drawn.pixels.emplace_back(frame.px(point.x), frame.py(point.y));
    drawn.labels.push_back(drawable_text(shown(point.row.word, point.row.token)));
    const auto [w, h] = p.measure(drawn.labels.back());
    requests.push_back({drawn.pixels.back().first, drawn.pixels.back().second, w, h});
  }
  drawn.placements = place_labels(requests, {.bounds = frame.area(), .point_radius = kPointRadius});

  p.set_colour(kArrow);
  for (const app::PlotArrow& a : plot.arrows) {
    if (a.from >= plot.points.size() || a.to >= plot.points.size()) continue;
    const auto [x1, y1] = drawn.pixels[a.from];
    const auto [x2, y2] = drawn.pixels[a.to];
    p.arrow(x1, y1, x2, y2, kPointRadius + 2);
  }
  for (size_t i = 0; i < plot.points.size(); ++i) {
    const size_t group = static_cast<size_t>(std::find(groups.begin(), groups.end(), plot.points[i].group) - groups.begin());
    p.set_colour(kPalette[group % kPalette.size()], 0.9);
    p.dot(drawn.pixels[i].first, drawn.pixels[i].second, kPointRadius);
  }
  for (size_t i = 0; i < plot.points.size(); ++i) {
    const LabelPlacement& placement = drawn.placements[i];
    if (!placement.box) continue;
    const Box& box = *placement.box;
    if (placement.needs_leader) {
      const double bx = std::clamp(drawn.pixels[i].first, box.left, box.right());
      const double by = std::clamp(drawn.pixels[i].second, box.top, box.bottom());
      p.set_colour(kArrow, 0.6);
      p.line(drawn.pixels[i].first, drawn.pixels[i].second, bx, by, 0.7);
    }
    p.set_colour(kInk);
    p.text_at(drawn.labels[i], box.left, box.top);
  }
  return drawn;
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void check(cairo_status_t status, std::string_view what) {
  if (status != CAIRO_STATUS_SUCCESS) {
    throw Error(ErrorKind::internal, fmt::format("cannot draw the plot ({}): {}", what, cairo_status_to_string(status)));
  }
}

using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using Context = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

// Every word as text over its point, invisible, and the title, inside cairo's SVG.
std::string with_text_layer(std::string svg, const app::PlotAnswer& plot, const Drawn& drawn) {
  std::string layer = "<g id=\"words\" opacity=\"0\" font-family=\"sans-serif\" font-size=\"13\">\n";
  for (size_t i = 0; i < drawn.labels.size(); ++i) {
    const auto& placement = drawn.placements[i];
    const double x = placement.box ? placement.box->left : drawn.pixels[i].first;
    const double y = placement.box ? placement.box->bottom() : drawn.pixels[i].second;
    layer += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" data-id=\"{}\" data-group=\"{}\">{}</text>\n", x, y,
                         plot.points[i].row.id, xml_escaped(drawable_text(plot.points[i].group)),
                         xml_escaped(drawn.labels[i]));
  }
  layer += "</g>\n";
  const size_t end = svg.rfind("</svg>");
  if (end == std::string::npos) throw Error(ErrorKind::internal, "cairo's SVG has no closing </svg>");
  svg.insert(end, layer);
  const size_t open = svg.find("<svg");
  const size_t open_end = open == std::string::npos ? open : svg.find('>', open);
  if (open_end == std::string::npos) throw Error(ErrorKind::internal, "cairo's SVG has no <svg> element");
  svg.insert(open_end + 1, fmt::format("\n<title>{}</title>", xml_escaped(drawable_text(plot.title))));
  return svg;
}

std::string draw_svg(const app::PlotAnswer& plot) {
  std::string bytes;
  Surface surface(cairo_svg_surface_create_for_stream(append_bytes, &bytes, kWidth, kHeight), cairo_surface_destroy);
  check(cairo_surface_status(surface.get()), "SVG surface");
  Drawn drawn;
  {
    Context cr(cairo_create(surface.get()), cairo_destroy);
    drawn = draw(cr.get(), plot);
    check(cairo_status(cr.get()), "drawing");
  }
  cairo_surface_finish(surface.get());
  check(cairo_surface_status(surface.get()), "SVG output");
  return with_text_layer(std::move(bytes), plot, drawn);
}

std::string draw_png(const app::PlotAnswer& plot) {
  Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(kWidth), static_cast<int>(kHeight)),
                  cairo_surface_destroy);
  check(cairo_surface_status(surface.get()), "image surface");
  {
    Context cr(cairo_create(surface.get()), cairo_destroy);
    draw(cr.get(), plot);
    check(cairo_status(cr.get()), "drawing");
  }
  std::string bytes;
  check(cairo_surface_write_to_png_stream(surface.get(), append_bytes, &bytes), "PNG output");
  return bytes;
}

}  // namespace

std::optional<ImageFormat> image_format_for(std::string_view path) {
  const auto ends_with = [&](std::string_view tail) {
    if (path.size() <= tail.size()) return false;
    const std::string_view end = path.substr(path.size() - tail.size());
    return std::equal(end.begin(), end.end(), tail.begin(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  };
  if (ends_with(".svg")) return ImageFormat::svg;
  if (ends_with(".png")) return ImageFormat::png;
  return std::nullopt;
}

std::string draw_plot(const app::PlotAnswer& plot, ImageFormat format) {
  return format == ImageFormat::svg ? draw_svg(plot) : draw_png(plot);
}

}  // namespace embtool::output
