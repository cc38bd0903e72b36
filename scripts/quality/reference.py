#!/usr/bin/python3
"""Reference models and scoring for docs/quality.md (run by scripts/quality/run; needs Debian's
python3-sklearn and python3-imblearn: apt-get install python3-sklearn python3-imblearn).

  prepare  DATA.csv EVAL.jsonl OUT.jsonl   the raw events of the pipeline's eval split, as predict input
  dirty    DATA.csv OUT.jsonl              the data set as JSON lines with duplicates and bad lines injected
  report   DATA.csv TRAIN.jsonl EVAL.jsonl PREDICTED.jsonl NAME
           one JSON line: the served model's metrics (scored by 'streamlearn predict' on the eval split),
           the online baseline (MLP + SMOTE, test-then-train in one pass over the train records in stream
           order) and the offline models trained on the same train records (the ceiling).

For any CSV file (a data set of the user's, not in the id,label,features layout of scripts/quality/data), the same
from the pipeline's own records: their cleaned raw values (ProcessedRecord.raw), labels and event times.
  prepare-records  EVAL.jsonl STATS.json OUT.jsonl
  report-records   TRAIN.jsonl EVAL.jsonl PREDICTED.jsonl NAME STATS.json
"""
import csv, json, random, sys, warnings
import numpy as np

warnings.filterwarnings("ignore")
SEED = 42


def read_csv(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        rows = {}
        order = []
        for row in r:
            rid, label = row[0], row[1]
            rows[rid] = (label, [float(v) for v in row[2:]])
            order.append(rid)
    return header[2:], rows, order


def read_jsonl(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def prepare(data, eval_path, out_path):
    names, rows, _ = read_csv(data)
    ids = [r["id"] for r in read_jsonl(eval_path)]
    with open(out_path, "w") as f:
        for rid in ids:
            label, x = rows[rid]
            f.write(json.dumps({"id": rid, "label": label, **dict(zip(names, x))}) + "\n")


def dirty(data, out_path, dup_rate=0.03, bad_rate=0.02):
    names, rows, order = read_csv(data)
    rng = random.Random(SEED)
    lines = []
    for rid in order:
        label, x = rows[rid]
        line = json.dumps({"id": rid, "label": label, **dict(zip(names, x))}).encode()
        lines.append(line)
        if rng.random() < dup_rate:
            lines.insert(rng.randrange(max(1, len(lines) - 50), len(lines) + 1), line)  # a resend shortly after
        if rng.random() < bad_rate:
            kind = rng.randrange(4)
            if kind == 0:
                lines.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))).replace(b"\n", b" "))
            elif kind == 1:
                lines.append(line[: len(line) // 2])  # truncated
            elif kind == 2:
                lines.append(json.dumps({"id": rid + "-nolabel", **dict(zip(names, x))}).encode())
            else:
                lines.append(json.dumps({"id": rid + "-nan", "label": label, **dict(zip(names, x)), names[0]: "NaN"}).encode())
    with open(out_path, "wb") as f:
        for l in lines:
            f.write(l + b"\n")


def metrics(y_true, proba, classes):
    from sklearn.metrics import roc_auc_score, balanced_accuracy_score, log_loss
    y_true = np.asarray(y_true)
    pred = np.asarray(classes)[np.argmax(proba, axis=1)]
    present = [c for c in classes if (y_true == c).any()]
    if len(present) < 2:
        auc = float("nan")  # an eval split of one class ranks nothing
    elif len(classes) == 2:
        auc = roc_auc_score((y_true == classes[1]).astype(int), proba[:, 1])
    elif len(present) < len(classes):
        # A small eval split may miss a class: the macro one-vs-rest AUC over the classes it has (each class's AUC
        # needs positives), which is what sklearn's multi-class form cannot compute.
        auc = np.mean([roc_auc_score((y_true == c).astype(int), proba[:, classes.index(c)]) for c in present])
    else:
        auc = roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=classes)
    return {"roc_auc": round(float(auc), 4), "balanced_accuracy": round(float(balanced_accuracy_score(y_true, pred)), 4),
            "log_loss": round(float(log_loss(y_true, np.clip(proba, 1e-15, 1), labels=classes)), 4)}


def online_baseline(Xtr, ytr, Xev, classes):
    """MLP + SMOTE in one pass: each chunk of 256 train records, in stream order, is standardized with the running
    statistics so far, oversampled with SMOTE (random oversampling where a class has too few records for k=5) and
    learnt once with partial_fit."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    scaler = StandardScaler()
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32), learning_rate_init=0.005, random_state=SEED)
    for start in range(0, len(Xtr), 256):
        X, y = Xtr[start:start + 256], ytr[start:start + 256]
        scaler.partial_fit(X)
        Xs = scaler.transform(X)
        counts = {c: int((y == c).sum()) for c in set(y)}
        try:
            if len(counts) > 1 and min(counts.values()) > 5:
                Xs, y = SMOTE(random_state=SEED).fit_resample(Xs, y)
            elif len(counts) > 1:
                Xs, y = RandomOverSampler(random_state=SEED).fit_resample(Xs, y)
        except ValueError:
            pass
        mlp.partial_fit(Xs, y, classes=classes)
    return mlp.predict_proba(scaler.transform(Xev))


def smallest(y):
    _, counts = np.unique(y, return_counts=True)
    return int(counts.min())


def offline_models(Xtr, ytr, Xev, classes):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline as imb_pipeline
    models = {
        "logistic regression, class weights": make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=2000)),
        "MLP (64,32) + SMOTE": imb_pipeline(StandardScaler(), SMOTE(random_state=SEED, k_neighbors=max(1, min(5, smallest(ytr) - 1))),
                                            MLPClassifier(hidden_layer_sizes=(64, 32), early_stopping=True, random_state=SEED, max_iter=300)),
        "gradient boosting, class weights": HistGradientBoostingClassifier(class_weight="balanced", random_state=SEED),
    }
    out = {}
    for name, m in models.items():
        if smallest(ytr) < 2 and "SMOTE" in name:
            continue  # SMOTE needs two records of every class to interpolate
        m.fit(Xtr, ytr)
        p = m.predict_proba(Xev)
        # A class the train split lacks gets probability 0.
        out[name] = np.array([p[:, list(m.classes_).index(c)] if c in m.classes_ else np.zeros(len(Xev)) for c in classes]).T
    return out


def skew(train, evals):
    """Training-vs-serving difference |dz|: each real training record's features as the streams app normalized them,
    against its raw values under the transform a snapshot serves (the merged moments of every valid unique record)."""
    real = [r for r in train if not r.get("synthetic") and r.get("raw")]
    if not real:
        return None
    every = np.array([r["raw"] for r in real] + [r["raw"] for r in evals if r.get("raw")], dtype=float)
    mu = np.nanmean(every, axis=0); sd = np.nanstd(every, axis=0)
    z_serve = np.where(sd > 0, (np.array([r["raw"] for r in real], dtype=float) - mu) / np.where(sd > 0, sd, 1), 0.0)
    dz = np.abs(np.array([r["features"] for r in real], dtype=float) - z_serve)
    return {"mean": round(float(np.nanmean(dz)), 4), "p99": round(float(np.nanpercentile(dz, 99)), 4),
            "max": round(float(np.nanmax(dz)), 4)}


def report(data, train_path, eval_path, predicted_path, name, stats_path=None):
    names, rows, order = read_csv(data)
    train_records = read_jsonl(train_path)
    train_ids = set(r["id"] for r in train_records if not r.get("synthetic"))
    eval_ids = [r["id"] for r in read_jsonl(eval_path)]
    predicted = read_jsonl(predicted_path)
    # The classes the pipeline kept: one that never reached records.train or records.eval (a label outside the pinned
    # spec, rejected as UNKNOWN_LABEL) cannot be scored; it is reported apart.
    classes = sorted({rows[i][0] for i in eval_ids} | {rows[i][0] for i in train_ids})
    not_learnt = sorted({rows[i][0] for i in rows} - set(classes))
    # The served model, as scored by 'streamlearn predict' on the pipeline's own eval split.
    ok = [p for p in predicted if "error" not in p]
    y_served = [rows[p["id"]][0] for p in ok]
    P_served = np.array([[p["probabilities"].get(c, 0.0) for c in classes] for p in ok])
    served = metrics(y_served, P_served, classes)
    served["version"] = ok[0]["version"] if ok else None
    served["scored"] = len(ok)
    served["errors"] = len(predicted) - len(ok)
    # References on exactly the same train records (stream order) and eval records.
    tr = [i for i in order if i in train_ids]
    Xtr = np.array([rows[i][1] for i in tr]); ytr = np.array([rows[i][0] for i in tr])
    Xev = np.array([rows[i][1] for i in eval_ids]); yev = [rows[i][0] for i in eval_ids]
    online = metrics(yev, online_baseline(Xtr, ytr, Xev, classes), classes)
    offline = {k: metrics(yev, p, classes) for k, p in offline_models(Xtr, ytr, Xev, classes).items()}
    best = max(offline, key=lambda k: offline[k]["roc_auc"])
    synthetic = sum(1 for r in train_records if r.get("synthetic"))
    counts = {}
    for r in train_records:
        counts[r["label"]] = counts.get(r["label"], 0) + 1
    balance = round(min(counts.values()) / max(counts.values()), 4) if counts else None
    # Per class: records on records.train against the sum of the partitions' targets ('stats --json').
    of_target = None
    if stats_path:
        stats = json.load(open(stats_path))
        targets = stats.get("train_targets", {})
        of_target = {c: round(counts.get(c, 0) / t, 4) for c, t in targets.items() if t > 0}
    print(json.dumps({"dataset": name, "train_records": len(tr), "synthetic_records": synthetic, "train_min_max_ratio": balance,
                      "train_of_target": of_target,
                      "eval_records": len(eval_ids), "classes": len(classes), "classes_not_learnt": not_learnt, "dz": skew(train_records, read_jsonl(eval_path)),
                      "served": served, "online_baseline": online, "offline": offline, "best_offline": best}))


def feature_names(stats_path):
    return list(json.load(open(stats_path))["normalizer"].keys())


def prepare_records(eval_path, stats_path, out_path):
    names = feature_names(stats_path)
    with open(out_path, "w") as f:
        for r in read_jsonl(eval_path):
            # A value the pipeline imputed is NaN in 'raw' (consume writes it "NaN"): left out, the served model imputes it too.
            values = {n: float(v) for n, v in zip(names, r["raw"]) if v is not None and np.isfinite(float(v))}
            f.write(json.dumps({"id": r["id"], "label": r["label"], **values}) + "\n")


def report_records(train_path, eval_path, predicted_path, name, stats_path):
    train_records = read_jsonl(train_path)
    evals = read_jsonl(eval_path)
    real = sorted((r for r in train_records if not r.get("synthetic")), key=lambda r: r.get("ts", 0))  # stream order
    labels = {r["id"]: r["label"] for r in evals}
    classes = sorted({r["label"] for r in real} | set(labels.values()))
    ok = [p for p in read_jsonl(predicted_path) if "error" not in p]
    P_served = np.array([[p["probabilities"].get(c, 0.0) for c in classes] for p in ok])
    served = metrics([labels[p["id"]] for p in ok], P_served, classes)
    served["version"] = ok[0]["version"] if ok else None
    served["scored"] = len(ok)
    served["errors"] = len(evals) - len(ok)
    Xtr = impute(np.array([r["raw"] for r in real], dtype=float)); ytr = np.array([r["label"] for r in real])
    Xev = impute(np.array([r["raw"] for r in evals], dtype=float)); yev = [r["label"] for r in evals]
    online = metrics(yev, online_baseline(Xtr, ytr, Xev, classes), classes)
    offline = {k: metrics(yev, p, classes) for k, p in offline_models(Xtr, ytr, Xev, classes).items()}
    best = max(offline, key=lambda k: offline[k]["roc_auc"])
    counts = {}
    for r in train_records:
        counts[r["label"]] = counts.get(r["label"], 0) + 1
    stats = json.load(open(stats_path))
    print(json.dumps({"dataset": name, "raw": stats["raw"], "dlq": stats["dlq"], "duplicates": stats.get("duplicates"),
                      "train_records": len(real), "synthetic_records": len(train_records) - len(real),
                      "train_min_max_ratio": round(min(counts.values()) / max(counts.values()), 4) if counts else None,
                      "eval_records": len(evals), "classes": len(classes), "features": len(feature_names(stats_path)),
                      "served": served, "online_baseline": online, "offline": offline, "best_offline": best}))


def impute(X):
    """Column means where a value is missing (the pipeline with missing=reject never sends one)."""
    if X.size and np.isnan(X).any():
        means = np.nanmean(X, axis=0)
        X = np.where(np.isnan(X), np.where(np.isnan(means), 0.0, means), X)
    return X


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"prepare": prepare, "dirty": dirty, "report": report,
     "prepare-records": prepare_records, "report-records": report_records}[cmd](*args)
