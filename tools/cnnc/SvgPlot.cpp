//===- SvgPlot.cpp - the plots of cnnc report, as SVG text ----------------===//
#include "SvgPlot.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cnnc {
namespace {

constexpr double kWidth = 760, kHeight = 480;
constexpr double kLeft = 80, kRight = 200, kTop = 40, kBottom = 90; // margins
constexpr const char *kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

const char *color(size_t index) { return kColors[index % std::size(kColors)]; }

/// Text as SVG (XML) character data or an attribute value.
std::string escaped(const std::string &text) {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::printHTMLEscaped(text, os);
  return out;
}

/// Whether a value has a place on a log axis.
bool placeable(double value) { return value > 0 && std::isfinite(value); }

/// A logarithmic axis over whole decades covering [lo, hi].
struct LogAxis {
  int first = 0, last = 1; // decades
  LogAxis(double lo, double hi) {
    first = static_cast<int>(std::floor(std::log10(lo)));
    last = std::max(first + 1, static_cast<int>(std::ceil(std::log10(hi))));
  }
  /// 0 at the first decade, 1 at the last.
  double fraction(double value) const {
    return (std::log10(value) - first) / static_cast<double>(last - first);
  }
};

/// 1e9 → "1e9", 1 → "1", 0.001 → "1e-3".
std::string decade(int exponent) {
  return exponent == 0 ? "1" : exponent == 1 ? "10" : fmt::format("1e{}", exponent);
}

std::string header(const std::string &title) {
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
                     "viewBox=\"0 0 {} {}\" font-family=\"sans-serif\" font-size=\"12\">\n"
                     "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
                     "<text x=\"{}\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">{}</text>\n",
                     kWidth, kHeight, kWidth, kHeight, (kLeft + kWidth - kRight) / 2,
                     escaped(title));
}

double plotWidth() { return kWidth - kLeft - kRight; }
double plotHeight() { return kHeight - kTop - kBottom; }

/// The vertical log axis: gridlines, decade labels and its title.
std::string valueAxis(const LogAxis &axis, const std::string &label) {
  std::string svg;
  for (int d = axis.first; d <= axis.last; ++d) {
    double y = kTop + plotHeight() * (1 - axis.fraction(std::pow(10.0, d)));
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n"
                       "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                       kLeft, y, kLeft + plotWidth(), y, kLeft - 6, y + 4, decade(d));
  }
  svg += fmt::format("<text transform=\"translate(18 {}) rotate(-90)\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     kTop + plotHeight() / 2, escaped(label));
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                     "stroke=\"black\"/>\n",
                     kLeft, kTop, plotWidth(), plotHeight());
  return svg;
}

std::string legend(const std::vector<std::string> &labels) {
  std::string svg;
  for (size_t i = 0; i < labels.size(); ++i) {
    double y = kTop + 10 + 18 * static_cast<double>(i);
    svg += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\"/>\n"
                       "<text x=\"{}\" y=\"{:.1f}\">{}</text>\n",
                       kWidth - kRight + 16, y, color(i), kWidth - kRight + 34, y + 10,
                       escaped(labels[i]));
  }
  return svg;
}

} // namespace

std::string logLogPlot(const std::string &title, const std::string &xLabel,
                       const std::string &yLabel, const std::vector<PlotSeries> &series) {
  double xlo = std::numeric_limits<double>::max(), xhi = 0, ylo = xlo, yhi = 0;
  for (const PlotSeries &s : series)
    for (auto [x, y] : s.points)
      if (placeable(x) && placeable(y)) {
        xlo = std::min(xlo, x), xhi = std::max(xhi, x);
        ylo = std::min(ylo, y), yhi = std::max(yhi, y);
      }
  if (xhi == 0) // nothing to place
    xlo = ylo = 1, xhi = yhi = 10;
  LogAxis xAxis(xlo, xhi), yAxis(ylo, yhi);
  auto px = [&](double x) { return kLeft + plotWidth() * xAxis.fraction(x); };
  auto py = [&](double y) { return kTop + plotHeight() * (1 - yAxis.fraction(y)); };

  std::string svg = header(title) + valueAxis(yAxis, yLabel);
  for (int d = xAxis.first; d <= xAxis.last; ++d) {
    double x = px(std::pow(10.0, d));
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#ddd\"/>\n"
                       "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                       x, kTop, x, kTop + plotHeight(), x, kTop + plotHeight() + 16, decade(d));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     kLeft + plotWidth() / 2, kHeight - 18, escaped(xLabel));
  std::vector<std::string> labels;
  for (size_t i = 0; i < series.size(); ++i) {
    const PlotSeries &s = series[i];
    labels.push_back(s.label);
    if (s.line) {
      std::string points;
      for (auto [x, y] : s.points)
        if (placeable(x) && placeable(y))
          points += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
      svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" "
                         "stroke-width=\"2\"/>\n",
                         points, color(i));
      continue;
    }
    for (auto [x, y] : s.points)
      if (placeable(x) && placeable(y))
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\" "
                           "fill-opacity=\"0.7\"/>\n",
                           px(x), py(y), color(i));
  }
  return svg + legend(labels) + "</svg>\n";
}

std::string logBarChart(const std::string &title, const std::string &valueLabel,
                        const std::vector<std::string> &groups,
                        const std::vector<std::string> &seriesLabels,
                        const std::vector<std::vector<double>> &values) {
  double lo = std::numeric_limits<double>::max(), hi = 0;
  for (const std::vector<double> &row : values)
    for (double v : row)
      if (placeable(v))
        lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi == 0)
    lo = 1, hi = 10;
  LogAxis axis(lo, hi);
  std::string svg = header(title) + valueAxis(axis, valueLabel);
  double groupWidth = plotWidth() / static_cast<double>(std::max<size_t>(groups.size(), 1));
  double barWidth = groupWidth * 0.8 / static_cast<double>(std::max<size_t>(values.size(), 1));
  double base = kTop + plotHeight();
  for (size_t g = 0; g < groups.size(); ++g) {
    double left = kLeft + groupWidth * static_cast<double>(g) + groupWidth * 0.1;
    for (size_t s = 0; s < values.size(); ++s) {
      if (!placeable(values[s][g]))
        continue; // no bar: a log axis has no place for it
      double top = kTop + plotHeight() * (1 - axis.fraction(values[s][g]));
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                         "fill=\"{}\"/>\n",
                         left + barWidth * static_cast<double>(s), top, barWidth, base - top,
                         color(s));
    }
    double middle = left + groupWidth * 0.4;
    svg += fmt::format("<text transform=\"translate({:.1f} {}) rotate(30)\">{}</text>\n", middle,
                       base + 12, escaped(groups[g]));
  }
  return svg + legend(seriesLabels) + "</svg>\n";
}

} // namespace cnnc
