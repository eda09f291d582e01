"""Reference timing/accuracy for bench/lr_bench.ts: scikit-learn's one-vs-rest
LogisticRegression(C=1, solver="lbfgs", max_iter=1000) with n_jobs=-1, on the same .npy arrays.

Usage: /usr/bin/python3 bench/lr_reference.py DATA_DIR [--class-weight balanced] [--probs FILE.npy]
Prints one JSON object on stdout: wall/CPU seconds, iterations per label, F1 macro/micro at 0.5,
and the mean objective value per label (to compare optimisers).
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.multioutput import MultiOutputClassifier


def cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main():
    args = sys.argv[1:]
    data = args[0]
    cw = args[args.index("--class-weight") + 1] if "--class-weight" in args else None
    probs_out = args[args.index("--probs") + 1] if "--probs" in args else None
    X = np.load(os.path.join(data, "X_train.npy")).astype(np.float32)
    Y = np.load(os.path.join(data, "y_train.npy"))
    Xt = np.load(os.path.join(data, "X_test.npy")).astype(np.float32)
    Yt = np.load(os.path.join(data, "y_test.npy"))
    w0, c0 = time.perf_counter(), cpu()
    model = MultiOutputClassifier(
        LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000, class_weight=cw), n_jobs=-1
    ).fit(X, Y)
    fit_wall, fit_cpu = time.perf_counter() - w0, cpu() - c0
    w1 = time.perf_counter()
    P = np.column_stack([e.predict_proba(Xt)[:, 1] for e in model.estimators_])
    pred_wall = time.perf_counter() - w1
    if probs_out:
        np.save(probs_out, P.astype(np.float32))
    pred = (P >= 0.5).astype(int)
    iters = [int(e.n_iter_[0]) for e in model.estimators_]
    # objective per label in scikit-learn's scaling: sum_i w_i logloss_i + ||coef||^2 / 2
    objs = []
    for j, e in enumerate(model.estimators_):
        y = Y[:, j].astype(np.float64)
        z = X.astype(np.float64) @ e.coef_[0].astype(np.float64) + e.intercept_[0]
        ll = np.logaddexp(0, z) - y * z
        if cw == "balanced":
            n, pos = len(y), y.sum()
            w = np.where(y == 1, n / (2 * pos), n / (2 * (n - pos)))
        else:
            w = np.ones_like(y)
        objs.append(float((w * ll).sum() + 0.5 * (e.coef_[0].astype(np.float64) ** 2).sum()))
    out = {
        "fit_wall_s": fit_wall,
        "fit_cpu_s": fit_cpu,
        "predict_wall_s": pred_wall,
        "iterations": iters,
        "objective_mean": float(np.mean(objs)),
        "objectives": objs,
        "f1_macro": f1_score(Yt, pred, average="macro", zero_division=0),
        "f1_micro": f1_score(Yt, pred, average="micro", zero_division=0),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
