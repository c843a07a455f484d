"""Peaks and plots of `actdesign spectrum` (issue 17): no window sidelobe is reported as a
peak, and the plot shows the band that matters rather than running to the Nyquist frequency."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from actdesign import spectrum as S
from actdesign.spectrum._plot import display_band
from actdesign.spectrum._windows import leakage_envelope
from cli.main import main

TWO_TONE = "sin(2*pi*5*x) + 0.5*sin(2*pi*12*x)"


@pytest.mark.parametrize("window", ["box", "tukey", "hann"])
@pytest.mark.parametrize("unit, scale", [("cycles", 1.0), ("angular", 2 * np.pi)])
def test_two_tone_reports_exactly_its_two_frequencies(window, unit, scale):
    res = CliRunner().invoke(main, ["spectrum", "--function", TWO_TONE, "--unit", unit,
                                    "--window", window, "--json"])
    assert res.exit_code == 0, res.output
    peaks = json.loads(res.output)["peaks"]
    np.testing.assert_allclose([p["k"] for p in peaks], [5 * scale, 12 * scale], rtol=1e-12)


def test_default_window_text_has_no_sidelobe_peak():
    res = CliRunner().invoke(main, ["spectrum", "--function", TWO_TONE, "--unit", "cycles"])
    lines = [s for s in res.output.splitlines() if s.startswith("peak at")]
    assert [s.split(":")[0] for s in lines] == ["peak at k = 5", "peak at k = 12"]


def test_leakage_envelope_matches_the_known_sidelobe_levels():
    # box: |sinc| first sidelobe 0.2172 at 1.43 bins; hann: 0.0267 (-31.5 dB) at 2.36 bins
    for name, level in (("box", 0.21723), ("hann", 0.02671)):
        d, env = leakage_envelope(name)
        assert abs(np.interp(1.0 if name == "box" else 2.0, d, env) - level) < 2e-4


def test_close_genuine_peak_is_kept():
    f, _ = S.expression_function("sin(2*pi*5*x) + 0.5*sin(2*pi*8*x)")
    spec = S.spectrum(f, (0, 1), unit="cycles")
    idx = S.find_peaks(spec, rel_height=0.25)
    np.testing.assert_allclose(spec.k[idx], [5, 8])


def test_plot_band_stops_near_the_signal_not_at_nyquist(tmp_path):
    f, _ = S.expression_function(TWO_TONE)
    spec = S.spectrum(f, (0, 1), unit="cycles")
    floor, hi = display_band(spec)
    assert 12 < hi < 0.05 * spec.k[-1]  # Nyquist here is 2048 cycles
    fig = S.plot_spectrum(spec, path=tmp_path / "s.png")
    assert fig.axes[0].get_xlim()[1] == pytest.approx(hi)
