"""SWIM fit time and test accuracy: actdesign.init.swim against swimnetworks 0.0.2, side by side.

Same data, same widths, same seeds (every layer seeded like ``Dense(random_seed=seed)``), the
same least-squares cutoff; both run in this process, alternating, and the medians are compared.
Prints one line per configuration with the time ratio (actdesign / swimnetworks, target <= 1),
both test errors, and the largest difference between the two networks' predictions.

Usage: python bench/swim.py [--repeats N] [--threads N]   (needs `pip install swimnetworks`)
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from actdesign.init import swim


def target(x):
    return np.sin(2 * np.pi * x) + 0.5 * np.sin(10 * np.pi * x) + 0.25 * np.sin(40 * np.pi * x)


def regression_data():
    X = np.linspace(0, 1, 2000)[:, None]
    Xt = np.random.default_rng(0).uniform(0, 1, (5000, 1))
    return X, target(X[:, 0]), Xt, target(Xt[:, 0])


def digits_data():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:1300] / 16, y[:1300], X[1300:] / 16, y[1300:]


def reference(widths, seed, classifier, rcond):
    from sklearn.pipeline import Pipeline
    from swimnetworks import Dense, Linear

    seeds = swim.layer_seeds(seed, len(widths))
    steps = [(f"d{i}", Dense(layer_width=w, activation="tanh", parameter_sampler="tanh",
                             random_seed=s, is_classifier=classifier))
             for i, (w, s) in enumerate(zip(widths, seeds, strict=True))]
    return Pipeline(steps + [("out", Linear(regularization_scale=rcond, is_classifier=classifier))])


def timed(fit):
    t = time.perf_counter()
    model = fit()
    return model, time.perf_counter() - t


def bench(name, data, widths, classifier, seeds, repeats, rcond=1e-10):
    X, y, Xt, yt = data
    ours_t, ref_t, ours_err, ref_err, diff = [], [], [], [], []
    for seed in seeds:
        for _ in range(repeats):
            ours, t1 = timed(lambda s=seed: swim.SampledMLP(widths, seed=s, rcond=rcond,
                                                            classifier=classifier).fit(X, y))
            ref, t2 = timed(lambda s=seed: reference(widths, s, classifier, rcond).fit(X, y))
            ours_t.append(t1)
            ref_t.append(t2)
        p1, p2 = ours.predict(Xt), ref.predict(Xt)[:, 0]
        if classifier:
            ours_err.append(np.mean(p1 != yt))
            ref_err.append(np.mean(p2 != yt))
            diff.append(np.mean(p1 != p2))
        else:
            ours_err.append(np.sqrt(np.mean((p1 - yt) ** 2)))
            ref_err.append(np.sqrt(np.mean((p2 - yt) ** 2)))
            diff.append(np.max(np.abs(p1 - p2)))
    a, b = np.median(ours_t), np.median(ref_t)
    metric = "error rate" if classifier else "test RMSE"
    gap = "disagreeing labels" if classifier else "max |pred diff|"
    print(f"{name:28s} actdesign {a:7.3f} s  swimnetworks {b:7.3f} s  ratio {a / b:5.2f}  | "
          f"{metric} {np.mean(ours_err):.3e} vs {np.mean(ref_err):.3e}  | {gap} {np.max(diff):.1e}",
          flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads for both (default 1)")
    args = ap.parse_args()
    import swimnetworks  # noqa: F401 - fail early with ImportError if it is missing

    seeds = range(3)
    with threadpool_limits(args.threads, user_api="blas"):
        reg, dig = regression_data(), digits_data()
        print(f"seeds {list(seeds)}, {args.repeats} timed fits each, "
              f"{args.threads} BLAS thread(s); "
              "median times")
        bench("1-D regression 3x128", reg, [128] * 3, False, seeds, args.repeats)
        bench("1-D regression 3x512", reg, [512] * 3, False, seeds, args.repeats)
        bench("1-D regression 3x1024", reg, [1024] * 3, False, seeds, args.repeats)
        bench("digits classifier 2x512", dig, [512] * 2, True, seeds, args.repeats)


if __name__ == "__main__":
    main()
