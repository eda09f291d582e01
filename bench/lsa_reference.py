"""Reference for bench/lsa_bench.ts: scikit-learn's TF-IDF + TruncatedSVD + normalize.

TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words=..., min_df=2) fitted on the
training descriptions, TruncatedSVD(768, random_state=42) on them, then every description is
transformed, projected and L2-normalised: the same work as LsaEmbedder.fit + embed.

Usage: /usr/bin/python3 bench/lsa_reference.py INPUT.json [--repeat N]
INPUT.json holds {"texts": [...all descriptions...], "train": [row indices],
"stopWords": [...] or null (null = scikit-learn's built-in "english" list), "dimensions": 768}.
Prints one JSON object on stdout: wall and CPU seconds per repeat (fit+transform), peak RSS, the TF-IDF
shape, singular values and the share of variance captured.
"""
import json
import os
import re
import sys
import time

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


def peak_rss_mib():
    # VmHWM of this process (ru_maxrss would include the parent's memory from before exec).
    with open("/proc/self/status", encoding="ascii") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) / 1024


def cpu():
    t = os.times()
    return t.user + t.system


def run(texts, train, stop_words, dimensions):
    t0, c0 = time.perf_counter(), cpu()
    vec = TfidfVectorizer(
        sublinear_tf=True, ngram_range=(1, 2), stop_words=stop_words, min_df=2
    )
    x_train = vec.fit_transform([texts[i] for i in train])
    svd = TruncatedSVD(dimensions, random_state=42)
    svd.fit(x_train)
    z = normalize(svd.transform(vec.transform(texts)))
    return time.perf_counter() - t0, cpu() - c0, x_train, svd, z


def main():
    args = sys.argv[1:]
    with open(args[0], encoding="utf-8") as f:
        spec = json.load(f)
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 1
    stop_words = spec.get("stopWords") or "english"
    texts, train = spec["texts"], spec["train"]
    dimensions = spec.get("dimensions", 768)
    times, cpus = [], []
    for _ in range(repeat):
        seconds, cpu_seconds, x_train, svd, z = run(texts, train, stop_words, dimensions)
        times.append(seconds)
        cpus.append(cpu_seconds)
    s = svd.singular_values_
    out = {
        "seconds": times,
        "cpuSeconds": cpus,
        "peakRssMiB": peak_rss_mib(),
        "tfidfShape": list(x_train.shape),
        "tfidfNnz": int(x_train.nnz),
        "singularValues": s.tolist(),
        "capturedFrobenius": float((s ** 2).sum() / (x_train.multiply(x_train)).sum()),
        "explainedVarianceRatio": float(svd.explained_variance_ratio_.sum()),
        "embeddingShape": list(z.shape),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
