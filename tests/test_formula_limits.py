"""Formula safety (issue 18): the resource model, the universal time cap, conditions refused
where numbers are expected, and every registry family name in the grammar (issue 17).

Every reproduction string of issue 18 is a case here; each hung, crashed with a traceback
or exited 0 on the code before this change.
"""

import re
import time

import mpmath
import numpy as np
import pytest
import sympy as sp
from actdesign_cli.main import main
from click.testing import CliRunner

import actdesign
from actdesign import ActdesignError, ParseError
from actdesign.formula._evaluate import HYP1F1_ASYMPTOTIC, evaluate
from actdesign.formula._parse import parse_expression
from actdesign.fourier._quad import call
from actdesign.infra._errors import TimeLimitError
from actdesign.infra._symbols import z as Z
from actdesign.infra._timeout import ENV, capped
from actdesign.registry import FAMILIES

GRAMMARS = {"penalty": ("k",), "activation": ("z", "x"), "function": ("x", "y")}


def _in(text, var):
    return re.sub(r"\bk\b", var, text)


# (formula in k, fragment of the one-line message): each hung for minutes or raised a
# traceback before the resource model
REFUSED = [
    ("((9^400)^400)^400", "too large"),  # nested powers: 9^(64e6) has 61 million digits
    ("gamma(10^6)", "digits"),  # 999999! in full
    ("loggamma(10^6)", "digits"),
    ("hyper((1.5,), (4000,), k)", "parameter"),  # series in time growing with b
    ("besselk(4000, 1 + k)", "order"),
    ("sinc(-cosh(1e30))", "too large"),  # sin of a number with 10^29 digits
    ("relu(asin(1_000))", "not a real number"),  # Max(0, complex): ValueError before
    ("(1 + 1e-300)^400", "digits"),  # exact rational with 240 000 digits
    ("k^(2^81)", "exponent"),
    ("exp(1000)", "too large"),
    ("erfc(-1e300)", "too large"),  # OverflowError inside mpmath (found by the fuzz)
    ("hyper((E, 3/4, 2), (), 1e300)", "cannot be evaluated"),  # mpmath's NoConvergence
    ("relu(1/(k - k))", "SymPy can build"),  # Max(0, zoo): ValueError in SymPy before
    ("csch(-1e300) + k", "too small"),  # RecursionError in SymPy's sign decision before
    ("exp(-1000) * k", "too small"),
]


@pytest.mark.parametrize("grammar", sorted(GRAMMARS))
@pytest.mark.parametrize("text, fragment", REFUSED)
def test_numbers_beyond_the_resource_model_are_refused_at_once(grammar, text, fragment):
    var = GRAMMARS[grammar][0]
    t = time.monotonic()
    with pytest.raises(ParseError) as info:
        parse_expression(_in(text, var), GRAMMARS[grammar])
    assert time.monotonic() - t < 1.0  # no SymPy work happened: the tree was checked first
    msg = str(info.value)
    assert fragment in msg and "\n" not in msg


@pytest.mark.parametrize("text", ["9^300 * k", "gamma(150) * k", "k^4000", "2^0.5 * k",
                                  "hyper((3/4,), (1/2,), -k^2/2) + 2", "besselk(100, 1 + k)",
                                  "sinc(1e200) + k", "exp(690) * exp(k)"])
def test_numbers_inside_the_limits_still_parse(text):
    assert isinstance(actdesign.parse_penalty(text), sp.Expr)


def test_the_magnitude_limit_is_the_value_not_the_spelling():
    # 9^314 ~ 1e299.6 is inside |x| <= 1e300, 9^315 ~ 1e300.6 is not (mpmath reference)
    assert mpmath.log10(mpmath.mpf(9) ** 314) < 300 < mpmath.log10(mpmath.mpf(9) ** 315)
    actdesign.parse_penalty("9^314 * k")
    with pytest.raises(ParseError, match="too large"):
        actdesign.parse_penalty("9^315 * k")


CONDITIONS = [
    ("k > 0", "is a condition"),
    ("True", "is a condition"),
    ("(k, 1)", "is a tuple"),
    ("1 and e-30", "where a condition is expected"),  # TypeError in SymPy's And before
    ("not k", "where a condition is expected"),
    ("hyper((True,), (2,), k)", "condition or tuple as a number"),  # float(True) crashed
    ("hyper(((1, 2),), (2,), k)", "condition or tuple as a number"),
    ("exp((1, 2))", "not a tuple"),
    ("Piecewise((1, 2), (k, True))", "where a condition is expected"),
    ("Piecewise((k > 1, k < 2), (k, True))", "condition or tuple as a number"),
    ("hyper((1, 2, 3), (4,), k)", "no numeric evaluation"),
    ("besselk(k, 2)", "order of besselk must be a number"),
]


@pytest.mark.parametrize("grammar", sorted(GRAMMARS))
@pytest.mark.parametrize("text, fragment", CONDITIONS)
def test_conditions_booleans_and_tuples_are_never_numbers(grammar, text, fragment):
    var = GRAMMARS[grammar][0]
    with pytest.raises(ParseError) as info:
        parse_expression(_in(text, var), GRAMMARS[grammar])
    assert fragment in str(info.value) and "\n" not in str(info.value)


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("args", [
    ("make", "--penalty", "k > 0"),  # traceback before
    ("make", "--penalty", "((9^400)^400)^400"),  # hung
    ("make", "--penalty", "hyper((True,),(2,),k)"),
    ("make", "--penalty", "1 and e-30"),
    ("make", "--penalty", "relu(asin(1_000))"),
    ("analyze", "--activation", "z > 0"),  # traceback before
    ("analyze", "--activation", "gamma(10^6)"),  # printed rho = nan, exit 0
    ("analyze", "--activation", "sinc(-cosh(1e30))"),
    ("spectrum", "--function", "x > 0"),  # exit 0 before
    ("spectrum", "--function", "((9^400)^400)^400"),  # hung
])
def test_cli_refuses_with_one_line_and_status_2(tmp_path, args):
    r = run(*args, "--out", str(tmp_path)) if args[0] == "make" else run(*args)
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert err.startswith("actdesign: error:") and "\n" not in err
    assert not any(tmp_path.iterdir())


def test_fit_refuses_a_condition_as_activation(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("x,y\n0,0\n1,1\n2,0\n3,1\n")
    r = run("fit", "--data", str(data), "--activation", "z > 0", "--width", "8")
    assert r.exit_code == 2, r.output  # exit 0 before: a condition was fitted
    assert "condition" in r.stderr


@pytest.mark.parametrize("text", ["erf(k^E)", "log(wavepacket(1, 1_000)^(2^81/k))"])
def test_sympy_failures_in_the_amplitude_analysis_are_refusals(text):
    # found by the fuzz: AttributeError in SymPy's nseries, OverflowError in its trig rules
    from actdesign.activation._amplitude import analyse, check_penalty

    try:
        rho = actdesign.parse_penalty(text)
        check_penalty(rho, text)
        analyse(rho, text, 1, "bump")
    except ActdesignError as err:
        assert "\n" not in str(err)


def test_a_two_dimensional_function_undefined_at_some_y_is_refused():
    from actdesign.spectrum import expression_function

    f, dim = expression_function("elu((170 - 1e300)^(1/y))")  # TypeError in SymPy before
    assert dim == 2
    xs = np.linspace(0.0, 1.0, 8)
    with pytest.raises(ActdesignError, match="cannot be evaluated at y"):
        f(xs, xs[::-1])


@pytest.mark.filterwarnings("ignore::actdesign.activation._amplitude.BedOfNailsWarning")  # rho ~ |k|
def test_a_penalty_negative_next_to_zero_is_refused_not_a_traceback():
    # the sinc(1e300)+k is below the smallest constant now (ParseError "too small");
    # |k| + sinc(1e200) < 0 for |k| < 6.4e-201: a refusal, never a traceback
    with pytest.raises(ParseError, match="too small"):
        actdesign.design("sinc(1e300)+k")
    # the double nearest 1e200 (what the parser reads), its sinc at a fixed raised precision
    # (mpf(10)**200 would round differently under another test's global mp.dps)
    with mpmath.workdps(40):
        assert mpmath.sinc(mpmath.mpf(1e200)) < 0
    with pytest.raises(ActdesignError) as info:
        actdesign.design("sinc(1e200)+k")
    assert "\n" not in str(info.value)


def test_quadrature_names_a_bad_value_when_far_is_an_array():
    # exp(z**2^z^E**z) reached this with ``far`` of x's shape: IndexError before
    x = np.linspace(0.5, 3.0, 12).reshape(3, 4)
    f = lambda u: np.where(u > 2.0, np.nan, u)  # noqa: E731
    with pytest.raises(ActdesignError, match="the integrand is nan at"):
        call(f, x, lo=0.6, far=np.full(x.shape, 10.0))
    y = call(lambda u: u, x, lo=0.6, far=np.full(x.shape, 10.0))
    assert np.array_equal(y, np.where(x > 0.6, x, 0.0))


def test_analyze_of_an_overflowing_tower_ends_in_a_refusal_or_a_result():
    try:
        pen = actdesign.analyze("exp(z**2^z^E**z)")
    except ActdesignError as err:
        assert "\n" not in str(err)
    else:
        assert np.all(~np.isnan(pen(np.array([0.3, 1.0]))))


# --- the registry in the grammar (issue 17) ------------------------------------------------
U = np.array([-7.5, -2.0, -0.7, -0.1, 0.0, 0.3, 1.0, 2.5, 9.0])


# grammar functions that share a family's name keep their own signature: besselk(nu, x)
CALL = {"besselk": "besselk(0, abs(z))"}


@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.name)
def test_every_registry_family_name_parses_to_its_function(fam):
    phi = actdesign.parse_activation(CALL.get(fam.name, f"{fam.name}(z)"))
    got = evaluate(phi, Z, U)
    ref = np.asarray(fam.numpy(U, fam.extra_values()), dtype=float)
    finite = np.isfinite(ref)  # besselk's K0 is infinite at 0
    assert np.array_equal(np.isfinite(got), finite)
    assert np.allclose(got[finite], ref[finite], rtol=1e-13, atol=0)


def test_gallery_names_and_family_parameters():
    silu = evaluate(actdesign.parse_activation("silu(z)"), Z, U)
    assert np.allclose(silu, U / (1 + np.exp(-U)), rtol=1e-14)
    leaky = evaluate(actdesign.parse_activation("leaky_relu(x, 0.2)"), Z, U)
    assert np.array_equal(leaky, np.maximum(0.2 * U, U))
    cauchy = evaluate(actdesign.parse_activation("cauchy(2*z, 3)"), Z, U)
    assert np.allclose(cauchy, 1 / (3 + 4 * U**2), rtol=1e-14)
    with pytest.raises(ParseError, match="parameter a must be a number"):
        actdesign.parse_activation("leaky_relu(z, z)")
    with pytest.raises(ParseError, match="takes 1 or 2"):
        actdesign.parse_activation("leaky_relu(z, 0.1, 2)")


def test_gelu_parses_and_analyze_finds_its_registry_penalty():
    pen = actdesign.analyze("gelu(z)")
    k = np.array([0.3, 1.0, 2.5])
    assert pen.method == "table"
    assert np.allclose(pen(k), k**4 * np.exp(k**2) / (1 + k**2) ** 2, rtol=1e-12)


# --- numpy evaluations that were missing or slow -----------------------------------------
@pytest.mark.parametrize("a, b", [(1.5, 40.0), (0.75, 0.5), (-2.5, 1.5), (2.5, 1.5), (3.25, 100.0)])
def test_hyp1f1_at_large_arguments_matches_mpmath(a, b):
    # scipy sums its series here (about a second per value at |x| = 1e12); the asymptotic
    # expansion takes over beyond HYP1F1_ASYMPTOTIC
    x = np.array([-1e300, -1e12, -3e6, -1.5 * HYP1F1_ASYMPTOTIC, 1.5 * HYP1F1_ASYMPTOTIC, 1e9])
    got = evaluate(sp.hyper([sp.Float(a)], [sp.Float(b)], Z), Z, x)
    with mpmath.workdps(40):
        ref = np.array([float(mpmath.hyp1f1(a, b, v)) if abs(mpmath.hyp1f1(a, b, v)) < 1e308
                        else float(mpmath.sign(mpmath.hyp1f1(a, b, v))) * np.inf for v in x])
    fin = np.isfinite(ref)
    assert np.array_equal(got[~fin], ref[~fin])
    # the expansion's first omitted term is below 1e-17 of the sum; rounding adds a few ulps
    # (values below the smallest normal float, 1e-450 at x = -1e300, are 0 in both)
    tol = 50 * np.finfo(float).eps * np.abs(ref[fin]) + np.finfo(float).tiny
    assert np.all(np.abs(got[fin] - ref[fin]) <= tol)


def test_0f1_2f1_polygamma_and_step_derivatives_evaluate():
    x = np.array([-3.0, -0.4, 0.2, 0.7])
    with mpmath.workdps(30):
        h0 = [float(mpmath.hyp0f1(1.5, v)) for v in x]
        h2 = [float(mpmath.hyp2f1(0.5, 1.0, 2.5, v)) for v in x]
        pg = [float(mpmath.polygamma(1, 2 + v * v)) for v in x]
    phi = actdesign.parse_activation("hyper((), (3/2,), z)")
    assert np.allclose(evaluate(phi, Z, x), h0, rtol=1e-13)
    phi = actdesign.parse_activation("hyper((1/2, 1), (5/2,), z)")
    assert np.allclose(evaluate(phi, Z, x), h2, rtol=1e-13)
    d2 = sp.diff(actdesign.parse_activation("loggamma(2 + z^2)"), Z, 2)  # holds polygamma(1, .)
    ref = 2 * np.array([float(mpmath.digamma(2 + v * v)) for v in x]) + 4 * x**2 * np.array(pg)
    assert np.allclose(evaluate(d2, Z, x), ref, rtol=1e-12)
    # floor is flat between its jumps: its classical derivative is 0 there
    d1 = sp.diff(actdesign.parse_activation("floor(z) * exp(-z^2)"), Z)
    assert d1.has(sp.Derivative)
    assert np.allclose(evaluate(d1, Z, x), -2 * x * np.floor(x) * np.exp(-x * x), rtol=1e-14)


# --- the time caps ---------------------------------------------------------------------------
def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            sum(i * i for i in range(2000))
        except Exception:  # noqa: BLE001 - the shape of SymPy's broad excepts
            pass


def test_capped_call_ends_in_a_one_line_refusal_naming_the_limit(monkeypatch):
    monkeypatch.setenv(ENV, "0.2")
    slow = capped("design")(lambda text: _spin(10.0))
    t = time.monotonic()
    with pytest.raises(TimeLimitError) as info:
        slow("exp(k)")
    # one alarm at 0.2 s, then retries every 20 ms: well under the 10 s of work
    assert time.monotonic() - t < 2.0
    msg = str(info.value)
    assert "0.2 s" in msg and ENV in msg and "'exp(k)'" in msg and "\n" not in msg
    assert isinstance(info.value, ActdesignError) and isinstance(info.value, TimeoutError)


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "nan", "inf"])
def test_a_bad_time_limit_setting_is_named(monkeypatch, bad):
    monkeypatch.setenv(ENV, bad)
    with pytest.raises(ActdesignError, match=ENV):
        capped("design")(lambda: 1)()


def test_design_stops_at_the_call_limit(monkeypatch):
    # the numeric route of this penalty runs for about a second on an idle core
    monkeypatch.setenv(ENV, "0.3")
    t = time.monotonic()
    with pytest.raises(TimeLimitError, match="design '\\(2\\+cos\\(k\\)\\)\\*exp\\(k\\)'"):
        actdesign.design("(2+cos(k))*exp(k)")
    assert time.monotonic() - t < 3.0


def test_parse_is_time_capped(monkeypatch):
    import actdesign.formula._parse as P

    monkeypatch.setattr(P, "PARSE_SECONDS", 0.2)
    monkeypatch.setattr(P, "check_sizes", lambda *a: _spin(10.0))
    t = time.monotonic()
    with pytest.raises(ParseError, match="parse time limit of 0.2 s"):
        P.parse_penalty("exp(k)")
    assert time.monotonic() - t < 2.0


def test_an_alarm_inside_the_signal_module_is_not_raised_there():
    # time_limit's exit path restores the handler through signal.signal (a Python wrapper);
    # an alarm delivered just before the timer was disarmed ran its handler in that frame
    # and left the old handler uninstalled (found by the full-analyze fuzz)
    import signal
    import sys

    from actdesign.infra._timeout import _interruptible

    scope = {"sys": sys}
    exec(compile("def frame():\n    return sys._getframe()\n", signal.__file__, "exec"), scope)  # noqa: S102
    assert not _interruptible(scope["frame"]())
    assert _interruptible(sys._getframe())


def test_spec_loading_and_sweep_checking_are_capped(monkeypatch, tmp_path):
    # the entry points carry the cap themselves: a stalled step inside ends in the refusal
    import actdesign.activation._activation as A
    import actdesign.sweep._config as C
    from actdesign.sweep import load_config

    path = actdesign.design("exp(2*k)").save(tmp_path / "a.json")
    cfg = tmp_path / "s.toml"
    cfg.write_text("[design]\npenalties=['exp(k)']\nshapes=['bump']\n")
    monkeypatch.setenv(ENV, "0.2")
    monkeypatch.setattr(A, "_from_dict", lambda *a: _spin(10.0))
    with pytest.raises(TimeLimitError, match="loading spec"):
        actdesign.load(str(path))
    monkeypatch.setattr(C, "_check", lambda *a: _spin(10.0))
    with pytest.raises(TimeLimitError, match="checking sweep config"):
        load_config(str(cfg))


def test_complex_expansion_coefficients_are_a_penalty_error():
    # rho = |k| - 1e-6 is negative next to 0: rho^(-1/2) expands with imaginary coefficients,
    # which float() turned into "TypeError: Cannot convert complex to float" (sinc(1e300)+k)
    from actdesign.activation._amplitude import _PROBE, _expansion
    from actdesign.activation._table import kappa

    G = 1 / sp.sqrt(kappa - sp.Rational(1, 10**6))
    with pytest.raises(actdesign.PenaltyError, match="not real near k = 0"):
        _expansion(G, evaluate(G, kappa, _PROBE))
