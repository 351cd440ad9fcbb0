//===- Median.h - the median of repeated timings -------------*- C++ -*-===//
//
// Every timing cnnc reports or decides by is a median over repeated runs
// (the kernel timer's candidates, `cnnc bench`, the tune's in-model check):
// one definition, so that they all take the same one of an even count.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_SUPPORT_MEDIAN_H
#define CNNC_SUPPORT_MEDIAN_H

#include <algorithm>
#include <vector>

namespace cnnc {

/// The median of `values` (the upper one of an even count); 0 if there are none.
inline double medianOf(std::vector<double> values) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

} // namespace cnnc

#endif // CNNC_SUPPORT_MEDIAN_H
