"""analyze on bounded oscillating activations (issue 17): verified penalties or exit 2, never NaN.

References are closed forms: F[sinc](k) = pi 1_{|k|<1} (pi/2 at |k| = 1), F[sinc^2](k) =
pi (1 - |k|/2)_+, F[sin(2z+1)/(1+z^2)](k) = pi (e^{i} e^{-|k-2|} - e^{-i} e^{-|k+2|}) / (2i),
and for sin(z) e^{-|z|} an mpmath quadrature at 30 digits.
"""

import json

import mpmath as mp
import numpy as np
import pytest
from click.testing import CliRunner

import actdesign
from actdesign.infra._errors import ActdesignError
from cli.main import main


def test_sinc_penalty_is_band_limited_closed_form():
    pen = actdesign.analyze("sinc(z)")
    assert pen.method == "table"
    k = np.array([0.0, 0.3, 0.999, 1.0, 1.001, 2.5, 5.0])
    want = np.array([1, 1, 1, 4, np.inf, np.inf, np.inf]) / np.pi**2
    np.testing.assert_allclose(pen(k), want, rtol=1e-15)
    assert np.all(np.isfinite(pen.trust))


def test_sinc_penalty_in_dim_3_carries_the_architectural_factor():
    pen = actdesign.analyze("2*sinc(3*z)", dim=3)  # F = (2 pi / 3) on |k| < 3
    k = np.array([0.5, 2.0, 4.0])
    want = k**2 * np.array([9 / (4 * np.pi**2)] * 2 + [np.inf])
    np.testing.assert_allclose(pen(k), want, rtol=1e-14)


def test_sin_over_z_is_the_same_band_limited_penalty():
    pen = actdesign.analyze("sin(z)/z")
    np.testing.assert_allclose(pen(np.array([0.5, 2.0])), [1 / np.pi**2, np.inf], rtol=1e-15)


def test_sinc_squared_numeric_values_match_the_triangle_spectrum():
    pen = actdesign.analyze("sin(z)**2/z**2")
    k = np.array([0.05, 0.3, 0.77, 1.0, 1.9])
    want = 1.0 / (np.pi * (1 - k / 2)) ** 2
    got = pen(k)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=10 * pen.rtol)
    assert pen.trust[1] <= 2.0
    # entire of exponential type 2 (Paley-Wiener): F = 0 beyond |k| = 2, rho = +inf there
    assert np.all(np.isposinf(pen(np.array([2.5, 5.0, 100.0]))))


@pytest.mark.parametrize("phi, edge", [
    ("sinc(z)", 1.0), ("sin(z)**2/z**2", 2.0), ("sin(z)**3/z**3", 3.0),
    ("(1-cos(z))/z**2", 1.0), ("sin(pi*z)/(z*(1-z**2))", np.pi),
    ("sin(z)/(z*(1+z**2))", None),  # poles at +-i: not entire, spectrum not compact
    ("sin(z)/z**2", None), ("sin(z)*exp(-abs(z))", None), ("sin(2*z+1)/(1+z**2)", None)])
def test_band_edge_only_for_entire_activations(phi, edge):
    from actdesign.activation import _oscillating as osc
    from actdesign.activation._activation import from_expression

    got = osc.band_edge(osc.decompose(from_expression(phi).phi))
    assert got == (None if edge is None else pytest.approx(edge, rel=1e-15))


def test_singular_oscillating_activation_is_a_principal_value():
    # sin(z)/z^2: F(k) = -i pi k for |k| < 1 and -i pi sign(k) beyond (PV of sinc / z)
    pen = actdesign.analyze("sin(z)/z**2")
    k = np.array([0.05, 0.3, 0.77, 1.9, 5.0])
    np.testing.assert_allclose(pen(k), 1 / (np.pi * np.minimum(k, 1)) ** 2, rtol=1e-7)


def test_modulated_activation_matches_its_closed_transform():
    pen = actdesign.analyze("sin(2*z+1)/(1+z**2)")
    k = np.array([0.05, 0.3, 1.0, 2.5, 5.0])
    F = np.pi * (np.exp(1j) * np.exp(-abs(k - 2)) - np.exp(-1j) * np.exp(-abs(k + 2))) / 2j
    np.testing.assert_allclose(pen(k), 1 / np.abs(F) ** 2, rtol=10 * pen.rtol)


def test_damped_sine_matches_mpmath():
    pen = actdesign.analyze("sin(z)*exp(-abs(z))")
    for kk in (0.3, 1.0, 2.5):
        mp.mp.dps = 30
        F = -2j * mp.quad(lambda z: mp.sin(z) * mp.exp(-z) * mp.sin(kk * z), [0, mp.inf])
        assert abs(pen(np.array([kk]))[0] - 1 / abs(complex(F)) ** 2) <= 1e-7 / abs(F) ** 2


@pytest.mark.parametrize("phi, freqs", [("sin(z)", "1"), ("cos(z)", "1"),
                                        ("cos(3*z) + sin(z)", "1, 3"), ("z*sin(z)", "1")])
def test_periodic_activations_are_refused_with_their_line_spectrum(phi, freqs):
    with pytest.raises(ActdesignError, match=rf"supported on \|k\| = {freqs}"):
        actdesign.analyze(phi)


def test_periodic_plus_decaying_names_the_dirac_part():
    with pytest.raises(ActdesignError, match=r"Dirac deltas .* at \|k\| = 1"):
        actdesign.analyze("sin(z) + tanh(z)")


@pytest.mark.parametrize("phi", ["sinc(z)", "sin(z)/z", "sin(z)", "cos(z)", "sin(z)/z**2",
                                 "sin(z)**2/z**2", "cos(z)*exp(-z**2)", "sin(3*z)/z"])
def test_cli_never_prints_nan_with_exit_0(phi):
    res = CliRunner().invoke(main, ["analyze", "--activation", phi, "--json"])
    if res.exit_code == 0:
        rec = json.loads(res.output)
        assert rec["trust"][0] is not None and rec["trust"][1] is not None
        for kk, v in zip(rec["k"], rec["rho_values"], strict=True):
            # null only where rho = +inf (F[phi] vanishes there), listed in forbidden_k
            assert (v is None) == (kk in rec["forbidden_k"]), (kk, rec)
    else:
        assert res.exit_code == 2 and "Traceback" not in res.output
        assert len(res.output.strip().splitlines()) == 1


def test_cli_refuses_untrusted_k_instead_of_printing_nan():
    # F(0.3) ~ e^-23 is below the quadrature's absolute accuracy: not resolvable in float64
    res = CliRunner().invoke(main, ["analyze", "--activation", "exp(-z**2)*sin(10*z)",
                                    "--k", "0.3,5"])
    assert res.exit_code == 2 and "nan" not in res.output and "0.3" in res.output


def test_cli_text_marks_forbidden_frequencies():
    res = CliRunner().invoke(main, ["analyze", "--activation", "sinc(z)", "--k", "0.5,2"])
    assert res.exit_code == 0, res.output
    assert "rho(2) = inf" in res.output and "forbidden" in res.output and "nan" not in res.output
    res = CliRunner().invoke(main, ["analyze", "--activation", "sinc(z)", "--json"])
    assert json.loads(res.output)["forbidden_k"] == [2.5, 5.0]


@pytest.mark.parametrize("phi, F", [
    # removable singularities of order 3 at z = 0 (the formula cancels digits there)
    ("(sin(z)-z*cos(z))/z**3", lambda k: np.pi / 2 * (1 - k**2)),
    ("sin(z)**3/z**3", lambda k: np.where(k < 1, np.pi * (3 - k**2) / 4,
                                          np.pi * (3 - k) ** 2 / 8)),
])
def test_cancelling_formulas_match_their_piecewise_spectra(phi, F):
    pen = actdesign.analyze(phi)
    k = np.array([0.05, 0.3, 0.77, 0.95])
    if "**3/z**3" in phi:
        k = np.append(k, [1.9, 2.5])
    np.testing.assert_allclose(pen(k), 1 / F(k) ** 2, rtol=1e-7)


def test_poles_off_zero_cancel_too():
    # sin(pi z)/(z (1 - z^2)): removable at 0 and +-1; reference by mpmath.quadosc
    pen = actdesign.analyze("sin(pi*z)/(z*(1-z**2))")
    mp.mp.dps = 20

    def f(z):
        return mp.pi if z == 0 else mp.sin(mp.pi * z) / (z * (1 - z**2))

    for kk in (0.3, 2.5):
        F = 2 * mp.quadosc(lambda z: f(z) * mp.cos(kk * z), [0, mp.inf], omega=mp.pi)
        assert pen(np.array([kk]))[0] == pytest.approx(float(1 / F**2), rel=1e-7)
    assert np.isposinf(pen(np.array([3.2]))[0])  # type pi: F = 0 beyond pi


def test_exponentially_growing_carrier_is_not_called_periodic():
    with pytest.raises(ActdesignError, match="grows faster than a polynomial"):
        actdesign.analyze("sin(z)*exp(z)")


def test_non_polynomial_envelope_is_not_claimed_line_supported():
    with pytest.raises(ActdesignError) as info:
        actdesign.analyze("sin(z)*tanh(z)")  # sin|z| part: poles 1/(k^2-1) besides deltas
    assert "Dirac deltas and other singular parts at |k| = 1" in str(info.value)
    assert "supported on" not in str(info.value)
