# -*- Python -*-
# lit configuration that runs lowbit's GoogleTest binaries (unittests/),
# one lit test per GoogleTest case.

import os

import lit.formats

config.name = "LOWBIT-Unit"
config.suffixes = []
config.test_source_root = config.lowbit_unittests_dir
config.test_exec_root = config.lowbit_unittests_dir
config.test_format = lit.formats.GoogleTest(".", "Tests")
