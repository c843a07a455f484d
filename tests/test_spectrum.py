"""actdesign.spectrum transforms against closed forms (sinusoids, Gaussians, box functions)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy.special import erfinv

import actdesign
from actdesign import spectrum as sp

# --- sums of sinusoids -------------------------------------------------------------------
SINES = [(3.0, 5.0, 0.3), (2.0, 7.0, -1.1), (0.5, 12.0, 2.0)]  # (amplitude, cycles per unit, phase)
L = 4.0  # domain length: frequencies above are multiples of 1/L, i.e. bin-centred


def sines(x):
    return 1.5 + sum(a * np.sin(2 * np.pi * nu * x + th) for a, nu, th in SINES)


@pytest.mark.parametrize("pad", [1, 4])
@pytest.mark.parametrize("unit", ["cycles", "angular"])
def test_sines_box_amplitudes_at_bin_centres(pad, unit):
    s = sp.spectrum(sines, (0.0, L), n=1024, pad=pad, unit=unit)
    to_unit = 1.0 if unit == "cycles" else 2 * np.pi
    for a, nu, th in SINES:
        i = s.index(nu * to_unit)[0]
        assert abs(s.k[i] - nu * to_unit) < 1e-12 * to_unit * nu
        assert abs(s.amplitude[i] - a) <= 1e-6 * a
        # closed form of the transform at the bin: ∫_0^L a sin(2 pi nu x + th) e^{-i 2 pi nu x} dx
        assert abs(s.values[i] - a * L / 2j * np.exp(1j * th)) <= 1e-9 * a * L
    assert abs(s.amplitude[0] - 1.5) <= 1e-6 * 1.5
    assert abs(s.values[0] - 1.5 * L) <= 1e-9


@pytest.mark.parametrize("window", ["box", "tukey", "hann"])
def test_sines_peaks_within_one_bin_off_centre(window):
    # frequencies between bins: the local maxima must sit within one bin of each
    comps = [(1.0, 5.37), (0.7, 9.81)]
    f = lambda x: sum(a * np.cos(2 * np.pi * nu * x) for a, nu in comps)  # noqa: E731
    s = sp.spectrum(f, (0.0, 3.0), n=2048, pad=4, window=window, unit="cycles")
    peaks = s.k[sp.find_peaks(s, rel_height=0.3)]
    dk = s.k[1] - s.k[0]
    assert len(peaks) == len(comps)
    for (_, nu), p in zip(comps, sorted(peaks), strict=True):
        assert abs(p - nu) <= dk


# --- Gaussians -----------------------------------------------------------------------------
@pytest.mark.parametrize("sigma,x0", [(1.0, 0.0), (0.5, 1.3), (2.0, -3.0)])
def test_gaussian_transform_closed_form(sigma, x0):
    f = lambda x: np.exp(-((x - x0) ** 2) / (2 * sigma**2))  # noqa: E731
    s = sp.spectrum(f, (x0 - 14 * sigma, x0 + 16 * sigma), n=4096)
    exact = sigma * np.sqrt(2 * np.pi) * np.exp(-(sigma**2) * s.k**2 / 2 - 1j * s.k * x0)
    assert np.max(np.abs(s.values - exact)) <= 1e-12 * sigma * np.sqrt(2 * np.pi)
    # unit="cycles" relabels the axis only
    c = sp.spectrum(f, (x0 - 14 * sigma, x0 + 16 * sigma), n=4096, unit="cycles")
    np.testing.assert_allclose(c.k * 2 * np.pi, s.k, rtol=1e-14)
    np.testing.assert_array_equal(c.values, s.values)


def test_gaussian_2d_closed_form_and_radial_profile():
    f = lambda x, y: np.exp(-(x**2 + y**2) / 2)  # noqa: E731
    s = sp.spectrum(f, ((-9.0, 9.0), (-8.0, 10.0)), n=192, pad=2)
    kx, ky = np.meshgrid(s.kx, s.ky, indexing="ij")
    exact = 2 * np.pi * np.exp(-(kx**2 + ky**2) / 2)
    assert np.max(np.abs(s.values - exact)) <= 1e-10 * 2 * np.pi
    prof = s.radial_profile()
    amp_exact = 2 * 2 * np.pi * np.exp(-(prof.k**2) / 2) / s.window_integral
    big = prof.amplitude > 1e-3 * prof.amplitude[0]
    # the ring mean of a radial f equals f(mean radius) up to f''/2 Var(r), Var(r) <= width^2/12,
    # and |f''/f| = |r^2 - 1| for f = exp(-r^2/2)
    width = max(s.kx[1] - s.kx[0], s.ky[1] - s.ky[0])
    tol = (prof.k**2 + 1) * width**2 / 24 + 1e-9
    rel = np.abs(prof.amplitude / amp_exact - 1)
    assert np.all(rel[big][1:] <= tol[big][1:])
    # energy inside radius r is 1 - exp(-r^2) of the total
    assert abs(s.bandwidth(0.9) - np.sqrt(-np.log(0.1))) <= s.kx[1] - s.kx[0]


def test_plane_wave_2d_peaks_and_amplitude():
    f = lambda x, y: 0.8 * np.cos(2 * np.pi * (3 * x + 2 * y))  # noqa: E731
    s = sp.spectrum(f, ((0.0, 1.0), (0.0, 1.0)), n=64, pad=1, unit="cycles")
    i, j = np.unravel_index(np.argmax(s.amplitude), s.amplitude.shape)
    assert {(s.kx[i], s.ky[j])} <= {(3.0, 2.0), (-3.0, -2.0)}
    assert abs(s.amplitude[i, j] - 0.8) <= 1e-6 * 0.8


# --- box functions ---------------------------------------------------------------------------
def test_box_function_closed_form():
    # 1 on [-c, c], edges on cell boundaries; midpoint sums differ from 2 sin(kc)/k by the
    # factor (k dx/2)/sin(k dx/2), below 1e-7 here for k up to 2 pi * 20
    c, n = 1.0, 2**20
    s = sp.spectrum(lambda x: (np.abs(x) < c).astype(float), (-4.0, 4.0), n=n, pad=1)
    keep = (s.k > 0) & (s.k < 2 * np.pi * 20)
    exact = 2 * np.sin(s.k[keep] * c) / s.k[keep]
    big = np.abs(exact) > 1e-3 * 2 * c
    np.testing.assert_allclose(s.values[keep][big].real, exact[big], rtol=1e-6)
    assert np.max(np.abs(s.values[keep].imag)) < 1e-9


def test_box_window_transform_of_a_constant():
    # the box window itself: ∫_a^b e^{-ikx} dx = e^{-ik(a+b)/2} 2 sin(kL/2)/k; zero at bin centres
    a, b = 0.5, 2.5
    s = sp.spectrum(lambda x: np.ones_like(x), (a, b), n=2**18, pad=8)
    k = s.k[1 : 8 * 60]
    exact = np.exp(-1j * k * (a + b) / 2) * 2 * np.sin(k * (b - a) / 2) / k
    big = np.abs(exact) > 1e-3
    np.testing.assert_allclose(s.values[1 : 8 * 60][big], exact[big], rtol=1e-6)
    assert np.max(np.abs(s.values[8 : 8 * 60 : 8])) < 1e-9  # bin-centred zeros (pad 8)


# --- windows -------------------------------------------------------------------------------
def test_windows_closed_forms():
    u = np.linspace(0, 1, 1001)
    np.testing.assert_allclose(sp.WINDOWS["hann"](u), 0.5 - 0.5 * np.cos(2 * np.pi * u), atol=1e-15)
    np.testing.assert_allclose(sp.WINDOWS["tukey"](u, 1.0), sp.WINDOWS["hann"](u), atol=1e-15)
    np.testing.assert_array_equal(sp.WINDOWS["tukey"](u, 0.0), np.ones_like(u))
    s = sp.spectrum(np.cos, (0.0, 6.0), n=600, window="hann")
    assert abs(s.window_integral - 3.0) < 1e-12  # ∫ hann = L/2
    t = sp.spectrum(np.cos, (0.0, 6.0), n=600, window="tukey")
    assert abs(t.window_integral - 6.0 * (1 - 0.25 / 2)) < 1e-12  # tapers average 1/2


# --- bandwidth and seed 002 derivative bounds --------------------------------------------------
@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("energy", [0.9, 0.99])
def test_gaussian_bandwidth_closed_form(sigma, energy):
    # |F|^2 = 2 pi sigma^2 exp(-sigma^2 k^2): the fraction inside |k| <= K is erf(sigma K)
    s = sp.spectrum(lambda x: np.exp(-(x**2) / (2 * sigma**2)), (-20 * sigma, 20 * sigma), n=4096)
    assert abs(s.bandwidth(energy) - erfinv(energy) / sigma) <= 0.05 * (s.k[1] - s.k[0])


def test_line_spectrum_bandwidth_within_one_bin():
    s = sp.spectrum(sines, (0.0, L), n=1024, pad=1, unit="cycles")
    # energies 9 : 4 : 0.25 (+ DC); 99% is reached only with the 12-cycle line
    assert abs(s.bandwidth(0.99) - 12.0) <= s.k[1] - s.k[0]
    assert abs(s.bandwidth(0.6) - 5.0) <= s.k[1] - s.k[0]


@pytest.mark.parametrize("sigma", [0.7, 1.0, 1.5])
def test_derivative_bounds_seed002(sigma):
    # g = exp(-x^2/2 sigma^2): B_2 = (1/2pi)∫k^2|g_hat| = 1/sigma^2 = max|g''| (tight),
    # B_1 = sqrt(2/pi)/sigma
    g = lambda x: np.exp(-(x**2) / (2 * sigma**2))  # noqa: E731
    for unit in ("angular", "cycles"):
        s = sp.spectrum(g, (-25 * sigma, 25 * sigma), n=8192, unit=unit)
        assert abs(s.derivative_bound(2) - 1 / sigma**2) <= 1e-8 / sigma**2
        assert abs(s.derivative_bound(1) - np.sqrt(2 / np.pi) / sigma) <= 1e-4 / sigma
        assert abs(sp.derivative_bound(s, 0) - 1.0) <= 1e-8  # B_0 = max|g| = g(0)
    x = np.linspace(-5 * sigma, 5 * sigma, 20001)
    assert np.max(np.abs(np.exp(-(x**2) / (2 * sigma**2)) * (x / sigma**2))) <= s.derivative_bound(
        1
    )


# --- non-uniform samples (NUFFT) ----------------------------------------------------------
def test_nufft_matches_fft_on_uniform_samples():
    a, b, n = -3.0, 5.0, 3000
    x = sp.cell_centres(a, b, n)
    v = np.exp(-(x**2)) * np.cos(7 * x) + 0.3 * np.sin(2 * x)
    fft = sp.sample_spectrum(v, domain=(a, b), pad=4, window="tukey")
    perm = np.random.default_rng(0).permutation(n)
    nu = sp.sample_spectrum(v[perm], x=x[perm], domain=(a, b), pad=4, window="tukey")
    assert nu.method == "nufft" and fft.method == "fft"
    np.testing.assert_allclose(nu.k, fft.k, rtol=1e-14)
    assert np.max(np.abs(nu.values - fft.values)) <= 1e-10 * np.max(np.abs(fft.values))
    pts = sp.sample_spectrum(v, domain=(a, b), window="tukey", k=fft.k[::37])  # type-3 path
    assert np.max(np.abs(pts.values - fft.values[::37])) <= 1e-10 * np.max(np.abs(fft.values))


def test_nufft_2d_matches_fft_on_uniform_grid():
    dom = ((-2.0, 2.0), (-1.0, 3.0))
    f = lambda x, y: np.exp(-(x**2) - (y - 1) ** 2) * np.cos(3 * x + y)  # noqa: E731
    grid = sp.spectrum(f, dom, n=64, pad=2)
    gx, gy = np.meshgrid(sp.cell_centres(-2, 2, 64), sp.cell_centres(-1, 3, 64), indexing="ij")
    pts = np.c_[gx.ravel(), gy.ravel()]
    nu = sp.sample_spectrum(f(gx, gy).ravel(), x=pts, domain=dom, pad=2)
    # NUFFT grid is -64..64 per axis; the FFT grid is -64..63
    np.testing.assert_allclose(nu.kx[:-1], grid.kx, atol=1e-12)
    diff = nu.values[:-1, :-1] - grid.values
    assert np.max(np.abs(diff)) <= 1e-10 * np.max(np.abs(grid.values))


def test_nufft_random_points_gaussian():
    rng = np.random.default_rng(1)
    x = rng.uniform(-12, 12, 40000)
    s = sp.sample_spectrum(np.exp(-(x**2) / 2), x=x, domain=(-12, 12), k=np.linspace(0, 4, 41))
    exact = np.sqrt(2 * np.pi) * np.exp(-(s.k**2) / 2)
    # Voronoi (second-order) quadrature on random points: mean spacing 6e-4
    assert np.max(np.abs(s.values - exact)) < 1e-5


def test_nufft_memory_is_bounded():
    # 10^6 samples x 10^4 frequencies: a dense matrix would need 160 GB; measure peak RSS growth
    code = textwrap.dedent(
        """
        import resource, numpy as np
        from actdesign import spectrum as sp
        import finufft
        rng = np.random.default_rng(0)
        x = rng.uniform(0.0, 1.0, 10**6)
        v = np.sin(2 * np.pi * 50 * x)
        k = np.linspace(0.0, 5000.0, 10**4)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        s = sp.sample_spectrum(v, x=x, domain=(0.0, 1.0), k=k, unit="cycles")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        i = int(np.argmax(s.amplitude))
        print((after - before) / 1024, s.k[i], s.amplitude[i])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    grown_mb, k_peak, amp = map(float, out.stdout.split())
    assert grown_mb < 400  # inputs alone are 16 MB; O(N + K) working memory
    assert abs(k_peak - 50.0) <= 0.5 and abs(amp - 1.0) < 1e-2


@pytest.mark.gpu
def test_cufinufft_matches_finufft():
    pytest.importorskip("cupy")
    pytest.importorskip("cufinufft")
    x = np.random.default_rng(2).uniform(-1, 1, 5000)
    v = np.cos(9 * x)
    cpu = sp.sample_spectrum(v, x=x, domain=(-1, 1), eps=1e-9)
    gpu = sp.sample_spectrum(v, x=x, domain=(-1, 1), eps=1e-9, backend="cufinufft")
    assert np.max(np.abs(gpu.values - cpu.values)) <= 1e-7 * np.max(np.abs(cpu.values))


# --- callables: torch, JAX, Activation, formulas ------------------------------------------------
def test_torch_module_and_jax_function_match_numpy():
    torch = pytest.importorskip("torch")
    jnp = pytest.importorskip("jax.numpy")
    lin = torch.nn.Linear(1, 1).double()
    with torch.no_grad():
        lin.weight.fill_(2.0)
        lin.bias.fill_(-0.5)
    net = torch.nn.Sequential(lin, torch.nn.Tanh())
    ref = sp.spectrum(lambda x: np.tanh(2 * x - 0.5), (-3.0, 3.0), n=512)
    got_t = sp.spectrum(net, (-3.0, 3.0), n=512)
    got_j = sp.spectrum(lambda x: jnp.tanh(2 * x - 0.5), (-3.0, 3.0), n=512)
    np.testing.assert_allclose(got_t.values, ref.values, atol=1e-12)
    np.testing.assert_allclose(got_j.values, ref.values, atol=1e-4)  # JAX computes in float32


def test_activation_object_and_formula():
    act = actdesign.from_expression("exp(-z^2/2)")
    s = sp.spectrum(act, (-20.0, 20.0), n=2048)
    np.testing.assert_allclose(s.values, np.sqrt(2 * np.pi) * np.exp(-(s.k**2) / 2), atol=1e-12)
    f, dim = sp.expression_function("exp(-(x^2 + y^2)/2) * cos(y)")
    assert dim == 2
    gx, gy = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(0, 2, 5), indexing="ij")
    np.testing.assert_allclose(f(gx, gy), np.exp(-(gx**2 + gy**2) / 2) * np.cos(gy), rtol=1e-14)


def test_penalty_numeric_fallback_matches_closed_form():
    # exp(-z^2/2)cos(3z): F = sqrt(2pi)/2 (e^{-(k-3)^2/2} + e^{-(k+3)^2/2})
    act = actdesign.from_expression("exp(-z^2/2)*cos(3*z)")
    k = np.linspace(0, 7, 29)
    exact = np.sqrt(2 * np.pi) / 2 * (np.exp(-((k - 3) ** 2) / 2) + np.exp(-((k + 3) ** 2) / 2))
    np.testing.assert_allclose(sp.activation_transform(act, k), exact, rtol=1e-9)
    np.testing.assert_allclose(sp.penalty_function("k^4")(np.array([-2.0, 3.0])), [16.0, 81.0])


# --- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: sp.spectrum(np.log, (-1.0, 1.0), n=64), "not finite"),
        (lambda: sp.spectrum(np.sin, (1.0, 1.0)), "a < b"),
        (lambda: sp.spectrum(np.sin, (0.0, 1.0), window="kaiser"), "unknown window"),
        (lambda: sp.spectrum(np.sin, (0.0, 1.0), unit="hz"), "unknown unit"),
        (lambda: sp.spectrum(np.sin, (0.0, 1.0), pad=0), "pad"),
        (lambda: sp.spectrum(lambda x: x[:3], (0.0, 1.0), n=64), "vectorised"),
        (lambda: sp.sample_spectrum([1.0, np.nan, 2.0], domain=(0, 1)), "not finite"),
        (lambda: sp.sample_spectrum([1.0, 2.0], x=[0.0, 3.0], domain=(0, 1)), "outside the domain"),
        (lambda: sp.sample_spectrum([1.0, 2.0], x=[0.5, 0.5], domain=(0, 1)), "repeated"),
        (lambda: sp.spectrum(np.sin, (0.0, 1.0)).bandwidth(1.5), "energy fraction"),
        (
            lambda: sp.penalty_function(actdesign.from_expression("relu(z)"))(np.ones(2)),
            "does not decay",
        ),
    ],
)
def test_bad_input_one_line_errors(call, words):
    with pytest.raises(actdesign.ActdesignError, match=words) as err:
        call()
    assert "\n" not in str(err.value)


def test_import_is_light():
    code = (
        "import sys, actdesign.spectrum; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'torch', 'jax', 'matplotlib', 'finufft', 'scipy', 'numba', 'cupy'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
