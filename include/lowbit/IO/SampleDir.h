//===- SampleDir.h - directories of sample inputs ---------------*- C++ -*-===//
//
// The layout in which lowbit's tools take many samples of a model's inputs
// (lowbit-run --calibrate, lowbit-report --samples): one subdirectory per
// sample holding input_<i>.npy for each argument, or, for a one-argument
// function, the .npy files directly in the directory.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IO_SAMPLEDIR_H
#define LOWBIT_IO_SAMPLEDIR_H

#include <string>
#include <vector>

namespace lowbit::io {

/// Lists the samples of `dir` (each a path per argument), sorted by name.
/// `option` names the command-line option in messages (e.g.
/// "--calibrate"). Returns false and sets `error` when `dir` is not a
/// directory, holds no sample, a sample lacks a file, or loose .npy files
/// are given for a function of several arguments.
bool listSampleDir(const std::string &dir, size_t numArgs,
                   const std::string &option,
                   std::vector<std::vector<std::string>> &samples,
                   std::string &error);

} // namespace lowbit::io

#endif // LOWBIT_IO_SAMPLEDIR_H
