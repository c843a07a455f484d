"""Variance flow and gains against init.md §3.1/§4.3, closed-form recursions and mpmath."""

import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import actdesign
from actdesign.init import gain
from actdesign.init import varflow as vf

SELU = "1.0507009873554805*(Max(0,z) + Min(0, 1.6732632423543772*(exp(z) - 1)))"
GELU = "z*(1 + erf(z/sqrt(2)))/2"

# init.md §4.3 gain table: phi, E[phi], E[phi^2], c_SM, chi at c_SM, as printed there
GAIN_TABLE = [
    ("z", "0", "1", "1", "1"),
    ("relu(z)", "0.3989", "0.5", "1.4142", "1.000"),
    ("tanh(z)", "0", "0.394294", "1.5925", "1.178"),
    ("sigmoid(z)", "0.5", "0.293379", "1.8462", "0.153"),
    (SELU, "0", "1.000000", "1.0000", "1.072"),
    ("erf(z)", "0", "0.464559", "1.4672", "1.226"),
    ("sin(z)", "0", "0.432332", "1.5209", "1.313"),
    (GELU, "0.2821", "0.425221", "1.5335", "1.072"),
    ("exp(-z^2/2)", "0.7071", "0.577350", "1.3161", "0.333"),
    ("1/(1+z^2)", "0.6557", "0.5", "1.4142", "0.437"),
    ("exp(-abs(z))", "0.5232", "0.336204", "1.7246", "1.000"),
]


def _near(value: float, printed: str) -> bool:
    """Within half a unit of the last printed place (exact zeros and integers: 1e-12)."""
    digits = len(printed.split(".")[1]) if "." in printed else None
    tol = 0.5 * 10.0**-digits if digits else 1e-12
    return abs(value - float(printed)) <= tol + 1e-13


@pytest.mark.parametrize("expr, mean, second, c_sm, chi", GAIN_TABLE)
def test_gain_table(expr, mean, second, c_sm, chi):
    g = gain(expr)
    assert _near(g.mean, mean) and _near(g.second, second)
    assert _near(g.gain, c_sm) and abs(g.gain - float(c_sm)) <= 1e-4
    assert _near(g.chi, chi)
    assert float(g) == g.gain


def _mp_expect(f, sigma=1.0, kinks=(0.0,)):
    """E[f(sigma Z)] by mpmath at 30 digits, split at the kinks of f (in units of sigma Z)."""
    mp.mp.dps = 30
    dens = lambda z: mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
    pts = sorted({-1.0, 1.0, *(k / sigma for k in kinks)})
    return float(mp.quad(lambda z: f(sigma * z) * dens(z), [-mp.inf, *pts, mp.inf]))


MP_FUNCS = {
    "tanh(z)": (mp.tanh, lambda x: mp.sech(x) ** 2),
    "sigmoid(z)": (lambda x: 1 / (1 + mp.exp(-x)), lambda x: mp.exp(-x) / (1 + mp.exp(-x)) ** 2),
    GELU: (lambda x: x * (1 + mp.erf(x / mp.sqrt(2))) / 2,
           lambda x: (1 + mp.erf(x / mp.sqrt(2))) / 2
           + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)),
    "exp(-abs(z))": (lambda x: mp.exp(-abs(x)), lambda x: -mp.sign(x) * mp.exp(-abs(x))),
    SELU: (lambda x: 1.0507009873554805 * (x if x > 0 else 1.6732632423543772 * (mp.exp(x) - 1)),
           lambda x: 1.0507009873554805 * (1 if x > 0 else 1.6732632423543772 * mp.exp(x))),
}


@pytest.mark.parametrize("expr", list(MP_FUNCS))
@pytest.mark.parametrize("sigma", [0.3, 2.5])
def test_moments_match_mpmath(expr, sigma):
    f, df = MP_FUNCS[expr]
    m = vf.moments(expr, sigma)
    assert m.mean == pytest.approx(_mp_expect(f, sigma), rel=1e-10, abs=1e-13)
    assert m.second == pytest.approx(_mp_expect(lambda x: f(x) ** 2, sigma), rel=1e-10)
    assert m.deriv_second == pytest.approx(_mp_expect(lambda x: df(x) ** 2, sigma), rel=1e-10)


# init.md §3.1: tanh forward fixed points s* and slopes F'(s*) over c
TANH_FIXED = [(1.05, 0.2198, 0.910), (1.1, 0.3053, 0.836), (1.2, 0.4163, 0.720),
              (math.sqrt(2), 0.5559, None), (1.5, 0.5938, 0.505), (5 / 3, 0.6513, 0.431),
              (2, 0.7283, 0.331), (3, 0.8370, 0.190)]


@pytest.mark.parametrize("c, s_star, slope", TANH_FIXED)
def test_tanh_forward_fixed_points(c, s_star, slope):
    pts = vf.fixed_points("tanh(z)", c)
    assert [p.s for p in pts][0] == 0.0 and not pts[0].stable  # the origin, unstable for c > 1
    assert pts[0].slope == pytest.approx(c, rel=1e-6)  # F'(0) = c: pitchfork at c = 1
    (p,) = pts[1:]
    assert abs(p.s - s_star) <= 1e-4 and p.stable
    if slope is not None:
        assert abs(p.slope - slope) <= 5e-4


@pytest.mark.parametrize("c", [0.5, 0.9])
def test_tanh_below_bifurcation_only_origin(c):
    (p,) = vf.fixed_points("tanh(z)", c)
    assert p.s == 0.0 and p.stable and p.slope == pytest.approx(c, rel=1e-6)


def test_bifurcation_lists_each_c():
    rows = vf.bifurcation("tanh(z)", [0.8, 1.2, 2.0])
    assert [c for c, _ in rows] == [0.8, 1.2, 2.0]
    assert [len(p) for _, p in rows] == [1, 2, 2]


def test_tanh_trajectories():
    layers = [1, 2, 4, 8, 16, 32]
    s = vf.trajectory("tanh(z)", 1.0, 32)
    assert np.all(np.abs(s[layers] - [0.628, 0.486, 0.358, 0.255, 0.180, 0.127]) <= 5e-4)
    s = vf.trajectory("tanh(z)", 5 / 3, 32)
    assert np.all(np.abs(s[[1, 2, 4, 8]] - [0.759, 0.693, 0.659, 0.652]) <= 5e-4)
    assert abs(s[32] - 0.6513) <= 1e-4


@pytest.mark.parametrize("c", [1.0, 5 / 3])
def test_tanh_trajectory_against_mpmath(c):
    # all 32 layers of init.md's trajectories, against 30-digit quadrature (the printed
    # table has three decimals; this pins every layer far below 1e-4)
    s = vf.trajectory("tanh(z)", c, 32)
    ref = [1.0]
    for _ in range(32):
        ref.append(math.sqrt(_mp_expect(lambda x: mp.tanh(x) ** 2, c * ref[-1])))
    assert s == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("c, s_t", [(0.5, 0.8727), (1, 0.7539), (1.5, 0.6773), (2, 0.6236),
                                    (3, 0.5516)])
def test_tanh_backward_fixed_points(c, s_t):
    (p,) = vf.fixed_points("tanh(z)", c, kind="backward")
    assert abs(p.s - s_t) <= 1e-4 and p.stable and -0.46 < p.slope < -0.19


@pytest.mark.parametrize("c", [1.0, math.sqrt(2), 2.0])
def test_relu_closed_form_recursion(c):
    s = vf.trajectory("relu(z)", c, 10, s0=0.7)
    assert s == pytest.approx(0.7 * (c / math.sqrt(2)) ** np.arange(11), rel=1e-12)


def test_relu_he_is_a_line_of_fixed_points():
    (p,) = vf.fixed_points("relu(z)", math.sqrt(2))
    assert p.kind == "line" and p.s == 0.0 and p.s_hi >= 100 and not p.stable
    (p,) = vf.fixed_points("relu(z)", 1.0)
    assert p.s == 0 and p.stable and p.slope == pytest.approx(1 / math.sqrt(2), rel=1e-6)


@pytest.mark.parametrize("c", [0.7, 1.0, 1.6])
def test_erf_closed_form_recursion(c):
    # neural-tangents' Erf: E[erf(sqrt(q) Z)^2] = (2/pi) arcsin(2q/(1+2q))
    s = vf.trajectory("erf(z)", c, 8)
    ref = [1.0]
    for _ in range(8):
        q = (c * ref[-1]) ** 2
        ref.append(math.sqrt(2 / math.pi * math.asin(2 * q / (1 + 2 * q))))
    assert s == pytest.approx(ref, rel=1e-12)
    # backward: E[erf'(sZ)^2] = (4/pi)/sqrt(1 + 4 s^2)
    b = vf.backward_map("erf(z)", c)
    for x in (0.1, 0.8, 3.0):
        assert b(x) == pytest.approx(math.sqrt(4 / math.pi / math.sqrt(1 + 4 * (c * x) ** 2)),
                                     rel=1e-12)


def test_erf_value_quoted_in_notes():
    assert vf.moments("erf(z)", 1.0).second == pytest.approx(0.464559, abs=5e-7)


def test_moments_with_bias_match_mpmath():
    m = vf.moments("tanh(z)", 0.8, bias=0.4)
    ref = _mp_expect(lambda x: mp.tanh(x + 0.4) ** 2, 0.8)
    assert m.second == pytest.approx(ref, rel=1e-10)
    m = vf.moments("relu(z)", 0.8, bias=-0.3)
    ref = _mp_expect(lambda x: max(x - 0.3, 0) ** 2, 0.8, kinks=(0.3,))
    assert m.second == pytest.approx(ref, rel=1e-10)


def test_vectorised_sigma_matches_scalar():
    sig = np.array([0.1, 1.0, 7.0])
    m = vf.moments("exp(-abs(z))", sig)
    for i, s in enumerate(sig):
        assert m.second[i] == pytest.approx(float(vf.moments("exp(-abs(z))", s).second), rel=1e-12)
    # closed form: E[exp(-2|sZ|)] = 2 exp(2 s^2) Phi(-2 s)
    ref = [2 * math.exp(2 * s * s) * 0.5 * math.erfc(2 * s / math.sqrt(2)) for s in sig]
    assert m.second == pytest.approx(ref, rel=1e-11)


def test_integrable_singularity_and_divergent_derivative():
    # phi = K0(|z|)/pi (design of 1 + k^2): log singular at 0, phi' ~ 1/z is not square integrable
    from scipy.integrate import quad
    from scipy.special import k0

    m = vf.moments("besselk(0, abs(z))/pi", 1.0)
    f = lambda x: (k0(x) / np.pi) ** 2 * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    ref = 2 * (quad(f, 0, 1, epsabs=0, epsrel=1e-13, limit=200)[0] + quad(f, 1, np.inf)[0])
    assert m.second == pytest.approx(ref, rel=1e-9)
    assert m.deriv_second == np.inf


def _bump(phi, rho):
    return actdesign.Activation(name="bump", penalty_text=rho, rho=actdesign.parse_penalty(rho),
                                phi=actdesign.parse_activation(phi), shape="bump")


@pytest.mark.parametrize("phi, rho", [
    ("1/(1+z^2)", "exp(2*k)/pi^2"),           # F = pi exp(-|k|)
    ("exp(-z^2/2)", "exp(k^2)/(2*pi)"),        # F = sqrt(2 pi) exp(-k^2/2)
    ("exp(-abs(z))", "(1+k^2)^2/4"),           # F = 2/(1+k^2): algebraic spectral tail
])
def test_fourier_route_matches_mpmath(phi, rho):
    act = _bump(phi, rho)
    f = {"1/(1+z^2)": lambda x: 1 / (1 + x * x), "exp(-z^2/2)": lambda x: mp.exp(-x * x / 2),
         "exp(-abs(z))": lambda x: mp.exp(-abs(x))}[phi]
    df = {"1/(1+z^2)": lambda x: -2 * x / (1 + x * x) ** 2,
          "exp(-z^2/2)": lambda x: -x * mp.exp(-x * x / 2),
          "exp(-abs(z))": lambda x: mp.exp(-abs(x))}[phi]
    for sigma in (0.5, 3.0):
        m = vf.moments(act, sigma, method="fourier")
        assert m.mean == pytest.approx(_mp_expect(f, sigma), rel=1e-10)
        assert m.second == pytest.approx(_mp_expect(lambda x: f(x) ** 2, sigma), rel=1e-10)
        assert m.deriv_second == pytest.approx(_mp_expect(lambda x: df(x) ** 2, sigma), rel=1e-10)


def test_fourier_route_needs_a_bump():
    with pytest.raises(actdesign.ActdesignError, match="zero-phase bump"):
        vf.moments("tanh(z)", 1.0, method="fourier")


def test_tabulated_activation_uses_its_table():
    # a quintic Hermite table of tanh on [-12, 12] with constant tails: moments agree with
    # tanh's to the table's own accuracy
    x = np.linspace(-12, 12, 2401)
    t = np.tanh(x)
    d = [t, 1 - t * t, -2 * t * (1 - t * t)]
    tab = actdesign.Tabulation.from_hermite(x, d, actdesign.TailLaw(poly=(-1.0,)),
                                            actdesign.TailLaw(poly=(1.0,)))
    act = actdesign.Activation(name="tab", penalty_text=None, rho=None, phi=None, tabulation=tab,
                               method="numeric", shape="sigmoid")
    m, ref = vf.moments(act, 1.3), vf.moments("tanh(z)", 1.3)
    assert m.second == pytest.approx(float(ref.second), rel=1e-9)
    assert m.deriv_second == pytest.approx(float(ref.deriv_second), rel=1e-9)
    assert gain(act).gain == pytest.approx(gain("tanh(z)").gain, rel=1e-9)


def test_designed_activation_gain():
    act = actdesign.design("(1+k^2)^2")  # exp(-|z|)/2
    assert gain(act).gain == pytest.approx(2 * 1.7246, abs=2e-4)
    assert gain(act).chi == pytest.approx(1.0, abs=1e-9)


def test_activation_can_be_an_expression_object():
    act = actdesign.from_expression("tanh(z)")
    assert vf.forward_map(act, 1.0)(1.0) == pytest.approx(math.sqrt(0.3942944903978412), rel=1e-12)
    assert isinstance(act.phi, sp.Expr)


@pytest.mark.parametrize("call, match", [
    (lambda: gain("0*z"), "nonzero"),
    (lambda: vf.moments("tanh(z)", -1.0), "sigma"),
    (lambda: vf.forward_map("tanh(z)", 0.0), "c must be"),
    (lambda: gain("tanh(z)", c=-2), "c must be"),
    (lambda: vf.moments("tanh(z)", 1.0, method="simpson"), "unknown method"),
    (lambda: vf.fixed_points("tanh(z)", 1.0, kind="sideways"), "kind"),
    (lambda: gain(3.0), "formula string"),
    (lambda: gain("exp(z^2)"), "not finite|nonzero"),
])
def test_bad_input_is_reported(call, match):
    with pytest.raises(actdesign.ActdesignError, match=match):
        call()


def test_removable_zero_times_infinity_at_the_origin():
    # phi = |z| K1(|z|)/pi (Matern nu = 1) is 0*inf at z = 0 in floating point; its limit is
    # 1/pi and the gain must be finite: 1/sqrt(E[phi(Z)^2]) against mpmath quadrature
    act = actdesign.design("(1 + k^2)^3")
    assert act.phi is not None and act.phi.has(sp.besselk)
    ref = 1 / math.sqrt(_mp_expect(lambda x: (abs(x) * mp.besselk(1, abs(x)) / mp.pi) ** 2))
    assert abs(gain(act).gain - ref) <= 1e-9 * ref


def test_log_singular_activation_has_a_gain_and_infinite_chi():
    # K0(|z|) is infinite at 0 but square-integrable; phi' ~ -1/z is not, so chi = inf
    g = gain("besselk(0, abs(z))")
    ref = 1 / math.sqrt(_mp_expect(lambda x: mp.besselk(0, abs(x)) ** 2))
    assert abs(g.gain - ref) <= 1e-10 * ref
    assert math.isinf(g.chi)


def test_step_activation_gain_with_a_jump():
    # E[H(Z)^2] = 1/2 so the gain is sqrt(2); H' is a delta, so chi is infinite; the map
    # s -> sqrt(E[H(c s Z)^2]) = 1/sqrt(2) is constant: one fixed point there, slope 0
    g = gain("Heaviside(z)")
    assert abs(g.gain - math.sqrt(2)) <= 1e-12 and math.isinf(g.chi)
    assert len(g.fixed_points) == 1 and abs(g.fixed_points[0].s - math.sqrt(0.5)) <= 1e-9
    assert g.fixed_points[0].stable


def test_growing_activations_scan_fixed_points_where_the_map_is_finite():
    # softplus at large s: log(1 + exp(z)) must not overflow to inf (gain against mpmath)
    ref = 1 / math.sqrt(_mp_expect(lambda x: mp.log(1 + mp.exp(x)) ** 2))
    assert abs(gain("log(1 + exp(z))").gain - ref) <= 1e-10
    # exp(z): E[exp(2Z)] = e^2 gives c = 1/e; F(s) = exp(c^2 s^2) leaves float64 at large s,
    # and the fixed points of s = exp(s^2/e^2) below that are found (brentq reference)
    from scipy.optimize import brentq

    g = gain("exp(z)")
    assert abs(g.gain - math.exp(-1)) <= 1e-12
    F = lambda s: math.exp(s * s / math.e**2) - s  # noqa: E731 - sqrt(E[exp(2 c s Z)]) - s
    want = [brentq(F, 0.5, 2.0), brentq(F, 2.0, 5.0)]
    np.testing.assert_allclose([p.s for p in g.fixed_points], want, rtol=1e-8)
