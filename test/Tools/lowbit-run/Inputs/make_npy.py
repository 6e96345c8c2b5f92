#!/usr/bin/env python3
"""Writes and prints NumPy .npy files with the standard library only.

The lowbit-run tests use it instead of numpy, which is not installed:

  make_npy.py OUT.npy --dtype=f4 --shape=2x3 --values=1,2,3,4,5,6
  make_npy.py OUT.npy --dtype=f4 --shape=64x16 --random=7 --low=-1 --high=1
  make_npy.py --show FILE.npy          # "float32 (2, 3)" then the values

--shape takes sizes joined by 'x' ("" for a 0-d array). --values repeats a
single value to fill the shape. --random draws from random.Random(SEED):
uniform floats in [low, high), integers in [low, high] for integer dtypes.
Floats are rounded to the dtype as numpy would (round to nearest even).

Malformed files for the error tests: --fortran sets fortran_order True,
--truncate=N drops the last N bytes, --version=2 or 3 writes those versions.

It is also a module: read_npy() and write_npy() give (dtype, shape, values)
with values a flat list of Python numbers in C order.
"""

import argparse
import math
import random
import struct
import sys

# dtype -> (descr, struct format, numpy name)
DTYPES = {
    "f2": ("<f2", "e", "float16"),
    "f4": ("<f4", "f", "float32"),
    "f8": ("<f8", "d", "float64"),
    "i1": ("|i1", "b", "int8"),
    "u1": ("|u1", "B", "uint8"),
    "i2": ("<i2", "h", "int16"),
    "i4": ("<i4", "i", "int32"),
    "i8": ("<i8", "q", "int64"),
    "b1": ("|b1", "?", "bool"),
}
BY_DESCR = {descr: key for key, (descr, _, _) in DTYPES.items()}
BY_DESCR["<i1"], BY_DESCR["<u1"], BY_DESCR["<b1"] = "i1", "u1", "b1"


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def shape_repr(shape):
    return repr(tuple(shape))


def encode(dtype, shape, values, fortran=False, version=1):
    """The bytes numpy.save writes (numpy >= 1.24 header layout)."""
    descr, fmt, _ = DTYPES[dtype]
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_repr(shape))
    if shape:
        header += " " * (21 - len(repr(shape[0])))
    length_fmt = "<H" if version == 1 else "<I"
    prefix = 6 + 2 + struct.calcsize(length_fmt)
    pad = 64 - (prefix + len(header) + 1) % 64
    header = (header + " " * pad + "\n").encode(
        "utf8" if version == 3 else "latin1")
    out = b"\x93NUMPY" + bytes([version, 0])
    out += struct.pack(length_fmt, len(header)) + header
    out += struct.pack("<%d%s" % (len(values), fmt), *values)
    return out


def write_npy(path, dtype, shape, values, fortran=False, version=1,
              truncate=0):
    data = encode(dtype, list(shape), list(values), fortran, version)
    with open(path, "wb") as f:
        f.write(data[:len(data) - truncate])


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError("%s: bad magic" % path)
    version = data[6]
    if version == 1:
        (hlen,), start = struct.unpack("<H", data[8:10]), 10
    else:
        (hlen,), start = struct.unpack("<I", data[8:12]), 12
    header = eval(data[start:start + hlen].decode("utf8"))  # a dict literal
    if header["fortran_order"]:
        raise ValueError("%s: fortran order" % path)
    dtype = BY_DESCR[header["descr"]]
    shape = list(header["shape"])
    fmt = DTYPES[dtype][1]
    n = numel(shape)
    body = data[start + hlen:]
    if len(body) != n * struct.calcsize(fmt):
        raise ValueError("%s: %d data bytes for shape %s" %
                         (path, len(body), shape_repr(shape)))
    return dtype, shape, list(struct.unpack("<%d%s" % (n, fmt), body))


def fmt_value(dtype, v):
    """Shortest decimal that reads back as the same value of `dtype`."""
    if dtype == "b1":
        return "True" if v else "False"
    if dtype[0] in "iu":
        return str(v)
    if math.isnan(v) or math.isinf(v):
        return repr(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    fmt = DTYPES[dtype][1]
    for digits in range(1, 18):
        s = "%.*g" % (digits, v)
        if struct.unpack(fmt, struct.pack(fmt, float(s)))[0] == v:
            return s
    return repr(v)


def round_to(dtype, v):
    fmt = DTYPES[dtype][1]
    return struct.unpack(fmt, struct.pack(fmt, v))[0]


def parse_value(dtype, text):
    text = text.strip()
    if dtype == "b1":
        return text in ("1", "True", "true")
    if dtype[0] in "iu":
        return int(text)
    return round_to(dtype, float(text))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path")
    p.add_argument("--show", action="store_true",
                   help="print the dtype, shape and values of PATH")
    p.add_argument("--dtype", choices=sorted(DTYPES), default="f4")
    p.add_argument("--shape", default=None, help="e.g. 2x3; '' for 0-d")
    p.add_argument("--values", help="comma-separated values")
    p.add_argument("--random", type=int, metavar="SEED")
    p.add_argument("--low", type=float, default=-1.0)
    p.add_argument("--high", type=float, default=1.0)
    p.add_argument("--fortran", action="store_true")
    p.add_argument("--truncate", type=int, default=0, metavar="N")
    p.add_argument("--version", type=int, choices=(1, 2, 3), default=1)
    args = p.parse_args()

    if args.show:
        dtype, shape, values = read_npy(args.path)
        print(DTYPES[dtype][2], shape_repr(shape))
        print("[" + ", ".join(fmt_value(dtype, v) for v in values) + "]")
        return 0

    if args.shape is None:
        p.error("--shape is required")
    shape = [int(d) for d in args.shape.split("x")] if args.shape else []
    n = numel(shape)
    if args.random is not None:
        rng = random.Random(args.random)
        if args.dtype == "b1":
            values = [rng.random() < 0.5 for _ in range(n)]
        elif args.dtype[0] in "iu":
            values = [rng.randint(int(args.low), int(args.high))
                      for _ in range(n)]
        else:
            values = [round_to(args.dtype, rng.uniform(args.low, args.high))
                      for _ in range(n)]
    elif args.values is not None:
        values = [parse_value(args.dtype, v) for v in args.values.split(",")]
        if len(values) == 1:
            values *= n
        if len(values) != n:
            p.error("%d values for shape %s" % (len(values), shape_repr(shape)))
    else:
        p.error("give --values or --random")
    write_npy(args.path, args.dtype, shape, values, args.fortran,
              args.version, args.truncate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
