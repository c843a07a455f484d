"""TorchScript: torch.jit.script and torch.jit.trace of every kind of PyTorch export.

A closed form is plain tensor code. A numeric (tabulated) export runs, under script and
trace, a second spelling of the same evaluation (frexp instead of bit reinterpretation,
out-of-place Horner, tails by double where, autograd instead of the custom gradient):
same operations in the same order, so its values equal the eager module's bit for bit,
and its gradient differs from the eager one (the derivative of the same polynomial,
evaluated by its own Horner recursion) only by rounding.
"""

from __future__ import annotations

import functools
import io
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import actdesign  # noqa: E402
from actdesign._export._source import representation  # noqa: E402

# TorchScript is deprecated upstream (in favour of torch.compile / torch.export) but the
# docs promise it works; the deprecation notice itself is not under test
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.*:DeprecationWarning")

CASES = {
    # closed forms
    "cauchy (closed)": ("exp(2*k)", {}),
    "gelu-like relu_gauss (closed)": ("k^4*exp(k^2)", {"shape": "relu"}),
    "step (closed, piecewise constant)": ("k^2", {"shape": "sigmoid"}),
    # numeric tables: one with knots (split buckets) and polynomial tails, one decaying
    "1+k^4 relu (numeric)": ("1+k^4", {"shape": "relu"}),
    "exp(k^2) relu (numeric)": ("exp(k^2)", {"shape": "relu"}),
    "gaussian 2-D (numeric in torch: hyper)": ("exp(k^2)", {"dim": 2}),
}
GRID = [0.0, 1e-300, -1e-300, 1e-3, -0.7, 0.31, 2.5, -4.0, 11.0, -37.5, 1e6, 1e30, -1e30,
        math.inf, -math.inf, math.nan]


@functools.cache
def _act(case):
    penalty, opts = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return actdesign.design(penalty, **opts)


def _same(a, b):
    return torch.equal(torch.isnan(a), torch.isnan(b)) and torch.equal(
        torch.nan_to_num(a, nan=0.0), torch.nan_to_num(b, nan=0.0))


def test_cases_cover_both_representations():
    kinds = {representation(_act(c), "torch")["kind"] for c in CASES}
    assert kinds == {"closed", "numeric"}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", CASES)
def test_script_and_trace_equal_eager(case, dtype):
    mod = _act(case).to_torch()
    z = torch.tensor(GRID, dtype=dtype)
    eager = mod(z)
    scripted = torch.jit.script(mod)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python-side branches
        traced = torch.jit.trace(mod, z)
    assert _same(scripted(z), eager)
    assert _same(traced(z), eager)
    # other values and shapes through the same programs (a trace is specialised to the
    # rank of its example, as torch.jit.trace documents: trace again for another rank)
    z1 = torch.linspace(-20, 20, 7, dtype=dtype)
    assert _same(scripted(z1), mod(z1)) and _same(traced(z1), mod(z1))
    z3 = torch.linspace(-20, 20, 24, dtype=dtype).reshape(2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced3 = torch.jit.trace(mod, z3)
    assert _same(scripted(z3), mod(z3)) and _same(traced3(z3 * 0.5), mod(z3 * 0.5))
    # a scripted module is a real TorchScript program: it saves and loads without Python
    buf = io.BytesIO()
    torch.jit.save(scripted, buf)
    buf.seek(0)
    assert _same(torch.jit.load(buf)(z), eager)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", CASES)
def test_script_gradient_equals_eager(case, dtype):
    mod = _act(case).to_torch()
    scripted = torch.jit.script(mod)
    grads = []
    for m in (mod, scripted):
        z = torch.tensor(GRID, dtype=dtype, requires_grad=True)
        m(z).sum().backward()
        grads.append(z.grad)
    eager, script = grads
    assert torch.equal(torch.isnan(eager[:-1]), torch.isnan(script[:-1]))
    assert not torch.isnan(script[:-1]).any()  # finite-or-limit, as in eager mode
    # Horner for phi' (eager) and autograd through Horner for phi (script) round
    # differently: a few units of the dtype's last place of the largest term
    finite = torch.isfinite(eager)
    eps = torch.finfo(dtype).eps
    scale = eager[finite].abs().max().clamp(min=1.0)
    assert torch.allclose(script[finite], eager[finite], rtol=0, atol=float(64 * eps * scale))
    assert _same(script[~finite], eager[~finite])


def test_half_precision_under_script():
    # half precision is evaluated in float32 (as in eager mode) and returned in half
    mod = _act("1+k^4 relu (numeric)").to_torch()
    z = torch.linspace(-5, 5, 11, dtype=torch.float16)
    out = torch.jit.script(mod)(z)
    assert out.dtype == torch.float16 and torch.equal(out, mod(z))


def test_integer_input_refused_under_script():
    mod = torch.jit.script(_act("1+k^4 relu (numeric)").to_torch())
    with pytest.raises(Exception, match="floating-point"):
        mod(torch.arange(3))


def test_numeric_values_are_the_tabulation():
    # independent of the export: the design's own Tabulation (numpy) on the grid
    act = _act("1+k^4 relu (numeric)")
    z = np.array([-3.0, -0.5, 0.0, 0.25, 2.0, 9.0])
    out = torch.jit.script(act.to_torch())(torch.tensor(z, dtype=torch.float64)).numpy()
    ref = act(z)
    assert np.allclose(out, ref, rtol=1e-12, atol=1e-12 * np.max(np.abs(ref)))
