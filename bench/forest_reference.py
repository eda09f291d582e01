"""Reference timing/accuracy for bench/forest_bench.ts: scikit-learn's RandomForestClassifier
exactly as the study configured it, one forest per genre, on the same .npy arrays.

Usage: /usr/bin/python3 bench/forest_reference.py DATA_DIR [--cv] [--labels N] [--multi-output]
Prints one JSON object (wall/CPU seconds, peak RSS, F1 macro/micro at several thresholds) on
stdout. --multi-output fits one multi-output forest on all labels instead of one per label.
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold


def make_forest():
    return RandomForestClassifier(
        n_estimators=100, max_depth=20, min_samples_split=5,
        class_weight="balanced_subsample", random_state=42, n_jobs=-1,
    )


def fit_predict(X, Y, Xt, multi=False):
    if multi:
        rf = make_forest().fit(X, Y)
        return np.stack([p[:, 1] if p.shape[1] > 1 else np.zeros(len(Xt))
                         for p in rf.predict_proba(Xt)], axis=1)
    P = np.zeros((Xt.shape[0], Y.shape[1]), dtype=np.float64)
    for j in range(Y.shape[1]):
        y = Y[:, j]
        if y.min() == y.max():  # a label constant in training: predict that constant
            P[:, j] = float(y[0])
            continue
        rf = make_forest().fit(X, y)
        P[:, j] = rf.predict_proba(Xt)[:, 1]
    return P


def cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main():
    args = sys.argv[1:]
    data = args[0]
    cv = "--cv" in args
    multi = "--multi-output" in args
    n_labels = int(args[args.index("--labels") + 1]) if "--labels" in args else None
    X = np.load(os.path.join(data, "X_train.npy")).astype(np.float32)
    Y = np.load(os.path.join(data, "y_train.npy"))
    Xt = np.load(os.path.join(data, "X_test.npy")).astype(np.float32)
    Yt = np.load(os.path.join(data, "y_test.npy"))
    if n_labels:
        Y, Yt = Y[:, :n_labels], Yt[:, :n_labels]
    out = {}
    w0, c0 = time.perf_counter(), cpu()
    P = fit_predict(X, Y, Xt, multi)
    out["fit_predict_wall_s"] = time.perf_counter() - w0
    out["fit_predict_cpu_s"] = cpu() - c0
    out["f1"] = {
        str(t): {
            "macro": f1_score(Yt, (P >= t).astype(int), average="macro", zero_division=0),
            "micro": f1_score(Yt, (P >= t).astype(int), average="micro", zero_division=0),
        }
        for t in (0.2, 0.3, 0.4, 0.5)
    }
    if cv:
        w0, c0 = time.perf_counter(), cpu()
        oof = np.zeros(Y.shape, dtype=np.float64)
        for tr, va in KFold(5, shuffle=True, random_state=42).split(X):
            oof[va] = fit_predict(X[tr], Y[tr], X[va], multi)
        out["cv5_wall_s"] = time.perf_counter() - w0
        out["cv5_cpu_s"] = cpu() - c0
    # VmHWM, not ru_maxrss: on Linux ru_maxrss also counts the parent that spawned us.
    with open("/proc/self/status") as f:
        hwm = [line for line in f if line.startswith("VmHWM:")]
    out["peak_rss_mib"] = int(hwm[0].split()[1]) / 1024 if hwm else None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
