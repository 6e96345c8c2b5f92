//===- PrecisionPolicy.h - per-matmul choice of scheme ----------*- C++ -*-===//
//
// Mixed precision: which scheme each matmul's weight gets, or whether it
// stays in float, decided by rules on the matmul's name or position.
//
//   { "version": 1,
//     "rules": [
//       { "name": "lm_head", "exclude": true },
//       { "regex": "layers\\.[0-9]+\\.mlp\\.down", "scheme":
//           { "format": "i8", "granularity": "channel" } },
//       { "position": "first", "scheme": { "group_size": 32 } } ] }
//
// The first rule that matches a matmul decides; matmuls no rule matches get
// the pass's own scheme. A rule's `scheme` fields override the pass options
// field by field.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PRECISIONPOLICY_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PRECISIONPOLICY_H

#include "SchemeOptions.h"

#include "llvm/Support/Regex.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::lowbit {

/// The textual fields of a scheme, any of which a rule may leave out.
struct SchemeFields {
  std::optional<std::string> format;
  std::optional<std::string> granularity;
  std::optional<int64_t> groupSize;
  std::optional<bool> symmetric;
  std::optional<std::string> scaleType;
};

/// One rule of a policy.
struct PolicyRule {
  /// How the rule was written, for diagnostics ("rule 2 (name 'lm_head')").
  std::string description;
  std::optional<std::string> name;
  std::shared_ptr<llvm::Regex> regex;
  /// 0-based position among the quantizable matmuls; -1 means the last.
  std::optional<int64_t> position;
  bool exclude = false;
  SchemeFields scheme;
};

/// An ordered list of rules.
struct PrecisionPolicy {
  std::vector<PolicyRule> rules;

  /// Index of the first rule matching a matmul with these names (its
  /// location name and its weight's name; either may be empty) at
  /// `position` of `count`, or nullopt.
  std::optional<size_t> match(StringRef opName, StringRef weightName,
                              int64_t position, int64_t count) const;

  /// Whether `rule` selects a matmul with these names at `position` of
  /// `count` (the position is not checked when `ignorePosition`).
  static bool matchesRule(const PolicyRule &rule, StringRef opName,
                          StringRef weightName, int64_t position, int64_t count,
                          bool ignorePosition = false);
};

/// Reads a policy file; on failure sets `error` naming the file and the
/// offending rule or key.
FailureOr<PrecisionPolicy> readPrecisionPolicy(StringRef path,
                                               std::string &error);

/// The built-in presets: "llm" keeps the last matmul (the output head) in
/// float, "llm-int8-head" quantizes it to int8 per channel instead. Returns
/// failure for an unknown name.
FailureOr<PrecisionPolicy> getPresetPolicy(StringRef preset);

/// Applies `fields` over `base`, validating the result like the pass
/// options. On failure sets `error`.
FailureOr<WeightSchemeRequest>
applySchemeFields(MLIRContext *ctx, const WeightSchemeRequest &base,
                  const SchemeFields &fields, std::string &error);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PRECISIONPOLICY_H
