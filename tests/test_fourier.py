"""actdesign.fourier._transform: numeric inverse/forward transforms against independent references.

References: closed forms (checked here against mpmath where the constant is not obvious),
mpmath quadrature at raised precision, and scipy.special.  Every case also checks that the
returned error estimate bounds the true error.
"""

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special as sc

from actdesign import ActdesignError
from actdesign.fourier import _rules as R
from actdesign.fourier import _transform as F

pi = np.pi
Z = np.array([-1e3, -50.0, -3.3, -1.0, 0.0, 1e-9, 1e-3, 0.05, 0.5, 1.0, 2.0, 10.0, 40.0, 50.0,
              200.0, 1e3])


def _assert_close(val, err, ref, tol):
    """|val - ref| <= tol, and the error estimate bounds the true error."""
    true = np.abs(val - ref)
    assert np.all(true <= tol), f"max error {true.max():.2e} > {tol:.1e}"
    assert np.all(err >= true), f"estimate below true error at {np.flatnonzero(err < true)}"


def _sech(x):
    e = np.exp(-np.abs(x))
    return 2 * e / (1 + e * e)


def _sinc(z):
    return np.sinc(z / pi) / pi


def _one_minus_cos_over_z2(z):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(z == 0, 0.5 / pi, 2 * np.sin(z / 2) ** 2 / (pi * z * z))


# G(k) -> phi(z) = (1/pi) int_0^inf G cos(kz) dk; tolerance (absolute, max|phi| <= 0.4)
TABLE = {
    "exp(-0.7k)": (lambda k: np.exp(-0.7 * k), lambda z: (0.7 / pi) / (0.49 + z * z), 3e-15, {}),
    "exp(-k^2/2)": (lambda k: np.exp(-k * k / 2), lambda z: np.exp(-z * z / 2) / np.sqrt(2 * pi),
                    3e-15, {}),
    "1/(1+k^2)": (lambda k: 1 / (1 + k * k), lambda z: np.exp(-np.abs(z)) / 2, 3e-15, {}),
    "sech(k)": (_sech, lambda z: 0.5 * _sech(pi * z / 2), 3e-15, {}),
    "1 on [0,1]": (lambda k: np.ones_like(k), _sinc, 3e-15, {"band": (0.0, 1.0)}),
    "max(0,1-k)": (lambda k: np.maximum(0.0, 1 - k), _one_minus_cos_over_z2, 3e-15,
                   {"breakpoints": (1.0,)}),
}


@pytest.mark.parametrize("name", list(TABLE))
def test_inverse_cosine_closed_forms(name):
    G, phi, tol, kw = TABLE[name]
    val, err = F.inverse_cosine(G, Z, **kw)
    _assert_close(val, err, phi(Z), tol)


def test_inverse_cosine_bessel_k0():
    # phi = K0(|z|)/pi has a log singularity at z = 0: absolute accuracy 1e-14 near it
    # (values ~2.2 at z = 1e-3), 1e-15 elsewhere; at z = 0 the integral diverges and
    # the error estimate must say so
    z = Z[Z != 0]
    val, err = F.inverse_cosine(lambda k: (1 + k * k) ** -0.5, z)
    _assert_close(val, err, sc.k0(np.abs(z)) / pi, 1e-14)
    v0, e0 = F.inverse_cosine(lambda k: (1 + k * k) ** -0.5, 0.0)
    assert e0 == np.inf


def test_sech_constant_against_mpmath():
    # int_0^inf sech(k) cos(kz) dk = (pi/2) sech(pi z/2): the table's constant, checked
    with mp.workdps(30):
        direct = mp.quad(lambda k: mp.sech(k) * mp.cos(k * mp.mpf("0.7")), [0, mp.inf]) / mp.pi
    assert abs(float(direct) - 0.5 / np.cosh(pi * 0.7 / 2)) < 1e-16


# non-table G: mpmath references at 20 digits (two or three points each keep this fast)
MP_CASES = {
    "1/(1+k^4)": (lambda k: 1 / (1 + k**4), lambda k: 1 / (1 + k**4), [0.0, 25.0]),
    "exp(-k)/(1+k^2)": (lambda k: np.exp(-k) / (1 + k * k), lambda k: mp.exp(-k) / (1 + k * k),
                        [0.0, 0.37, 60.0]),
    "(1+k^2)^-3/4": (lambda k: (1 + k * k) ** -0.75, lambda k: (1 + k * k) ** mp.mpf(-0.75),
                     [0.0, 60.0]),
    "k^2 exp(-k^2)": (lambda k: k * k * np.exp(-k * k), lambda k: k * k * mp.exp(-k * k),
                      [0.0, 0.37, 3.0]),
    "sech(k)^2": (lambda k: _sech(k) ** 2, lambda k: mp.sech(k) ** 2, [0.0, 1.0, 3.0]),
    "exp(-sqrt k)": (lambda k: np.exp(-np.sqrt(k)), lambda k: mp.exp(-mp.sqrt(k)),
                     [0.0, 0.37, 25.0]),
}


@pytest.mark.parametrize("name", list(MP_CASES))
def test_inverse_cosine_against_mpmath(name):
    G, G_mp, z = MP_CASES[name]
    z = np.array(z)
    ref = F.mp_inverse_cosine(G_mp, z, dps=20)
    val, err = F.inverse_cosine(G, z)
    _assert_close(val, err, ref, 1e-14)


def test_one_over_one_plus_k4_closed_form():
    # (1/pi) int cos(kz)/(1+k^4) dk = e^{-a}(cos a + sin a)/(2 sqrt 2), a = |z|/sqrt 2
    a = np.abs(Z) / np.sqrt(2)
    ref = np.exp(-a) * (np.cos(a) + np.sin(a)) / (2 * np.sqrt(2))
    val, err = F.inverse_cosine(lambda k: 1 / (1 + k**4), Z)
    _assert_close(val, err, ref, 3e-15)


def test_mp_reference_handles_sqrt_endpoint():
    # plain mpmath.quadosc (Gauss-Legendre first interval) is 4e-7 off here; the substitution
    # k = s^2 turns the integral into a smooth one that mp.quad handles directly
    z = mp.mpf("0.37")
    with mp.workdps(20):
        sub = mp.quad(lambda s: 2 * s * mp.exp(-s) * mp.cos(s * s * z),
                      mp.linspace(0, 60, 40) + [mp.inf]) / mp.pi
    ref = F.mp_inverse_cosine(lambda k: mp.exp(-mp.sqrt(k)), [0.37], dps=20)
    assert abs(ref[0] - float(sub)) < 1e-16


@pytest.mark.parametrize("a", [0.5, 0.9, 0.99])
def test_singular_at_zero(a):
    # G = k^-a e^-k -> Gamma(1-a) cos((1-a) atan z) / (pi (1+z^2)^((1-a)/2))
    ref = sc.gamma(1 - a) * np.cos((1 - a) * np.arctan(Z)) / (1 + Z * Z) ** ((1 - a) / 2) / pi

    def G(k):
        return k**-a * np.exp(-k)

    val, err = F.inverse_cosine(G, Z, singular_power=a)
    _assert_close(val, err, ref, 1e-13 * np.abs(ref).max())
    # undeclared: a <= 0.9 still accurate; a = 0.99 is not, but the estimate says so
    val, err = F.inverse_cosine(G, Z)
    assert np.all(err >= np.abs(val - ref))
    if a <= 0.9:
        assert np.max(np.abs(val - ref)) <= 1e-13 * np.abs(ref).max()


def test_inverse_sine():
    _assert_close(*F.inverse_sine(lambda k: np.exp(-k), Z), Z / (pi * (1 + Z * Z)), 3e-15)
    _assert_close(*F.inverse_sine(lambda k: 1 / k, Z), np.sign(Z) / 2, 3e-15)
    _assert_close(*F.inverse_sine(lambda k: np.exp(-k) / k, Z), np.arctan(Z) / pi, 3e-15)
    # k^-1.5 e^-k needs the declared singularity: sin(kz)/k^1.5 ~ k^-0.5
    ref = sc.gamma(-0.5) * np.sin(-0.5 * np.arctan(Z)) * (1 + Z * Z) ** 0.25 / pi
    _assert_close(*F.inverse_sine(lambda k: k**-1.5 * np.exp(-k), Z, singular_power=1.5),
                  ref, 1e-13)


def test_derivative_by_inverse_sine():
    # phi'(z) = -(1/pi) int k G(k) sin(kz) dk for the Gaussian pair
    val, err = F.inverse_sine(lambda k: k * np.exp(-k * k / 2), Z)
    _assert_close(-val, err, -Z * np.exp(-Z * Z / 2) / np.sqrt(2 * pi), 3e-15)


def test_mp_inverse_sine_closed_form():
    ref = F.mp_inverse_sine(lambda k: mp.exp(-k), [0.5, -2.0, 0.0], dps=20)
    assert np.allclose(ref, np.array([0.5, -2.0, 0.0]) / (pi * (1 + np.array([0.25, 4.0, 0.0]))),
                       rtol=1e-15, atol=0)


K = np.array([-5.0, -2.5, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5, 5.0])


def _sigmoid_prime(z):
    e = np.exp(-np.abs(z))
    return e / (1 + e) ** 2


def _pik_over_sinh(k):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(k == 0, 1.0, pi * k / np.sinh(pi * k))


FORWARD = {
    "cauchy": (lambda z: 1 / (1 + z * z), lambda k: pi * np.exp(-np.abs(k)), {}),
    "laplace": (lambda z: np.exp(-np.abs(z)), lambda k: 2 / (1 + k * k), {}),
    "gaussian": (lambda z: np.exp(-z * z / 2), lambda k: np.sqrt(2 * pi) * np.exp(-k * k / 2), {}),
    "shifted gaussian": (lambda z: np.exp(-(z - 0.7) ** 2 / 2),
                         lambda k: np.sqrt(2 * pi) * np.exp(-k * k / 2 - 0.7j * k), {}),
    "sigmoid'": (_sigmoid_prime, _pik_over_sinh, {}),
    "wavepacket": (lambda z: np.exp(-z * z / 2) * np.cos(3 * z),
                   lambda k: np.sqrt(pi / 2) * (np.exp(-((k - 3) ** 2) / 2)
                                                + np.exp(-((k + 3) ** 2) / 2)), {}),
    "odd gaussian": (lambda z: z * np.exp(-z * z / 2),
                     lambda k: -1j * k * np.sqrt(2 * pi) * np.exp(-k * k / 2), {"parity": "odd"}),
    "even laplace": (lambda z: np.exp(-np.abs(z)), lambda k: 2 / (1 + k * k), {"parity": "even"}),
    "kinks at +-1": (lambda z: np.maximum(0.0, 1 - np.abs(z)),
                     lambda k: 2 * pi * _one_minus_cos_over_z2(k),
                     {"breakpoints": (-1.0, 0.0, 1.0)}),
}


@pytest.mark.parametrize("name", list(FORWARD))
def test_forward_transform(name):
    phi, ref, kw = FORWARD[name]
    val, err = F.forward_transform(phi, K, **kw)
    r = ref(K)
    true = np.abs(val - r)
    assert np.all(true <= 1e-10 * np.abs(r) + 1e-300), f"errors {true} at {K}"
    assert np.all(err >= true)


def test_forward_shift_changes_phase_only():
    k = np.linspace(-6, 6, 25)
    a, _ = F.forward_transform(lambda z: np.exp(-z * z / 2), k)
    b, _ = F.forward_transform(lambda z: np.exp(-(z - 1.3) ** 2 / 2), k)
    assert np.allclose(np.abs(a), np.abs(b), rtol=1e-9, atol=1e-15)
    assert np.allclose(b, a * np.exp(-1.3j * k), rtol=1e-9, atol=1e-15)


def test_forward_exponentially_small_values_are_flagged():
    # Gaussian at k = 10, 20: 5e-22 and 3.5e-87, far below eps * int|phi|; the absolute
    # accuracy stays ~1e-16 and the estimate must exceed the value (relative accuracy lost)
    k = np.array([10.0, 20.0])
    val, err = F.forward_transform(lambda z: np.exp(-z * z / 2), k, parity="even")
    ref = np.sqrt(2 * pi) * np.exp(-k * k / 2)
    assert np.all(np.abs(val - ref) <= 1e-15)
    assert np.all(err >= np.abs(val - ref))
    assert np.all(err > np.abs(ref))


def test_forward_inverse_round_trip():
    # forward_transform of phi = inverse_cosine(G) returns G (both directions share only
    # the convention): sech, with phi itself computed by quadrature at every node
    def phi(x):
        return F.inverse_cosine(_sech, x)[0]

    k = np.array([0.5, 1.5])  # (at k = 0 the noise of phi far out is flagged: err = inf)
    val, err = F.forward_transform(phi, k, parity="even")
    _assert_close(val.real, err, _sech(k), 1e-14)


@settings(max_examples=15, deadline=None)
@given(s=st.floats(0.3, 3.0), a=st.floats(-2, 2), b=st.floats(-2, 2), c=st.floats(0.2, 2.0))
def test_linearity_and_scaling(s, a, b, c):
    k = np.array([0.0, 0.4, 1.1, 2.7])

    def g1(z):
        return np.exp(-z * z / 2)

    def g2(z):
        return np.exp(-((z - 0.5) ** 2) / (2 * c * c))

    f1, e1 = F.forward_transform(g1, k)
    f2, e2 = F.forward_transform(g2, k)
    fl, el = F.forward_transform(lambda z: a * g1(z) + b * g2(z), k)
    assert np.all(np.abs(fl - (a * f1 + b * f2)) <= el + abs(a) * e1 + abs(b) * e2 + 1e-14)
    # F[phi(s .)](k) = F[phi](k/s)/s
    fs, es = F.forward_transform(lambda z: g2(s * z), k)
    fk, ek = F.forward_transform(g2, k / s)
    assert np.all(np.abs(fs - fk / s) <= es + ek / s + 1e-14)


def test_asymptotic_power():
    p0, p1 = F.asymptotic_power(lambda k: 1 / (1 + k * k))
    assert abs(p0) < 1e-9 and abs(p1 + 2) < 1e-9
    p0, p1 = F.asymptotic_power(lambda k: k**-0.5 * np.exp(-k))
    assert abs(p0 + 0.5) < 1e-5 and p1 == -np.inf
    p0, p1 = F.asymptotic_power(lambda k: (1 + k * k) ** -0.75, k1=1e8)
    assert abs(p0) < 1e-9 and abs(p1 + 1.5) < 1e-9


def test_ooura_rule_matches_mpmath():
    # nodes and weights against the defining formulas evaluated at 40 digits
    def reference(m, h, alpha, kind):
        with mp.workdps(40):
            hm, al = mp.mpf(h), mp.mpf(alpha)
            t = mp.mpf(m) * hm
            if t == 0:
                a, b = 2 + al + mp.mpf(1) / 4, mp.mpf(1) / 4 - al
                return mp.pi / (a * hm), mp.pi * mp.sin(mp.pi / (a * hm)) * (1 - b / a**2) / 2, 1
            eta = 2 * t + al * (1 - mp.exp(-t)) + (mp.exp(t) - 1) / 4
            deta = 2 + al * mp.exp(-t) + mp.exp(t) / 4
            e = mp.exp(-eta)
            dphi = ((1 - e) - t * e * deta) / (1 - e) ** 2
            nu = mp.pi / hm * t / (1 - e)
            trig = mp.sin(nu) if kind == "sin" else mp.cos(nu)
            return nu, mp.pi * trig * dphi, dphi

    for level, kind, jl in [(0, "cos", 0), (2, "sin", 0), (3, "cos", 6)]:
        h = R.OOURA_H0 / 2**level
        alpha = R.ooura_alpha(h, jl)
        n = np.unique(np.r_[np.arange(-int(3.5 / h), int(6 / h), 7), np.arange(-3, 4)])
        off = 0.5 if kind == "cos" else 0.0
        _, nu, w = R.ooura_terms(n, h, alpha, kind)
        for i, ni in enumerate(n):
            rn, rw, rd = reference(ni - off, h, alpha, kind)
            assert abs(nu[i] - float(rn)) <= 4e-15 * float(rn)
            assert abs(w[i] - float(rw)) <= 4e-15 * pi * float(rd)


def test_extended_precision_phases_agree():
    # the longdouble path (x86-64) and the mpmath fallback (other platforms) of the
    # central Ooura phases must agree: both evaluate nu(t) at t = m h exactly
    h = R.OOURA_H0 / 4
    for kind, m in [("cos", np.arange(-40, 41) - 0.5), ("sin", np.arange(-40.0, 41.0))]:
        alpha = R.ooura_alpha(h, 3)
        a = R._trig_longdouble(m, h, alpha, kind)
        b = R._trig_mp(m, h, alpha, kind)
        assert np.max(np.abs(a - b)) <= 2.5e-16


def test_de_rules_integrate_known_integrals():
    u, dist, w = R.tanh_sinh(2)
    assert abs(np.sum(w * dist**-0.5 * (u < 0.5)) + np.sum(w * u**-0.5 * (u >= 0.5)) - 2) < 1e-13
    x, w = R.exp_sinh(2)
    assert abs(np.sum(w * np.exp(-x)) - 1) < 1e-14
    assert abs(np.sum(w / (1 + x) / (1 + x)) - 1) < 1e-14


def test_bad_input():
    with pytest.raises(ActdesignError, match="NaN"):
        F.inverse_cosine(lambda k: np.exp(-k), [0.0, np.nan])
    with pytest.raises(ActdesignError, match="integrand is nan"):
        F.inverse_cosine(lambda k: np.where(k > 2, np.nan, 1.0), [1.0])
    with pytest.raises(ActdesignError, match="singular_power"):
        F.inverse_cosine(lambda k: k**-1.5, [1.0])
    with pytest.raises(ActdesignError, match="singular_power"):
        F.inverse_cosine(lambda k: 1.0, [1.0], singular_power=1.0)
    with pytest.raises(ActdesignError, match="band"):
        F.inverse_cosine(lambda k: 1.0, [1.0], band=(1.0, 0.5))
    with pytest.raises(ActdesignError, match="parity"):
        F.forward_transform(lambda z: np.exp(-z * z), [1.0], parity="bogus")
    with pytest.raises(ActdesignError, match="complex"):
        F.inverse_cosine(lambda k: np.exp(-k) + 0j, [1.0])


def test_shapes_and_parity_of_outputs():
    z = np.array([[0.5, -0.5], [2.0, -2.0]])
    c, ec = F.inverse_cosine(lambda k: np.exp(-k), z)
    s, es = F.inverse_sine(lambda k: np.exp(-k), z)
    assert c.shape == z.shape and es.shape == z.shape
    assert np.array_equal(c[:, 0], c[:, 1]) and np.array_equal(s[:, 0], -s[:, 1])
    v, e = F.inverse_cosine(lambda k: np.exp(-k), 1.0)
    assert v.shape == () and abs(v - 1 / (2 * pi)) < 1e-15
    v, e = F.inverse_cosine(lambda k: np.exp(-k), np.array([]))
    assert v.shape == (0,)
