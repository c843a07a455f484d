"""Golden texts: the generated source is pinned for a closed form (torch), a Piecewise
closed form with its double where (JAX) and a small numeric table (torch).

After an intended change to the generated code, regenerate the files with
``python tests/test_export_golden.py`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import actdesign
from actdesign import Activation, Tabulation, TailLaw
from actdesign.export import export_source

HERE = Path(__file__).parent / "test_export_golden"


def _tiny_laplace():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    f = np.exp(-np.abs(x))
    law = TailLaw(c=1.0, a=1.0)
    tab = Tabulation.from_hermite(x, [f, -np.sign(x) * f], law, law)
    return Activation(name="tiny_laplace", penalty_text="(1+k^2)^2",
                      rho=actdesign.parse_penalty("(1+k^2)^2"), method="numeric", tabulation=tab,
                      max_abs_error=0.01)


CASES = {
    "cauchy_torch.py.txt": lambda: export_source(
        actdesign.from_expression("1/(1+z^2)", name="cauchy"), "torch", gain=1.25),
    "elu_jax.py.txt": lambda: export_source(
        actdesign.from_expression("Piecewise((z, z > 0), (exp(z) - 1, True))", name="elu"), "jax",
        gain=False),
    "tiny_laplace_torch.py.txt": lambda: export_source(_tiny_laplace(), "torch", gain=False),
}


def _normalised(text):
    return text.replace(actdesign.__version__, "@VERSION@")


@pytest.mark.parametrize("filename", sorted(CASES))
def test_generated_source_is_pinned(filename):
    assert _normalised(CASES[filename]()) == (HERE / filename).read_text()


def test_the_pinned_numeric_file_evaluates_its_table():
    # the pinned text is also correct: it reproduces the Tabulation it was made from
    torch = pytest.importorskip("torch")
    namespace = {}
    exec(compile((HERE / "tiny_laplace_torch.py.txt").read_text(), "golden", "exec"), namespace)
    z = np.linspace(-4, 4, 81)
    got = namespace["TinyLaplace"]()(torch.tensor(z)).numpy()
    np.testing.assert_allclose(got, _tiny_laplace()(z), rtol=1e-14, atol=1e-16)


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for name, make in CASES.items():
        (HERE / name).write_text(_normalised(make()))
        print("wrote", HERE / name)
