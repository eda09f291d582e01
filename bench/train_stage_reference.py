"""The study's train stage in scikit-learn, on the very same .npy arrays as ours: logistic
regression (C=1, lbfgs, max_iter=1000) and the random forest (100 trees, depth 20, min samples
split 5, balanced_subsample, one forest per genre, n_jobs=-1), each with 5-fold out-of-fold
probabilities (folds stratified by genre count) and the global threshold grid 0.10-0.50, then
the final fit on all training rows and the test scores.

Usage: /usr/bin/python3 bench/train_stage_reference.py DATA_DIR
Prints one JSON object on stdout.
"""
import json
import os
import resource
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.multioutput import MultiOutputClassifier

GRID = [round(0.10 + 0.05 * i, 2) for i in range(9)]


def lr():
    return MultiOutputClassifier(
        LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000, random_state=42), n_jobs=-1)


def rf():
    return MultiOutputClassifier(RandomForestClassifier(
        n_estimators=100, max_depth=20, min_samples_split=5,
        class_weight="balanced_subsample", random_state=42, n_jobs=-1))


def proba(model, X):
    return np.stack([p[:, 1] if p.shape[1] > 1 else np.zeros(len(X))
                     for p in model.predict_proba(X)], axis=1)


def stage(make, X, Y, Xt, Yt, folds, fixed=None):
    t0 = time.perf_counter()
    oof = np.zeros(Y.shape, dtype=np.float64)
    for tr, te in folds:
        oof[te] = proba(make().fit(X[tr], Y[tr]), X[te])
    curve = []
    for t in GRID:
        scores = [f1_score(Y[te], oof[te] >= t, average="macro", zero_division=0)
                  for _, te in folds]
        curve.append((t, float(np.mean(scores))))
    best = max(curve, key=lambda c: c[1])[0]
    model = make().fit(X, Y)
    P = proba(model, Xt)
    t = fixed if fixed is not None else best
    pred = P >= t
    seconds = time.perf_counter() - t0
    at = {str(g): [f1_score(Yt, P >= g, average="macro", zero_division=0),
                   f1_score(Yt, P >= g, average="micro", zero_division=0)] for g in GRID + [0.5]}
    return {
        "seconds": seconds,
        "threshold": t,
        "f1_macro": f1_score(Yt, pred, average="macro", zero_division=0),
        "f1_micro": f1_score(Yt, pred, average="micro", zero_division=0),
        "f1_at": at,
    }


def main():
    d = sys.argv[1]
    X = np.load(os.path.join(d, "X_train.npy"))
    Y = np.load(os.path.join(d, "y_train.npy"))
    Xt = np.load(os.path.join(d, "X_test.npy"))
    Yt = np.load(os.path.join(d, "y_test.npy"))
    folds = list(StratifiedKFold(5, shuffle=True, random_state=42).split(X, Y.sum(axis=1)))
    t0 = time.perf_counter()
    out = {"lr": stage(lr, X, Y, Xt, Yt, folds, fixed=0.5), "rf": stage(rf, X, Y, Xt, Yt, folds)}
    out["total_seconds"] = time.perf_counter() - t0
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out["peak_rss_mib"] = max(self_kb, child_kb) / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
