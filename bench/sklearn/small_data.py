#!/usr/bin/env python3
"""Small outside data sets for SmallDataBenchmark, with scikit-learn's tree on the same splits.

Usage: /usr/bin/python3 bench/sklearn/small_data.py --out work/bench/small-data [--seeds 1,2,3]

For each data set (sklearn's bundled breast_cancer 569 rows, wine 178, iris 150, make_classification 1,000 rows,
and 4,000 rows for drift-retrain timing) and each seed: shuffles the rows with the seed, gives row i the event
time base + i seconds, and marks the latest 20% (by event time, as the retrain's holdout) as holdout. Writes <name>.schema.json (a streamtree schema:
id, event_time, numeric features, label), <name>-s<seed>.csv (id, event_time, features, label, holdout) and
cases.json with scikit-learn's holdout accuracy: DecisionTreeClassifier with GridSearchCV (5 folds) over
max_depth in {2, 3, 4, 5, 6, 8, 10, None}, refit on the training rows, scored on the holdout rows.
Needs Debian's python3-sklearn (apt-get install -y python3-sklearn); no download.
"""
import argparse
import csv
import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
from sklearn.datasets import load_breast_cancer, load_iris, load_wine, make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

HOLDOUT_FRACTION = 0.2
DEPTHS = [2, 3, 4, 5, 6, 8, 10, None]


def datasets():
    for name, loader in (("breast_cancer", load_breast_cancer), ("wine", load_wine), ("iris", load_iris)):
        d = loader()
        yield name, d.data, d.target, list(d.feature_names), [str(c) for c in d.target_names]
    x, y = make_classification(n_samples=1000, n_features=10, n_informative=5, n_redundant=2, n_classes=2,
                               flip_y=0.05, random_state=7)
    yield "classification_1000", x, y, ["f%d" % i for i in range(10)], ["c0", "c1"]
    # The size of a drift retrain (a few thousand rows after a change point): for fit count x time.
    x, y = make_classification(n_samples=4000, n_features=10, n_informative=5, n_redundant=2, n_classes=2,
                               flip_y=0.05, random_state=8)
    yield "classification_4000", x, y, ["f%d" % i for i in range(10)], ["c0", "c1"]


def column(name):
    c = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return c if c[:1].isalpha() else "f_" + c


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--seeds", default="1,2,3")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cases = []
    for name, x, y, feature_names, classes in datasets():
        columns = [column(f) for f in feature_names]
        label_values = [column(c) for c in classes]
        schema = {"name": name, "idField": "id", "eventTimeField": "event_time",
                  "features": [{"name": c, "type": "numeric"} for c in columns],
                  "label": {"name": "label", "classes": label_values}}
        schema_path = os.path.join(args.out, name + ".schema.json")
        with open(schema_path, "w") as f:
            json.dump(schema, f, indent=2)
        for seed in [int(s) for s in args.seeds.split(",")]:
            order = np.random.RandomState(seed).permutation(len(y))
            xs, ys = x[order], y[order]
            n_holdout = int(round(len(ys) * HOLDOUT_FRACTION))
            n_train = len(ys) - n_holdout
            csv_path = os.path.join(args.out, "%s-s%d.csv" % (name, seed))
            with open(csv_path, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["id", "event_time"] + columns + ["label", "holdout"])
                for i in range(len(ys)):
                    t = (base + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S")
                    w.writerow(["%s-%d" % (name, order[i]), t] + [repr(float(v)) for v in xs[i]]
                               + [label_values[ys[i]], "true" if i >= n_train else "false"])
            search = GridSearchCV(DecisionTreeClassifier(random_state=seed), {"max_depth": DEPTHS}, cv=5)
            search.fit(xs[:n_train], ys[:n_train])
            accuracy = float(np.mean(search.predict(xs[n_train:]) == ys[n_train:]))
            depth = search.best_params_["max_depth"]
            print("%-20s seed %d: sklearn GridSearchCV max_depth=%s holdout accuracy %.4f (%d train / %d holdout)"
                  % (name, seed, depth, accuracy, n_train, n_holdout))
            cases.append({"dataset": name, "seed": seed, "csv": os.path.abspath(csv_path),
                          "schema": os.path.abspath(schema_path), "train_rows": n_train, "holdout_rows": n_holdout,
                          "sklearn_accuracy": accuracy, "sklearn_max_depth": depth})
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(cases, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
