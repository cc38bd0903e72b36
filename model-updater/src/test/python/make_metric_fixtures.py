#!/usr/bin/python3
"""Writes metric-fixtures.json: randomized classification cases and scikit-learn's values for them.

ClassificationMetricsSklearnTest checks ClassificationMetrics against every case to 1e-9, so the
Java metrics keep scikit-learn's semantics without Python at test time. Regenerate with Debian's
scikit-learn (bookworm: 1.2.1; `apt-get install python3-sklearn`), from the repository root:

    /usr/bin/python3 model-updater/src/test/python/make_metric_fixtures.py

Seeded: the same scikit-learn version writes the same file.

Conventions where scikit-learn has no value (it raises), mirrored by ClassificationMetrics:
- roc_auc: one-vs-rest AUC of each class present in y_true (with at least one record of another
  class), macro-averaged over those classes; with all classes present this is exactly
  roc_auc_score(multi_class='ovr', average='macro', labels=range(k)), and with two classes it is
  the binary roc_auc_score on P(class 1). null (NaN in Java) when no class can be scored.
- log_loss: log_loss(labels=range(k)) (eps='auto': clip to [float64 eps, 1 - eps], renormalize rows).
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, log_loss,
                             precision_recall_fscore_support, roc_auc_score)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "metric-fixtures.json")


def ovr_auc(y, p, k):
    """scikit-learn's OvR macro AUC, restricted to the classes it can score (see module doc)."""
    if k == 2:
        return float(roc_auc_score(y, p[:, 1])) if len(set(y)) == 2 else None
    present = sorted(set(y))
    if len(present) == k:
        return float(roc_auc_score(y, p, multi_class="ovr", average="macro", labels=list(range(k))))
    scores = [roc_auc_score((y == c).astype(int), p[:, c]) for c in present if len(present) > 1]
    return float(np.mean(scores)) if scores else None


def probabilities(rng, n, k, style):
    if style == "dirichlet":
        p = rng.dirichlet(np.full(k, rng.uniform(0.2, 3.0)), size=n)
    elif style == "ties":
        # Few distinct values, so many scores tie (AUC's half credit) and argmax ties pick the first class.
        raw = rng.integers(0, 3, size=(n, k)).astype(float) + 1.0
        p = raw / raw.sum(axis=1, keepdims=True)
    elif style == "extreme":
        # Hard zeros and ones: log loss clipping matters.
        p = np.zeros((n, k))
        hot = rng.integers(0, k, size=n)
        p[np.arange(n), hot] = 1.0
        soft = rng.random(n) < 0.3
        p[soft] = rng.dirichlet(np.ones(k), size=int(soft.sum()))
    else:
        raise ValueError(style)
    return p


def case(rng, idx):
    k = int(rng.integers(2, 8))
    n = int(rng.choice([1, 2, 3, 5, 8, 13, 30, 100, 400]))
    style = ["dirichlet", "ties", "extreme"][idx % 3]
    p = probabilities(rng, n, k, style)
    # Labels: sometimes only a subset of the classes occurs in y_true (absent classes).
    if rng.random() < 0.35:
        pool = rng.choice(k, size=int(rng.integers(1, k + 1)), replace=False)
    else:
        pool = np.arange(k)
    y = rng.choice(pool, size=n)
    if rng.random() < 0.5:
        # Informative scores: move mass towards the true class, so metrics are not all near chance.
        p = 0.5 * p + 0.5 * np.eye(k)[y] * rng.random((n, 1))
        p = p / p.sum(axis=1, keepdims=True)
    yhat = np.argmax(p, axis=1)
    labels = list(range(k))
    union = sorted(set(y) | set(yhat))
    prec, rec, f1, _ = precision_recall_fscore_support(y, yhat, labels=labels, average=None, zero_division=0)
    mp, mr, mf, _ = precision_recall_fscore_support(y, yhat, average="macro", zero_division=0)
    return {
        "classes": k,
        "labels": [int(v) for v in y],
        "probabilities": [[float(v) for v in row] for row in p],
        "expected": {
            "accuracy": float(accuracy_score(y, yhat)),
            "balanced_accuracy": float(balanced_accuracy_score(y, yhat)),
            "macro_precision": float(mp),
            "macro_recall": float(mr),
            "macro_f1": float(mf),
            "roc_auc": ovr_auc(y, p, k),
            "log_loss": float(log_loss(y, p, labels=labels)),
            "precision": [float(v) for v in prec],
            "recall": [float(v) for v in rec],
            "f1": [float(v) for v in f1],
            "macro_classes": len(union),
        },
    }


def main():
    rng = np.random.default_rng(20261129)
    cases = [case(rng, i) for i in range(60)]
    # The example: a class predicted but absent from y_true counts with F1 = 0.
    cases.append({"classes": 3, "labels": [0, 0, 1, 1],
                  "probabilities": [[0.9, 0.05, 0.05], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1], [0.2, 0.7, 0.1]]})
    y = np.array(cases[-1]["labels"])
    p = np.array(cases[-1]["probabilities"])
    yhat = np.argmax(p, axis=1)
    prec, rec, f1, _ = precision_recall_fscore_support(y, yhat, labels=[0, 1, 2], average=None, zero_division=0)
    mp, mr, mf, _ = precision_recall_fscore_support(y, yhat, average="macro", zero_division=0)
    cases[-1]["expected"] = {
        "accuracy": float(accuracy_score(y, yhat)), "balanced_accuracy": float(balanced_accuracy_score(y, yhat)),
        "macro_precision": float(mp), "macro_recall": float(mr), "macro_f1": float(mf), "roc_auc": ovr_auc(y, p, 3),
        "log_loss": float(log_loss(y, p, labels=[0, 1, 2])), "precision": [float(v) for v in prec],
        "recall": [float(v) for v in rec], "f1": [float(v) for v in f1], "macro_classes": 3}
    doc = {"generator": "model-updater/src/test/python/make_metric_fixtures.py", "sklearn": sklearn.__version__,
           "numpy": np.__version__, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)} (scikit-learn {sklearn.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
