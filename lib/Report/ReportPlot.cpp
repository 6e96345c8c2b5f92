//===- ReportPlot.cpp - the per-layer report as an SVG bar chart ----------===//
//
// One group of two bars per layer (isolated and end-to-end output SQNR in
// dB), a horizontal line per output's SQNR, gridlines every 10 dB. Plain SVG
// 1.1 that any browser shows; no plotting library.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Report/LayerReport.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace lowbit::report;

/// Escapes text for an SVG text node or attribute.
static std::string xml(const std::string &text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
    case '<':
      escaped += "&lt;";
      break;
    case '>':
      escaped += "&gt;";
      break;
    case '&':
      escaped += "&amp;";
      break;
    case '"':
      escaped += "&quot;";
      break;
    default:
      escaped += c;
    }
  }
  return escaped;
}

std::string lowbit::report::formatSvg(const LayerReport &report) {
  // An exact layer (+inf dB) is drawn to the top of the axis and labelled;
  // the axis goes below 0 dB when a layer's error exceeds its signal.
  double top = 10.0, bottom = 0.0;
  auto consider = [&](double value) {
    if (std::isfinite(value)) {
      top = std::max(top, value);
      bottom = std::min(bottom, value);
    }
  };
  for (const LayerResult &layer : report.layers) {
    consider(layer.isolated.sqnrDb);
    consider(layer.endToEnd.sqnrDb);
  }
  for (const OutputResult &output : report.outputs)
    consider(output.error.sqnrDb);
  top = 10.0 * std::ceil(top / 10.0 + 0.05);
  bottom = 10.0 * std::floor(bottom / 10.0);

  const double left = 60, right = 170, plotTop = 40, plotHeight = 260;
  size_t n = std::max<size_t>(report.layers.size(), 1);
  // Groups fill a 640-pixel-wide chart, and grow it beyond 8 layers.
  const double group = std::max(56.0, (640.0 - left - right) / double(n));
  const double bar = 20;
  double width = left + group * double(n) + right;
  double height = plotTop + plotHeight + 110;
  auto y = [&](double db) {
    double clamped = std::clamp(std::isnan(db) ? 0.0 : db, bottom, top);
    return plotTop + plotHeight * (top - clamped) / (top - bottom);
  };

  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n",
      width, height);
  os << "<title>lowbit-report: SQNR per layer</title>\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << llvm::format("<text x=\"%.0f\" y=\"20\" font-size=\"13\">Output "
                     "SQNR per layer (dB, higher is better): ",
                     left)
     << xml(report.pipeline) << "</text>\n";
  // Grid and axis labels.
  for (double db = bottom; db <= top + 1e-9; db += 10) {
    os << llvm::format("<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"#ddd\"/>\n",
                       left, width - right, y(db), y(db));
    os << llvm::format("<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.0f"
                       "</text>\n",
                       left - 6, y(db) + 4, db);
  }
  os << llvm::format("<text transform=\"translate(16,%.0f) rotate(-90)\" "
                     "text-anchor=\"middle\">SQNR (dB)</text>\n",
                     plotTop + plotHeight / 2);
  // Bars.
  const char *colors[2] = {"#4e79a7", "#f28e2b"};
  for (size_t i = 0; i < report.layers.size(); ++i) {
    const LayerResult &layer = report.layers[i];
    double x0 = left + group * double(i) + (group - 2 * bar) / 2;
    double values[2] = {layer.isolated.sqnrDb, layer.endToEnd.sqnrDb};
    for (int k = 0; k < 2; ++k) {
      double x = x0 + bar * k;
      // From the 0 dB line up (or down, below 0 dB) to the value.
      double from = y(0.0), to = y(values[k]);
      os << llvm::format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" "
                         "height=\"%.1f\" fill=\"%s\"><title>",
                         x, std::min(from, to), bar - 2, std::abs(to - from),
                         colors[k])
         << xml(layer.info.name) << (k ? " end to end: " : " isolated: ")
         << formatSqnr(values[k]) << " dB</title></rect>\n";
      if (!std::isfinite(values[k]))
        os << llvm::format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                           "font-size=\"9\">",
                           x + bar / 2 - 1,
                           values[k] < 0 ? plotTop + plotHeight + 10
                                         : plotTop - 3)
           << formatSqnr(values[k]) << "</text>\n";
    }
    double labelX = left + group * double(i) + group / 2;
    os << llvm::format("<text transform=\"translate(%.1f,%.1f) rotate(40)\" "
                       "font-size=\"10\">",
                       labelX - 4, plotTop + plotHeight + 12)
       << xml(layer.info.name) << "</text>\n";
  }
  // Outputs as dashed lines.
  for (const OutputResult &output : report.outputs) {
    if (!std::isfinite(output.error.sqnrDb))
      continue;
    double yy = y(output.error.sqnrDb);
    os << llvm::format("<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"#e15759\" stroke-dasharray=\"5,3\"/>\n",
                       left, width - right, yy, yy);
    os << llvm::format("<text x=\"%.0f\" y=\"%.1f\" fill=\"#e15759\">",
                       width - right + 4, yy + 4)
       << xml(output.name) << ": " << formatSqnr(output.error.sqnrDb)
       << " dB</text>\n";
  }
  // Legend.
  double legendY = plotTop + plotHeight + 80;
  const char *labels[2] = {"isolated (float inputs)",
                           "end to end (quantized model)"};
  for (int k = 0; k < 2; ++k) {
    double x = left + 190.0 * k;
    os << llvm::format("<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" "
                       "height=\"12\" fill=\"%s\"/>\n",
                       x, legendY, colors[k]);
    os << llvm::format("<text x=\"%.0f\" y=\"%.0f\">%s</text>\n", x + 16,
                       legendY + 10, labels[k]);
  }
  os << llvm::format("<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" "
                     "stroke=\"#e15759\" stroke-dasharray=\"5,3\"/>\n",
                     left + 380, left + 400, legendY + 6, legendY + 6);
  os << llvm::format("<text x=\"%.0f\" y=\"%.0f\">model output</text>\n",
                     left + 404, legendY + 10);
  os << "</svg>\n";
  return text;
}
