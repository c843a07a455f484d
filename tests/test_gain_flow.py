"""`gain` reports chi at the fixed point the variance flow reaches (issue 17), checked against
an independent scipy computation (quad over the Gaussian, brentq for the fixed point)."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import integrate, optimize

from actdesign.init import gain
from cli.main import main


def _gauss(f):
    return integrate.quad(lambda z: f(z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi),
                          -np.inf, np.inf, epsabs=1e-14, epsrel=1e-12)[0]


def _reference(c):
    g = 1 / np.sqrt(_gauss(lambda z: np.tanh(z) ** 2))
    F = lambda s: np.sqrt(_gauss(lambda z: np.tanh(c * s * z) ** 2)) - s  # noqa: E731
    s_star = optimize.brentq(F, 0.05, 2.0, xtol=1e-14)
    chi = c**2 * _gauss(lambda z: (1 - np.tanh(c * s_star * z) ** 2) ** 2)  # phi' = sech^2
    return g, s_star, chi


@pytest.mark.parametrize("c", [None, 3.0])
def test_tanh_flow_reaches_the_stable_point_and_its_chi(c):
    g = gain("tanh(z)", c=c)
    g_ref, s_ref, chi_ref = _reference(c or g.gain)
    assert g.gain == pytest.approx(g_ref, rel=1e-9)
    assert g.reached is not None and g.reached.s == pytest.approx(s_ref, rel=1e-8)
    assert g.reached.chi == pytest.approx(chi_ref, rel=1e-7)
    assert g.start == pytest.approx(1 / g_ref, rel=1e-9)


def test_cli_message_names_the_point_its_chi_belongs_to():
    res = CliRunner().invoke(main, ["gain", "--activation", "tanh(z)"])
    assert res.exit_code == 0, res.output
    assert "q* = 1" not in res.output  # the old label, while s* = 0.628 was listed
    assert "s* = 1/gain = 0.6279287" in res.output
    assert "reaches s* = 0.6279287" in res.output


def test_cli_json_other_scale_reports_the_reached_point():
    res = CliRunner().invoke(main, ["gain", "--activation", "tanh(z)", "--c", "3", "--json"])
    rec = json.loads(res.output)
    _, s_ref, chi_ref = _reference(3.0)
    assert rec["flow_reaches"]["s"] == pytest.approx(s_ref, rel=1e-8)
    assert rec["flow_reaches"]["chi"] == pytest.approx(chi_ref, rel=1e-7)
