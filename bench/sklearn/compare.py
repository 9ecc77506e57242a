#!/usr/bin/env python3
"""scikit-learn's DecisionTreeClassifier on the CSV split TrainingBenchmark writes.

Usage: python3 bench/sklearn/compare.py --train work/bench/train.csv --test work/bench/test.csv --depth 10

Needs Debian's python3-sklearn (apt-get install -y python3-sklearn); reads the CSV with the standard library
and numpy only. Categorical codes (elevel, car, zipcode) are used as ordinal numbers, as sklearn trees need.
"""
import argparse
import csv
import json
import sys
import time

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier


def load(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    label_index = header.index("label")
    features = [i for i in range(len(header)) if i != label_index]
    x = np.array([[float(r[i]) for i in features] for r in rows], dtype=np.float64)
    y = np.array([r[label_index] for r in rows])
    return x, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", help="also write the figures to this JSON file (bench/run.sh reads it)")
    args = parser.parse_args()

    x_train, y_train = load(args.train)
    x_test, y_test = load(args.test)
    model = DecisionTreeClassifier(max_depth=args.depth, random_state=args.seed)
    start = time.perf_counter()
    model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - start
    accuracy = accuracy_score(y_test, model.predict(x_test))
    print("sklearn DecisionTreeClassifier depth %d: fit %.2f s on %d rows, holdout accuracy %.4f on %d rows"
          % (args.depth, fit_seconds, len(y_train), accuracy, len(y_test)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"fit_seconds": fit_seconds, "accuracy": accuracy, "train_rows": len(y_train),
                       "test_rows": len(y_test), "depth": args.depth}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
