"""Reference for bench/best_model_bench.ts: the project's best model written in scikit-learn, fitted
once on the same .npy arrays (the bench writes the four feature blocks, 1,080 columns):

- stacked logistic regression: LogisticRegression(C=4, class_weight="balanced") one-vs-rest per
  genre; its 5-fold out-of-fold probabilities (StratifiedKFold on the genre count, seed 42, the
  folds our StackedClassifier uses); then LogisticRegression(C=1, class_weight="balanced") on
  [X, OOF] and the base refitted on all rows;
- MLPClassifier(hidden_layer_sizes=(512,), early_stopping=True, random_state=0);
- soft vote 0.5 / 0.5.

Both cores: the one-vs-rest LRs run with n_jobs=-1 (MultiOutputClassifier); the MLP uses numpy's
BLAS.

Usage: /usr/bin/python3 bench/best_model_reference.py DATA_DIR [--thresholds FILE.npy]
Prints one JSON object on stdout: seconds of the final fit (stacking, MLP, total), peak memory, and
test F1 macro/micro at 0.5 (and with the given per-genre thresholds).
"""
import json
import os
import resource
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.multioutput import MultiOutputClassifier
from sklearn.neural_network import MLPClassifier


def cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def lr(C):
    return MultiOutputClassifier(
        LogisticRegression(C=C, class_weight="balanced", solver="lbfgs", max_iter=1000),
        n_jobs=-1)


def proba(model, X):
    return np.stack([p[:, 1] for p in model.predict_proba(X)], axis=1)


def scores(Yt, P, t):
    pred = P >= t
    return {"f1_macro": f1_score(Yt, pred, average="macro", zero_division=0),
            "f1_micro": f1_score(Yt, pred, average="micro", zero_division=0)}


def main():
    args = sys.argv[1:]
    d = args[0]
    X = np.load(os.path.join(d, "X_train.npy"))
    Y = np.load(os.path.join(d, "y_train.npy"))
    Xt = np.load(os.path.join(d, "X_test.npy"))
    Yt = np.load(os.path.join(d, "y_test.npy"))
    folds = list(StratifiedKFold(5, shuffle=True, random_state=42).split(X, Y.sum(axis=1)))

    t0, c0 = time.perf_counter(), cpu()
    oof = np.zeros(Y.shape, dtype=np.float64)
    for tr, te in folds:
        oof[te] = proba(lr(4).fit(X[tr], Y[tr]), X[te])
    stacker = lr(1).fit(np.hstack([X, oof]), Y)
    base = lr(4).fit(X, Y)
    t1 = time.perf_counter()
    mlp = MLPClassifier(hidden_layer_sizes=(512,), early_stopping=True, random_state=0).fit(X, Y)
    t2, c2 = time.perf_counter(), cpu()

    p_stack = proba(stacker, np.hstack([Xt, proba(base, Xt)]))
    p_mlp = mlp.predict_proba(Xt)
    P = 0.5 * p_stack + 0.5 * p_mlp
    out = {
        "fit_seconds": t2 - t0,
        "cpu_seconds": c2 - c0,
        "stacking_seconds": t1 - t0,
        "mlp_seconds": t2 - t1,
        "mlp_epochs": int(mlp.n_iter_),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_children_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "at_0_5": scores(Yt, P, 0.5),
    }
    if "--thresholds" in args:
        th = np.load(args[args.index("--thresholds") + 1])
        out["at_thresholds"] = scores(Yt, P, th[None, :])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
