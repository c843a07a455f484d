"""Implicit-representation benchmark: the designed activation against SIREN, Gauss, WIRE,
FINER and ReLU with Fourier features, at equal parameter count and equal Adam budget.

Photographs bundled with scikit-image (grey, square, resized), coordinates in [-1, 1]^2 ->
grey level. Two tasks: representation (all pixels train and score) and generalisation
(25 % of the pixels train, the other 75 % score). Two depths: one hidden layer (the
theory's setting) and three hidden layers. Every model has the trainable-parameter count
of the designed MLP at ``--width`` (its own width is set to match; each row reports its
count), the same number of full-batch Adam steps, and the same tuning grid: 3 values of
its own axis x the learning rates, chosen on a validation fifth of the training pixels,
with seed 0; the chosen setting is then retrained on all training pixels for every seed.
The pixel split of an image is fixed (seed 0); seeds vary the initialisation.

The designed network (bench/implicit/designed.py): the activation `choose_penalty` fits
to the tuning pixels (the grid axis is the penalty family), the first layer drawn from
the uniform law of the theory (a shifted lattice), later layers at the edge-of-chaos
variance-flow gain of phi, and the kernel-regime warm start (output layer from the convex
fit with its noise ratio fitted by marginal likelihood at the network's width, then all
parameters on the same ridge objective; ``--no-warm`` for none). Reference rows, not
ranked: the width = inf kernel fit of the chosen penalty (GP posterior mean; Nystrom
above ``--kernel-points``) and the mean. After the table, one "margin" line per held-out
column: each designed row minus its best rival (+0.5 dB is the issue's win).

Wide rows (``--wide``, the default): under each depth d > 1, every model again as ONE
hidden layer with the parameter count of the d-layer MLP ("NAME wide"): the theory's
setting at the deep budget, so that the effect of the activation is not confounded with
that of the shape (a designed wide row is compared with the competitors' wide rows).
"designed RF" is the theory's model itself: one hidden layer drawn from the theory's law
and frozen, the output layer solved by the warm start (the ridge problem Adam would
descend; 0 Adam steps), with as many trainable numbers as the others (like FF-ReLU's
fixed frequencies, frozen weights are not counted).

Prints one table, PSNR (dB) as mean ± sample std over images and seeds, and writes a
crops figure and results.json (every run, its setting and validation grid) to ``--out``.

Usage: python bench/implicit.py [--quick] [--images camera,astronaut,coffee,chelsea,
       camera@512] [--size 256] [--seeds 3] [--steps 2000] [--width 256] [--depths 1,3]
       [--tasks representation,generalisation] [--models ...] [--lrs 1e-3,1e-2]
       [--wide/--no-wide] [--draw lattice|iid] [--deep-scale edge|unit] [--no-warm]
       [--ridge evidence|kernel] [--table-from RESULTS_JSON]
       [--device cpu|cuda] [--threads N] [--out out/implicit]
Convention: F[phi](k) = ∫ phi(z) exp(-ikz) dz (angular frequency).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

_HERE = str(Path(__file__).resolve().parent)
sys.path.insert(0, _HERE)  # the helpers in bench/implicit/ (a package beside this script)
try:
    from implicit import designed as D
    from implicit import images as IM
    from implicit import models as M
    from implicit import report as R
    from implicit import training as T
finally:
    sys.path.remove(_HERE)

DESIGNED, DESIGNED_RF = "designed", "designed RF"
MODELS = (DESIGNED, DESIGNED_RF) + tuple(c.name for c in M.COMPETITORS)
WIDE = " wide"  # the row-name suffix of the one-hidden-layer shape at a deep budget
DEFAULT_IMAGES = "camera,astronaut,coffee,chelsea,camera@512"


QUICK = dict(images="camera,astronaut", size=32, width=48, steps=100, seeds=[0], grid=1,
             max_points=200, threads=1)  # 32 x 32 pixels: more threads only add overhead


def _list(kind):
    return lambda s: [kind(v) for v in s.split(",") if v.strip()]


def _seeds(s):
    """``3`` -> [0, 1, 2]; ``0,5,7`` -> those seeds."""
    return list(range(int(s))) if "," not in s else [int(v) for v in s.split(",") if v.strip()]


DEFAULTS = dict(images=DEFAULT_IMAGES, size=256, seeds=[0, 1, 2], steps=2000, width=256,
                grid=3, max_points=1000, threads=None)


def parser():
    ap = argparse.ArgumentParser(description="Implicit-representation benchmark: the designed "
                                 "activation against SIREN, Gauss, WIRE, FINER and FF-ReLU.")
    ap.add_argument("--quick", action="store_true",
                    help="reduced run (about 2 minutes on 2 cores): " + _quick_text()
                    + "; options given explicitly still apply")
    ap.add_argument("--images", help="comma list of NAME or NAME@SIDE ("
                    + ", ".join(IM.PHOTOS) + f"); default {DEFAULT_IMAGES}")
    ap.add_argument("--size", type=int, help="side of images given without @SIDE (256)")
    ap.add_argument("--seeds", type=_seeds, help="a count N (seeds 0..N-1) or a comma list (3)")
    ap.add_argument("--steps", type=int, help="full-batch Adam steps per run (2000)")
    ap.add_argument("--width", type=int,
                    help="width of the designed MLP; fixes every model's parameter count (256)")
    ap.add_argument("--depths", type=_list(int), default=[1, 3], help="hidden layers (1,3)")
    ap.add_argument("--tasks", type=_list(str), default=list(IM.TASKS))
    ap.add_argument("--models", type=_list(str), default=list(MODELS))
    ap.add_argument("--lrs", type=_list(float), default=[1e-3, 1e-2],
                    help="learning rates of every model's tuning grid (1e-3,1e-2)")
    ap.add_argument("--grid", type=int,
                    help="values of each model's own axis in the grid (3; 1: the published one)")
    ap.add_argument("--wide", action=argparse.BooleanOptionalAction, default=True,
                    help="also every model as one wide hidden layer at each deep budget")
    ap.add_argument("--draw", choices=list(D.DRAWS), default="lattice",
                    help="the designed first layer's draw from the theory's law: a shifted "
                    "rank-1 lattice (default) or independent draws")
    ap.add_argument("--deep-scale", choices=["edge", "unit"], default="edge",
                    help="the designed deep layers' pre-activation scale: the edge of chaos "
                    "(chi = 1; default) or 1 (the second-moment gain)")
    ap.add_argument("--ridge", choices=["evidence", "kernel"], default="evidence",
                    help="the warm start's noise ratio: fitted by marginal likelihood at the "
                    "network's width (default), or the width = inf penalty fit's")
    ap.add_argument("--warm", action=argparse.BooleanOptionalAction, default=True,
                    help="kernel-regime warm start of the designed network")
    ap.add_argument("--max-points", type=int, help="pixels for choose_penalty (1000)")
    ap.add_argument("--penalty-pixels", choices=["patches", "random"], default="patches",
                    help="the pixels choose_penalty sees above --max-points: square patches "
                    "at the training pixels' density (default), or a uniform subsample")
    ap.add_argument("--kernel-points", type=int, default=2048,
                    help="exact kernel reference up to this many training pixels, else "
                    "Nystrom with this many centres")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--threads", type=int,
                    help="torch CPU threads (default: torch's own choice; 1 under --quick, "
                    "whose tiny tensors gain nothing from more)")
    ap.add_argument("--table-from", metavar="RESULTS_JSON",
                    help="print the table and margins of a saved results.json; trains nothing")
    ap.add_argument("--out", default="out/implicit",
                    help="folder for implicit_crops.png and results.json ('' for none)")
    return ap


def _quick_text():
    return ", ".join(f"{k.replace('_', '-')} {v}" for k, v in QUICK.items())


def main(argv=None):
    args = parser().parse_args(argv)
    if args.table_from:
        return reprint(Path(args.table_from))
    for key, value in DEFAULTS.items():  # options left out: --quick's or the full run's
        if getattr(args, key) is None:
            setattr(args, key, QUICK[key] if args.quick else value)
    check(args)
    return bench(args)


def fail(message: str):
    """One line on stderr and exit status 2, as the actdesign CLI does for bad input."""
    print(f"bench/implicit.py: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def check(args):
    bad = [m for m in args.models if m not in MODELS]
    bad += [t for t in args.tasks if t not in IM.TASKS]
    if bad:
        fail(f"unknown model or task {bad}; models: {', '.join(MODELS)}; "
                         f"tasks: {', '.join(IM.TASKS)}")
    if not (1 <= args.grid <= 3) or args.width < 2 or args.steps < 0 or not args.seeds:
        fail("need 1 <= --grid <= 3, --width >= 2, --steps >= 0, >= 1 seed")
    if any(d < 1 for d in args.depths) or not args.lrs or not args.depths:
        fail("--depths must be integers >= 1 and --lrs non-empty")
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            fail("--device cuda: torch sees no CUDA device; use --device cpu")


def bench(args):
    import torch

    import actdesign

    if args.threads:
        torch.set_num_threads(args.threads)
    photos = IM.parse(args.images, args.size)
    comps = {c.name: c for c in M.COMPETITORS}
    print(f"implicit-representation benchmark: {', '.join(f'{n}@{s}' for n, s in photos)}; "
          f"tasks {', '.join(args.tasks)}; depths {args.depths}; width {args.width} "
          f"(parameter count of the designed MLP, matched by every model); {args.steps} "
          f"Adam steps; grid {args.grid} x {len(args.lrs)} lr per model; seeds {args.seeds}; "
          f"device {args.device}, {torch.get_num_threads()} torch thread(s)")
    records, panels, notes, first = [], {}, [], None
    t_all = time.perf_counter()
    for name, size in photos:
        img = IM.load(name, size)
        first = first or img
        for task in args.tasks:
            _image_task(args, img, task, comps, records, notes,
                        panels if img is first and args.out else None)
    print()
    _report(args, records, notes)
    print(f"total {time.perf_counter() - t_all:.0f} s; convention: {actdesign.CONVENTION}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        meta = dict(args=vars(args), convention=actdesign.CONVENTION)
        print(f"results: {R.write_json(out / 'results.json', meta, records)}")
        masks = {t: _mask(first, t) for t in args.tasks}
        print(f"figure: {R.figure(panels, first.picture, masks, out / 'implicit_crops.png')}")
    return dict(records=records, panels=panels, notes=notes)


def _report(args, records, notes=()):
    print("PSNR (dB), mean ± sample std over images x seeds (repr: all pixels; gen: the "
          "75 % held out); d = hidden layers")
    print(R.table(records, _rows(args), args.tasks, args.depths))
    for n in dict.fromkeys(notes):
        print("note: " + n)
    _verdict(args, records)


def reprint(path: Path):
    """The table and margins of a saved run (its own options: models, tasks, depths)."""
    try:
        saved = json.loads(path.read_text())
        args = argparse.Namespace(**saved["args"])
        records = saved["records"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        fail(f"--table-from {path}: not a results.json of this benchmark ({err}); "
             "give the file a run wrote to its --out folder")
    args.wide = getattr(args, "wide", False)  # runs before the wide rows had none
    _report(args, records)
    return dict(records=records)


def _verdict(args, records):
    """The issue's criterion, per held-out column: each designed row minus the best
    competitor of its budget (the deep rows against the deep ones, the wide against the
    wide, the random-features row against both); +0.5 dB or more is a win."""
    comps = [m for m in MODELS if m in args.models and m not in (DESIGNED, DESIGNED_RF)]
    wide = [c + WIDE for c in comps]
    rivals = {DESIGNED: comps, DESIGNED + WIDE: wide, DESIGNED_RF: comps + wide}
    for task in (t for t in args.tasks if t != "representation"):
        for d in args.depths:
            got = R.margins(records, task, d, rivals)
            if got:
                print(f"margin {R.SHORT[task]} d={d} (held out; a win is >= +0.50): "
                      + "; ".join(got))


def _rows(args):
    """The table's model rows: the deep shapes, then the wide ones (RF is one layer)."""
    names = [m for m in MODELS if m in args.models]
    wide = args.wide and any(d > 1 for d in args.depths)
    return names + ([n + WIDE for n in names if n != DESIGNED_RF] if wide else [])


def _mask(img, task):
    m = np.zeros(img.y.size)
    m[IM.split(img.y.size, task)["train"]] = 1.0
    return m.reshape(img.size, img.size)


def _image_task(args, img, task, comps, records, notes, panels):
    """Every model and depth on one image and task; appends records (and crops)."""
    sp = IM.split(img.y.size, task)
    px = {k: T.pixels(img.X[v], img.y[v], args.device) for k, v in sp.items()}
    base = dict(image=img.label, task=task)
    designs, ref_crop = _references(args, img, sp, base, records, notes)
    for depth in args.depths:
        crops = []
        shapes = [False] + ([True] if args.wide and depth > 1 else [])
        for wide, name in ((w, m) for w in shapes for m in MODELS if m in args.models):
            if name in (DESIGNED, DESIGNED_RF) and not designs.designs:
                continue  # every family refused by the design: in the notes
            if name == DESIGNED_RF and wide:
                continue  # one layer already: the wide shape is itself
            before = len(records)
            try:
                model, best = _one_model(args, name, comps, designs, depth, px, base,
                                         records, wide)
            except Exception as err:  # a row too large for the device: skip it, say so
                if not T.out_of_memory(err):
                    raise
                del records[before:]  # no row with some of its seeds
                notes.append(_skipped(args, img, task, name + (WIDE if wide else ""),
                                      depth, err))
                continue
            if panels is not None:  # the crop's pixels only: a wide model is slow to run
                crops.append((f"{records[-1]['model']} {records[-len(args.seeds)]['psnr']:.2f}"
                              " dB", _crop(model, img, args.device)))
            if name == DESIGNED and depth > 1 and not wide:
                notes.append(f"{img.label} {task}: designed d={depth} uses {best[0]}, "
                             f"{designs.designs[best[0]].gain_note}")
        if panels is not None:
            panels[(task, depth)] = crops + ([ref_crop] if ref_crop else [])


def _skipped(args, img, task, label, depth, err) -> str:
    """The note of a row left out for lack of memory (the run goes on without it)."""
    import gc

    gc.collect()  # the failed model's tensors
    if args.device == "cuda":
        import torch

        torch.cuda.empty_cache()
    line = f"{img.label} {task}: {label} d={depth} skipped, out of memory on {args.device} " \
           f"({str(err).splitlines()[0][:160]}); leave it out (--models, --no-wide) or " \
           "use a smaller --width or image"
    print(line, file=sys.stderr)
    return line


def _crop(model, img, device) -> np.ndarray:
    """The model's picture in the figure's window (`report.window`)."""
    w = R.window(img.size)
    idx = np.arange(img.y.size).reshape(img.size, img.size)[w, w]
    return T.predict(model, T.pixels(img.X[idx.ravel()], img.y[idx.ravel()], device).X
                     ).reshape(idx.shape)


def _references(args, img, sp, base, records, notes):
    """The mean predictor and (with the designed model) the penalties fitted to the tuning
    pixels and the width = inf kernel fit of the chosen one: (designs, its crop)."""
    y_eval = img.y[sp["eval"]]
    mean = float(img.y[sp["train"]].mean())
    records.append(dict(base, model="mean predictor", depth=None, params=0,
                        psnr=IM.psnr(np.full(y_eval.size, mean), y_eval)))
    if DESIGNED not in args.models and DESIGNED_RF not in args.models:
        return None, None
    t0 = time.perf_counter()
    designs = D.choose(img.X[sp["fit"]], img.y[sp["fit"]], args.max_points,
                       deep=args.deep_scale, pixels=args.penalty_pixels)
    notes += [f"{base['image']} {base['task']}: {f} refused by the design: {why}"
              for f, why in designs.refused.items()]
    ref = D.kernel_reference(designs.choice, img.X[sp["train"]], img.y[sp["train"]],
                             img.X, args.kernel_points)  # all pixels: the crops use it
    records.append(dict(base, model="kernel (w=inf)", depth=None, params=0,
                        family=designs.choice.family, penalty=designs.choice.penalty,
                        psnr=IM.psnr(ref[sp["eval"]], y_eval)))
    print(f"{base['image']} {base['task']}: chosen penalty {designs.choice.family} "
          f"{designs.choice.penalty} (designable: {', '.join(designs.designs) or 'none'}; "
          f"{time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    w = R.window(img.size)
    return designs, (f"kernel w=inf {records[-1]['psnr']:.2f} dB",
                     ref.reshape(img.size, -1)[w, w])


def _one_model(args, name, comps, designs, depth, px, base, records, wide=False):
    """Tune on (fit, val) with the first seed, then train on all training pixels for every
    seed; appends one record per seed; returns the first seed's model and the setting.
    ``wide``: one hidden layer with the parameter count of the ``depth``-layer MLP."""
    target, label = M.mlp_params(args.width, depth), name + (WIDE if wide else "")
    make, values, warm, width, lrs = _model(args, name, comps, designs,
                                            1 if wide else depth, target)
    best, grid = T.tune(make, values, lrs, args.steps, args.seeds[0], px["fit"],
                        px["val"], args.device, warm)
    first = None
    for seed in args.seeds:
        score, model, sec = T.run(make, best[0], best[1], args.steps, seed, px["train"],
                                  px["eval"], args.device, warm)
        records.append(dict(base, model=label, depth=depth, seed=seed, width=width,
                            layers=1 if wide else depth,
                            params=M.count(model), value=best[0], lr=best[1], psnr=score,
                            seconds=sec, grid=grid))
        first = model if first is None else first
    print(f"{base['image']} {base['task']} d={depth} {label}: {records[-1]['psnr']:.2f} dB "
          f"(setting {best[0]}, lr {best[1]:g})", file=sys.stderr)
    return first, best


def _model(args, name, comps, designs, depth, target):
    """(make(value, X_cpu), grid values, warm start or None, width, learning rates) of one
    model with ``depth`` hidden layers and (nearest) ``target`` parameters.

    The warm-started random-features model has no learning rate: its one trainable layer
    is solved exactly by the warm start (the minimiser of the ridge objective Adam would
    descend), so it takes 0 Adam steps; from the minimiser, Adam's normalised steps
    (about lr per weight whatever the gradient) would only add noise."""
    if name in (DESIGNED, DESIGNED_RF):
        fams = list(designs.designs)
        chosen = designs.choice.family
        values = [chosen] + [f for f in fams if f != chosen][:args.grid - 1]
        rf = name == DESIGNED_RF  # trainable: the output layer's width + 1
        width = target - 1 if rf else M.width_for(M.mlp_params, target, depth)

        def make(fam, X):
            if rf:
                return D.build_rf(designs.designs[fam], width, X, draw=args.draw)
            return D.build(designs.designs[fam], width, depth, X, draw=args.draw)

        def warm(model, fam, data):  # eta None: fitted by evidence at this width
            D.warm_start(model, data.X, data.y,
                         designs.designs[fam].eta if args.ridge == "kernel" else None)

        lrs = [0.0] if rf and args.warm else args.lrs
        return make, values, warm if args.warm else None, width, lrs
    comp = comps[name]
    width = M.width_for(comp.params, target, depth)
    return ((lambda v, X: comp.build(width, depth, v)), comp.values[:args.grid], None, width,
            args.lrs)


if __name__ == "__main__":
    main()
