#!/usr/bin/python3
"""Writes scripts/quality/data/digits.csv.gz from the copy of the digits data that scikit-learn ships
(Debian: apt-get install python3-sklearn). id, label (d0..d9), then the 64 pixel counts (0-16) of each
8x8 image, in scikit-learn's row order."""
import gzip, os, sys
from sklearn.datasets import load_digits

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")
d = load_digits()
with gzip.open(out, "wt") as f:
    f.write("id,label," + ",".join(f"p{i}" for i in range(64)) + "\n")
    for i, (x, y) in enumerate(zip(d.data, d.target)):
        f.write(f"dg-{i:05d},d{y}," + ",".join(str(int(v)) for v in x) + "\n")
