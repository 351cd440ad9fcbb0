//===- SvgPlot.h - the plots of cnnc report, as SVG text --------*- C++ -*-===//
//
// Two kinds of plot, both on logarithmic axes (a model's layers and a
// report's models span orders of magnitude): points and lines on log-log
// axes (a roofline with each layer placed on it), and grouped bars on a log
// value axis (latency or energy per model and device). Plain SVG 1.1, no
// scripts or external resources, so a Markdown viewer shows it inline.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_SVGPLOT_H
#define CNNC_TOOLS_SVGPLOT_H

#include <string>
#include <utility>
#include <vector>

namespace cnnc {

/// Points (dots), or a polyline through them.
struct PlotSeries {
  std::string label;
  std::vector<std::pair<double, double>> points; // (x, y), both > 0
  bool line = false;
};

/// A log-log plot of `series`, each in its own color, with a legend.
std::string logLogPlot(const std::string &title, const std::string &xLabel,
                       const std::string &yLabel, const std::vector<PlotSeries> &series);

/// Bars of `values[s][g]` (> 0) for each series s within each group g, on a
/// log value axis.
std::string logBarChart(const std::string &title, const std::string &valueLabel,
                        const std::vector<std::string> &groups,
                        const std::vector<std::string> &seriesLabels,
                        const std::vector<std::vector<double>> &values);

} // namespace cnnc

#endif // CNNC_TOOLS_SVGPLOT_H
