#!/usr/bin/env python3
"""Write the PTX embedded in a module's gpu.binary ops to files.

Usage: extract-ptx.py IN.mlir OUT_DIR

IN.mlir is the output of `lowbit-opt --lowbit-lower-to-nvvm` (format=isa, the
default; "-" reads stdin). Each #gpu.object with an `assembly` string becomes
OUT_DIR/<binary>.<chip>.ptx; the paths are printed one per line. Exits with 1
when the module holds no PTX, so that a test cannot pass on an empty module.
"""

import os
import re
import sys

BINARY = re.compile(r"gpu\.binary\s+@([\w$.-]+)")
OBJECT = re.compile(r'#gpu\.object<#nvvm\.target<([^>]*)>')
CHIP = re.compile(r'chip\s*=\s*"([^"]+)"')
ASSEMBLY = re.compile(r'\bassembly\s*=\s*"')


def read_string(text, start):
    """Decodes the MLIR string literal whose contents begin at `start`:
    printable characters as they are, others as \\XX (two hex digits), plus
    \\\\, \\", \\n and \\t. Returns (bytes, index after the closing quote)."""
    out = bytearray()
    i = start
    while i < len(text):
        c = text[i]
        if c == '"':
            return bytes(out), i + 1
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        nxt = text[i + 1:i + 3]
        if re.fullmatch(r"[0-9A-Fa-f]{2}", nxt):
            out.append(int(nxt, 16))
            i += 3
        else:
            out += {"\\": b"\\", '"': b'"', "n": b"\n",
                    "t": b"\t"}.get(text[i + 1], text[i + 1].encode())
            i += 2
    raise ValueError("unterminated string literal")


def extract(text):
    """Yields (binary name, chip, PTX bytes) for every PTX object."""
    binaries = list(BINARY.finditer(text))
    for index, binary in enumerate(binaries):
        end = binaries[index + 1].start() if index + 1 < len(binaries) \
            else len(text)
        pos = binary.end()
        while True:
            obj = OBJECT.search(text, pos, end)
            if not obj:
                break
            chip = CHIP.search(obj.group(1))
            asm = ASSEMBLY.search(text, obj.end(), end)
            nxt = OBJECT.search(text, obj.end(), end)
            if asm and (not nxt or asm.start() < nxt.start()):
                ptx, pos = read_string(text, asm.end())
                yield binary.group(1), chip.group(1) if chip else "nvptx", ptx
            else:
                pos = obj.end()


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    if argv[1] == "-":
        text = sys.stdin.read()
    else:
        with open(argv[1], encoding="utf-8") as f:
            text = f.read()
    os.makedirs(argv[2], exist_ok=True)
    written = 0
    for name, chip, ptx in extract(text):
        path = os.path.join(argv[2], "{}.{}.ptx".format(name, chip))
        with open(path, "wb") as f:
            f.write(ptx)
        print(path)
        written += 1
    if not written:
        sys.stderr.write("extract-ptx.py: no PTX (gpu.binary with an "
                         "`assembly` object) in {}\n".format(argv[1]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
