"""Everything shown for one catalog entry, computed from the public actdesign API.

`compute` returns the page data (a JSON-ready dict) and writes the figures and
formula SVGs into the entry's folder. Each optional section (fit, gain, exports, the
design check) is computed on its own: a dependency API that is absent from this build
is listed under ``missing``; a section that fails for this entry is listed under
``problems`` with the error, and its place on the page says so. No value is invented.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import warnings
from pathlib import Path

import numpy as np
import sympy as sp

from ..catalog import Entry
from ..formula._parse import parse_activation
from ..infra import _symbols as S
from ..infra._convention import CONVENTION
from . import _classify, _mathsvg, _plots

Z_GRID = np.linspace(-6.0, 6.0, 1200)  # even count: z = 0 (K0's singularity) is not sampled
K_GRID = np.geomspace(1e-2, 1e2, 300)
CHECK_Z = np.linspace(-20.0, 20.0, 4001)
# the standard 1-D data set: a step plus two sinusoids, 40 points on [-3, 3]
DATA_SEED, DATA_N, DATA_HALF_WIDTH = 0, 40, 3.0
FIT_WIDTH, FIT_RADIUS, FIT_SEED = 2000, 4.0, 0


class Missing(Exception):
    """A dependency API that this build of actdesign does not have."""


def target(x):
    """The data set's target: 0.5 sign(x) + 0.4 sin(2x) + 0.25 sin(5x)."""
    return 0.5 * np.sign(x) + 0.4 * np.sin(2 * x) + 0.25 * np.sin(5 * x)


def data_set():
    """The 40 training points (x sorted) and targets."""
    x = np.sort(np.random.default_rng(DATA_SEED).uniform(-DATA_HALF_WIDTH, DATA_HALF_WIDTH, DATA_N))
    return x, target(x)


def _api(module: str, attr: str | None = None):
    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise Missing(f"{module} is not available in this build") from None
    if attr is None:
        return mod
    if not hasattr(mod, attr):
        raise Missing(f"{module}.{attr} is not available in this build")
    return getattr(mod, attr)


# --- the activation ------------------------------------------------------------------------
def activation(entry: Entry):
    """The Activation shown on the page: the record's closed form, or its design."""
    import actdesign

    if entry.designed:
        design = _api("actdesign", "design")
        return design(entry.penalty, dim=entry.dim, shape=entry.shape, name=entry.name)
    act = actdesign.from_expression(entry.phi, name=entry.name)
    rho = actdesign.parse_penalty(entry.penalty)
    return dataclasses.replace(act, penalty_text=entry.penalty, rho=rho, dim=entry.dim,
                               shape=entry.shape, method="table")


def derivative(act, nu: int):
    """(values of phi^(nu) on Z_GRID, note); delta terms of closed forms are dropped and noted."""
    from ..formula._evaluate import evaluate

    if act.phi is None:
        return act.derivative(Z_GRID, nu), ""
    d = sp.diff(act.phi, S.z, nu)
    note = ""
    if d.has(sp.DiracDelta):
        d = d.replace(sp.DiracDelta, lambda *args: sp.S.Zero)
        note = f"φ{'′' * nu} also has δ terms at z = 0 (not drawn)"
    return evaluate(d, S.z, Z_GRID), note


# --- sections ------------------------------------------------------------------------------
def _formulas(entry, act, folder: Path) -> dict:
    k = S.k
    amp = sp.powdenest(sp.sqrt(sp.Abs(k) ** (entry.dim - 1) / act.rho), force=True)
    items = {"rho": (r"\rho(k) = " + _mathsvg.latex(act.rho), entry.penalty),
             "amp": (r"|F[\phi](k)| = " + _mathsvg.latex(amp), str(amp))}
    if act.phi is not None:
        items["phi"] = (r"\phi(z) = " + _mathsvg.latex(act.phi), str(act.phi))
    elif entry.phi_exact:
        exact = parse_activation(entry.phi_exact)
        items["phi"] = (r"\phi(z) = " + _mathsvg.latex(exact), str(exact))
    out = {}
    for key, (tex, plain) in items.items():
        (folder / f"{key}.svg").write_text(_mathsvg.render(tex, plain))
        out[key] = {"svg": f"{key}.svg", "text": plain}
    return out


def _curves(act):
    values, notes = {}, []
    for nu, label in ((0, "φ"), (1, "φ′"), (2, "φ″")):
        try:
            y, note = derivative(act, nu)
        except (TypeError, ValueError, NotImplementedError, KeyError) as err:
            y, note = None, f"{label} not drawn: {err}"
        values[label] = None if y is None else np.asarray(y, dtype=float)
        notes += [note] if note else []
    return values, notes


def _asymptotes(g: dict, dim: int) -> str:
    low = g["p_low"]
    low_txt = (f"k→0: ρ ~ k^{low:.2f}" if abs(low) > 0.02 else "k→0: ρ(0) finite, > 0")
    cls = g["class"]
    high_txt = {
        "polynomial": f"k→∞: ρ ~ k^{g['p_high']:.2f}",
        "exponential": "k→∞: ρ grows like e^(c|k|)",
        "Gaussian": "k→∞: ρ grows like e^(c k²)",
        "super-Gaussian": "k→∞: ρ grows faster than e^(c k²)",
        "band-limited": "ρ = ∞ beyond a finite k (band limit)",
    }[cls]
    lines = [low_txt, high_txt]
    if g["k_min"] > 0.02:  # an interior minimum: the band this penalty favours
        lines.append(f"ρ smallest near k ≈ {g['k_min']:.3g}")
    return "\n".join(lines)


def _fit(entry, act, folder: Path) -> dict:
    fit = _api("actdesign.fit", "RadonSplineRegressor")
    spectrum = _api("actdesign.spectrum", "spectrum")
    x, y = data_set()
    X = np.zeros((x.size, entry.dim))
    X[:, 0] = x
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit(act, width=FIT_WIDTH, radius=FIT_RADIUS, seed=FIT_SEED).fit(X, y)
    grid = np.linspace(-DATA_HALF_WIDTH, DATA_HALF_WIDTH, 1201)
    G = np.zeros((grid.size, entry.dim))
    G[:, 0] = grid

    def learned_fn(t):
        P = np.zeros((np.size(t), entry.dim))
        P[:, 0] = np.ravel(t)
        return model.predict(P).reshape(np.shape(t))

    learned = model.predict(G)
    dom = (-DATA_HALF_WIDTH, DATA_HALF_WIDTH)
    s_t = spectrum(target, dom, window="hann", n=2048)
    s_l = spectrum(learned_fn, dom, window="hann", n=2048)
    keep = s_t.k <= 12
    _plots.fit_plot(folder / "fit.png", x, y, grid, target(grid), learned, s_t.k[keep],
                    np.abs(s_t.values[keep]), np.abs(s_l.values[keep]))
    test_rmse = float(np.sqrt(np.mean((learned - target(grid)) ** 2)))
    return {"png": "fit.png", "train_rmse": float(model.train_rmse_), "test_rmse": test_rmse,
            "rank": int(model.rank_), "width": FIT_WIDTH, "radius": FIT_RADIUS, "seed": FIT_SEED,
            "warnings": sorted({" ".join(str(w.message).split()) for w in caught}),
            "notes": list(getattr(model, "notes_", []))}


def _gain(act) -> dict:
    g = _api("actdesign.init", "gain")(act)
    return {"gain": g.gain, "chi": g.chi, "mean": g.mean, "second": g.second,
            "deriv_second": g.deriv_second}


USAGE = {
    "torch": ("\n\n# --- usage (added by the gallery) ---\n"
              "model = torch.nn.Sequential(torch.nn.Linear(1, 64), {name}(),\n"
              "                            torch.nn.Linear(64, 1))\n"
              "print(model(torch.linspace(-2.9, 3.1, 7).unsqueeze(1)).shape)\n"),
    "jax": ("\n\n# --- usage (added by the gallery) ---\n"
            "z = jnp.linspace(-2.9, 3.1, 7)\n"
            "print(jax.jit({name})(z), jax.vmap(jax.grad({name}))(z))\n"),
}


def _snippets(act) -> dict:
    export_source = _api("actdesign.export", "export_source")
    out = {}
    for backend in ("torch", "jax"):
        src = export_source(act, backend)
        found = re.search(r"__all__ = \[[\"'](\w+)[\"']\]", src)
        if not found:
            raise ValueError(f"the {backend} export names no object in __all__")
        out[backend] = {"code": src.rstrip() + USAGE[backend].format(name=found.group(1)),
                        "object": found.group(1)}
    return out


def _design_check(entry, act) -> dict | None:
    """For designed entries with a closed form: what `actdesign make` returns, against it."""
    if entry.source != "designed":
        return None
    design = _api("actdesign", "design")
    reference = act if not entry.designed else None
    made = act if entry.designed else design(entry.penalty, dim=entry.dim, shape=entry.shape,
                                             name=entry.name)
    out = {"method": made.method, "max_abs_error": float(made.max_abs_error)}
    exact = entry.phi_exact if entry.designed else None
    if reference is None and exact:
        import actdesign

        reference = actdesign.from_expression(exact)
        out["reference"] = exact
    if reference is not None:
        z = CHECK_Z[CHECK_Z != 0]
        with np.errstate(all="ignore"):
            diff = np.abs(np.asarray(made(z), float) - np.asarray(reference(z), float))
        out["max_diff"] = float(np.nanmax(diff))
    return out


def _section(name, fn, data):
    try:
        return fn()
    except Missing as err:
        data["missing"].append(f"{name}: {err}")
    except Exception as err:  # noqa: BLE001 - reported on the page and by build()
        data["problems"].append(f"{name}: {type(err).__name__}: {' '.join(str(err).split())}")
    return None


# --- the entry -----------------------------------------------------------------------------
def compute(entry: Entry, folder: Path) -> dict:
    """Page data for ``entry``; figures and SVGs are written into ``folder``.

    Warnings raised on the way are collected (``data["warnings"]``) and shown on the page,
    the same whether this runs in a worker or in the caller's process.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = _compute(entry, folder)
    data["warnings"] = sorted({f"{w.category.__name__}: {' '.join(str(w.message).split())}"
                               for w in caught})
    return data


def _compute(entry: Entry, folder: Path) -> dict:
    data = {"entry": entry.to_dict(), "convention": CONVENTION, "missing": [], "problems": [],
            "make": entry.make_command()}
    with np.errstate(all="ignore"):  # overflow in far tails is drawn as gaps
        act = activation(entry)
        data["method"] = act.method
        data["max_abs_error"] = float(act.max_abs_error)
        data["act_notes"] = list(act.notes)
        data["formulas"] = _formulas(entry, act, folder)
        curves, data["curve_notes"] = _curves(act)
        rho = np.asarray(act.penalty(K_GRID), float)
        amp = np.asarray(act.spectrum(K_GRID), float)
        g = _classify.growth(act.rho)
        data["growth"] = g
        data["tails"] = _classify.tails(act)
        data["classes"] = {"family": entry.family, "smoothness": _classify.smoothness(g, entry.dim),
                           "tail": data["tails"]["class"], "growth": g["class"]}
        data["asymptotes"] = _asymptotes(g, entry.dim)
        _plots.phi_plot(folder / "phi.png", Z_GRID, curves, f"{entry.title}: φ and its derivatives")
        _plots.rho_plot(folder / "rho.png", K_GRID, rho, amp, data["asymptotes"])
        _plots.thumbnail(folder / "thumb_phi.png", Z_GRID, curves["φ"])
        _plots.thumbnail(folder / "thumb_rho.png", K_GRID, rho, log=True)
        data["samples"] = _samples(curves["φ"], rho)
    data["fit"] = _section("kernel-regime fit", lambda: _fit(entry, act, folder), data)
    data["gain"] = _section("gain", lambda: _gain(act), data)
    data["snippets"] = _section("export snippets", lambda: _snippets(act), data)
    data["design_check"] = _section("design check", lambda: _design_check(entry, act), data)
    data["files"] = sorted(p.name for p in folder.iterdir())
    return data


def _samples(phi, rho) -> dict:
    """Coarse curves for the compare page's overlays (JSON numbers; gaps as null)."""
    zi = slice(0, None, 12)
    ki = slice(0, None, 3)
    with np.errstate(all="ignore"):
        log_rho = np.log10(np.where(rho > 0, rho, np.nan))
    return {"z": _round(Z_GRID[zi]), "phi": _round(phi[zi]),
            "k": _round(K_GRID[ki]), "log10_rho": _round(log_rho[ki])}


def _round(a):
    return [None if not np.isfinite(v) else float(f"{v:.5g}") for v in np.asarray(a, float)]
