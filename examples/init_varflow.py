"""Variance flow of tanh networks (seed 003, §2 and App. B): the pitchfork at c = 1.

Left: fixed points of s -> sqrt(E[tanh(c s Z)^2]) over the weight scale c (solid: stable,
dashed: unstable). Middle: depth trajectories from s0 = 1 (c = 1 decays like 1/sqrt(2l);
torch's tanh gain 5/3 converges to 0.6513). Right: the backward map's fixed point.

Usage: python examples/init_varflow.py [OUT_DIR]   (or ACTDESIGN_EXAMPLES_OUT; default examples/out)
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import _out  # noqa: E402  (examples/_out.py: the one output-folder rule)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from actdesign.init import gain  # noqa: E402
from actdesign.init import varflow as vf


def out_dir() -> Path:
    return _out.out_dir(sys.argv[1] if len(sys.argv) > 1 else None)


def main():
    act = "tanh(z)"
    cs = np.union1d(np.linspace(0.5, 3.0, 51), 1 + np.geomspace(1e-3, 0.05, 8))
    rows = vf.bifurcation(act, cs)
    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    for stable, style in ((True, "-"), (False, "--")):
        for which in (0, 1):  # origin and the positive branch
            pts = [(c, p[which].s) for c, p in rows
                   if len(p) > which and p[which].stable == stable]
            if pts:
                x, y = zip(*pts, strict=True)
                ax[0].plot(x, y, style, color="C0" if which else "C3",
                           label=f"{'origin' if which == 0 else 's* > 0'} "
                                 f"({'stable' if stable else 'unstable'})")
    g = gain(act)
    ax[0].axvline(1, color="gray", lw=0.8)
    ax[0].axvline(5 / 3, color="C2", lw=0.8, ls=":", label="torch gain 5/3")
    ax[0].axvline(g.gain, color="C1", lw=0.8, ls=":", label=f"second-moment gain {g.gain:.4f}")
    ax[0].set(xlabel="weight scale c", ylabel="fixed point s*", title="tanh: pitchfork at c = 1")
    ax[0].legend(fontsize=7)

    depth = 32
    for c in (0.9, 1.0, 1.2, 5 / 3, 2.0):
        ax[1].plot(vf.trajectory(act, c, depth), marker=".", label=f"c = {c:.3g}")
    ax[1].plot(np.arange(1, depth + 1), 1 / np.sqrt(2 * np.arange(1, depth + 1)), "k:", lw=0.8,
               label="1/sqrt(2l)")
    ax[1].set(xlabel="layer l", ylabel="RMS s_l", yscale="log", title="depth trajectories, s0 = 1")
    ax[1].legend(fontsize=7)

    back = [(c, p[0].s, p[0].slope) for c, p in vf.bifurcation(act, cs, kind="backward")]
    c_, s_, sl = zip(*back, strict=True)
    ax[2].plot(c_, s_, label="s_T* (stable)")
    ax[2].plot(c_, np.abs(sl), "--", label="|B'(s_T*)|")
    ax[2].set(xlabel="weight scale c", title="backward map (Eq. B.3)")
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    path = out_dir() / "init_varflow.png"
    fig.savefig(path, dpi=110)
    print(path)


if __name__ == "__main__":
    main()
