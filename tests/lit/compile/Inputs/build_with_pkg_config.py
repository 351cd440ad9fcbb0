"""Builds an example against a compiled model found through pkg-config.

usage: build_with_pkg_config.py COMPILER PACKAGE SOURCE OUTPUT

As an application's Makefile would: the compiler, the package's --cflags and
--libs (with PKG_CONFIG_PATH naming the model's directory), and the defines
the examples take (the header and create functions are named after the model).
"""
import re
import shlex
import subprocess
import sys

compiler, package, source, output = sys.argv[1:5]
flags = subprocess.run(["pkg-config", "--cflags", "--libs", package], check=True,
                       capture_output=True, text=True).stdout
identifier = re.sub(r"[^0-9A-Za-z_]", "_", package)
defines = [f'-DCNNC_MODEL_HEADER="{package}.h"',
           f"-DCNNC_MODEL_CREATE=cnnc_{identifier}_create_from_file",
           f"-DCNNC_MODEL_CREATE_FROM_MEMORY=cnnc_{identifier}_create_from_memory"]
standard = "-std=c++17" if compiler.endswith("++") else "-std=c11"
# The libraries come after the source that uses them.
subprocess.run([compiler, standard, *defines, source, *shlex.split(flags), "-o", output],
               check=True)
