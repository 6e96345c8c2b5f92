//===- SampleDir.cpp - directories of sample inputs -----------------------===//

#include "lowbit/IO/SampleDir.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

bool lowbit::io::listSampleDir(const std::string &dir, size_t numArgs,
                               const std::string &option,
                               std::vector<std::vector<std::string>> &samples,
                               std::string &error) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    error = option + " '" + dir + "' is not a directory";
    return false;
  }
  std::vector<std::string> subdirs, files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code typeError;
    if (it->is_directory(typeError))
      subdirs.push_back(it->path().string());
    else if (it->path().extension() == ".npy")
      files.push_back(it->path().string());
  }
  if (ec) {
    error = "cannot list " + option + " '" + dir + "': " + ec.message();
    return false;
  }
  std::sort(subdirs.begin(), subdirs.end());
  std::sort(files.begin(), files.end());
  for (const std::string &sub : subdirs) {
    std::vector<std::string> sample;
    for (size_t i = 0; i < numArgs; ++i) {
      std::string name = "input_" + std::to_string(i) + ".npy";
      fs::path path = fs::path(sub) / name;
      if (!fs::exists(path, ec)) {
        error = "sample '" + sub + "' has no '" + name + "' (the entry takes " +
                std::to_string(numArgs) + " argument(s))";
        return false;
      }
      sample.push_back(path.string());
    }
    samples.push_back(std::move(sample));
  }
  if (subdirs.empty() && !files.empty()) {
    if (numArgs != 1) {
      error = option + " '" + dir + "' holds .npy files but the entry takes " +
              std::to_string(numArgs) +
              " arguments; put each sample in a subdirectory as "
              "input_0.npy, input_1.npy, ...";
      return false;
    }
    for (const std::string &file : files)
      samples.push_back({file});
  }
  if (samples.empty()) {
    error = option + " '" + dir +
            "' holds no samples (no subdirectory and no .npy file)";
    return false;
  }
  return true;
}
