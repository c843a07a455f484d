"""Exported activations (torch, JAX, numpy) against independent references (issue 7).

Values: within 1e-6 relative in float64 on z in [-1e3, 1e3], with an absolute floor of
1e-12 times the activation's size (max |phi| on [-10, 10]) so that zeros of phi (sinc,
wavepacket) and float64 underflow are judged sensibly. Gradients: against central
differences of the reference, within 1e-5 relative (floor 1e-9 times the size of phi'),
away from kinks and the ends of tables; at kinks and at 0, +-1e-300 and +-1e30 they must
be finite.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from test_export_cases import ALL, BY_NAME, CLOSED, NUMERIC, NUMERIC_CLOSED, activation

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from actdesign._export import to_jax, to_numpy, to_torch  # noqa: E402
from actdesign._export._source import representation  # noqa: E402

NAMES = [c.name for c in ALL]
Z = np.unique(np.concatenate([
    np.linspace(-1e3, 1e3, 2001), np.linspace(-10, 10, 401),
    np.geomspace(1e-6, 1e3, 120), -np.geomspace(1e-6, 1e3, 120)]))
SPECIAL = [0.0, -0.0, 1e-300, -1e-300, 1e30, -1e30, 1e-30, -1e-30]


@cache
def torch_module(name):
    return to_torch(activation(name), gain=False)


@cache
def jax_function(name):
    return to_jax(activation(name), gain=False)


def kinks(case):
    """Kinks of phi, plus the table ends of numeric activations (where the tail law starts)."""
    act = activation(case.name)
    ends = () if act.tabulation is None else (act.tabulation.knots[0], act.tabulation.knots[-1])
    return np.array(case.kinks + ends, dtype=float)


def size(values, z):
    return float(np.max(np.abs(values[np.isfinite(values) & (np.abs(z) <= 10)])))


def assert_close(got, ref, z, rtol, floor, what):
    ok = np.isfinite(ref)
    err = np.abs(got[ok] - ref[ok])
    bad = ~(err <= rtol * np.abs(ref[ok]) + floor)
    assert not bad.any(), (f"{what}: {bad.sum()} points off, worst at z = {z[ok][bad][0]:g}: "
                           f"got {got[ok][bad][0]!r}, expected {ref[ok][bad][0]!r}")


def torch_value_and_grad(name, z, dtype=torch.float64):
    x = torch.tensor(z, dtype=dtype, requires_grad=True)
    y = torch_module(name)(x)
    y.sum().backward()
    return y.detach().double().numpy(), x.grad.double().numpy()


def jax_value_and_grad(name, z, dtype="float64"):
    f = jax_function(name)
    with jax.enable_x64(True):
        x = jnp.asarray(z, dtype=dtype)
        y = jax.jit(f)(x)
        g = jax.jit(jax.vmap(jax.grad(f)))(x)
        return np.asarray(y, dtype=float), np.asarray(g, dtype=float)


def reference_gradient(case, z):
    h = 1e-6 * np.maximum(1.0, np.abs(z))
    return (case.ref(z + h) - case.ref(z - h)) / (2 * h)


def _special_points(case):
    k = kinks(case)
    return np.array(SPECIAL + list(k) + list(k + 1e-12) + list(k - 1e-12))


def _representable(case, z, dtype_max):
    """Points where phi and phi' do not overflow the dtype (reference in float64)."""
    with np.errstate(all="ignore"):
        v = case.ref(z)
        d = reference_gradient(case, z)
    def huge(x):
        return np.isfinite(x) & (np.abs(x) > dtype_max / 10)
    return ~(huge(v) | huge(d))


def _assert_finite(z, v, g, what):
    assert np.all(np.isfinite(v)), f"{what}: phi not finite at {z[~np.isfinite(v)]}"
    assert np.all(np.isfinite(g)), f"{what}: gradient not finite at {z[~np.isfinite(g)]}"


@pytest.mark.parametrize("name", NAMES)
def test_float64_values_gradients_and_finiteness(name):
    """Values vs the reference on [-1e3, 1e3]; gradients vs central differences away from
    kinks; finite values and gradients at 0, +-1e-300, +-1e30 and the kinks; jit == eager."""
    case = BY_NAME[name]
    special = _special_points(case)
    z = np.concatenate([Z, special])
    n = Z.size
    ref = case.ref(Z)
    away = np.all(np.abs(Z[:, None] - kinks(case)[None, :]) > case.grad_exclude, axis=1)
    dref = reference_gradient(case, Z[away])
    vfloor = 1e-12 * size(ref, Z) + 1e-300
    gfloor = 1e-9 * size(dref, Z[away]) + 1e-300
    for backend, (v, g) in (("torch", torch_value_and_grad(name, z)),
                            ("jax", jax_value_and_grad(name, z))):
        assert_close(v[:n], ref, Z, 1e-6, vfloor, f"{backend} values")
        assert_close(g[:n][away], dref, Z[away], 1e-5, gfloor, f"{backend} gradients")
        _assert_finite(special, v[n:], g[n:], f"{backend} float64")
    assert_close(to_numpy(activation(name))(Z), ref, Z, 1e-6, vfloor, "numpy values")
    with jax.enable_x64(True):
        eager = np.asarray(jax_function(name)(jnp.asarray(Z)))
    np.testing.assert_allclose(jax_value_and_grad(name, z)[0][:n], eager, rtol=1e-6, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
def test_float32_values_and_finiteness(name):
    case = BY_NAME[name]
    grid = np.linspace(-30, 30, 1201).astype(np.float32).astype(float)  # exactly representable
    special = _special_points(case)
    special = special[_representable(case, special, float(np.finfo(np.float32).max))]
    z = np.concatenate([grid, special])
    ref = case.ref(grid)
    floor = 1e-6 * size(ref, grid)
    for backend, (v, g) in (("torch", torch_value_and_grad(name, z, torch.float32)),
                            ("jax", jax_value_and_grad(name, z, "float32"))):
        assert_close(v[:grid.size], ref, grid, 2e-5, floor, f"{backend} float32 values")
        _assert_finite(z, v, g, f"{backend} float32")


def COMPILE_WARNINGS(test):
    # raised inside torch's own compiler (dynamo instantiates custom autograd Functions)
    for message in ("`torch.jit.script_method` is deprecated", ".* should not be instantiated"):
        test = pytest.mark.filterwarnings(f"ignore:{message}:DeprecationWarning")(test)
    return test


@COMPILE_WARNINGS
def test_torch_compile_agrees_with_eager():
    _compile_check("bessel_k0")


@COMPILE_WARNINGS
@pytest.mark.parametrize("name", [n for n in NAMES if n != "bessel_k0"])
def test_torch_compile_agrees_with_eager_all(name):
    _compile_check(name)


def _compile_check(name):
    torch._dynamo.reset()
    module = torch_module(name)
    z = np.concatenate([Z[np.abs(Z) <= 100], [1e4, -1e4, 1e30, -1e30]])
    compiled = torch.compile(module)
    x = torch.tensor(z, requires_grad=True)
    y = compiled(x)
    y.sum().backward()
    v, g = torch_value_and_grad(name, z)
    np.testing.assert_allclose(y.detach().numpy(), v, rtol=1e-6, atol=1e-300)
    atol = 1e-12 * max(1.0, np.max(np.abs(g)))
    np.testing.assert_allclose(x.grad.numpy(), g, rtol=1e-6, atol=atol)


@pytest.mark.parametrize("name", ["bessel_k0", "matern_quarter", "hyp1f1_dim2"])
def test_missing_functions_fall_back_to_the_numeric_representation(name):
    act = activation(name)
    assert representation(act, "torch")["kind"] == "numeric"
    assert representation(act, "jax")["kind"] == "numeric"
    assert representation(act, "numpy")["kind"] == "closed"  # scipy has kv and hyp1f1


@pytest.mark.parametrize("name", [c.name for c in CLOSED if not c.fallback])
def test_closed_forms_are_printed_not_tabulated(name):
    for backend in ("torch", "jax", "numpy"):
        assert representation(activation(name), backend)["kind"] == "closed"


@pytest.mark.parametrize("name", [c.name for c in NUMERIC])
def test_numeric_cases_are_what_they_claim(name):
    # the test tables themselves stay close to the closed forms they were built from
    z = np.linspace(-20, 20, 801)
    act = activation(name)
    assert act.phi is None
    np.testing.assert_allclose(act(z), NUMERIC_CLOSED[name](z), atol=2e-6)


def test_second_derivative_in_jax_matches_the_table():
    # custom_jvp: jax differentiates the derivative of the representation again
    from actdesign import Activation, Tabulation, TailLaw

    x = np.linspace(-6, 6, 121)
    tab = Tabulation.from_hermite(x, [np.exp(-x * x / 2), -x * np.exp(-x * x / 2)],
                                  TailLaw(c=1.0, b=0.5), TailLaw(c=1.0, b=0.5))
    act = Activation(name="small_gaussian", penalty_text=None, rho=None, method="numeric",
                     tabulation=tab)
    f = to_jax(act, gain=False)
    z = np.linspace(-5, 5, 41) + 0.0123
    with jax.enable_x64(True):
        d2 = np.asarray(jax.vmap(jax.grad(jax.grad(f)))(jnp.asarray(z)))
    np.testing.assert_allclose(d2, act.derivative(z, 2), rtol=1e-9, atol=1e-12)


def test_torch_double_backward_is_refused_not_wrong():
    x = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(torch_module("bessel_k0")(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|does not require grad"):
        torch.autograd.grad(g.sum(), x)


def test_half_precision_input_is_evaluated_in_float32():
    x = torch.linspace(-3, 3, 13, dtype=torch.float16)
    for name in ("bessel_k0", "tab_cauchy"):
        y = torch_module(name)(x)
        assert y.dtype == torch.float16
        ref = BY_NAME[name].ref(x.double().numpy())
        finite = np.isfinite(ref)  # K0 is infinite at 0 (the export is finite there)
        np.testing.assert_allclose(y.double().numpy()[finite], ref[finite], rtol=2e-3)


def test_integer_input_is_a_clear_type_error():
    with pytest.raises(TypeError, match="floating-point"):
        torch_module("bessel_k0")(torch.arange(3))


def test_numeric_table_survives_module_dtype_conversion():
    # .float() on a model must not round the float64 coefficient table
    module = to_torch(activation("bessel_k0"), gain=False).float().double()
    z = np.linspace(0.01, 50, 200)
    got = module(torch.tensor(z)).numpy()
    np.testing.assert_allclose(got, BY_NAME["bessel_k0"].ref(z), rtol=1e-6)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", ["bessel_k0", "tab_cauchy", "gelu", "elu"])
def test_cuda_matches_cpu(name):
    module = to_torch(activation(name), gain=False).to("cuda")
    z = np.concatenate([np.linspace(-50, 50, 1001), SPECIAL])
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor(z, dtype=dtype, device="cuda", requires_grad=True)
        y = module(x)
        y.sum().backward()
        v, g = torch_value_and_grad(name, z, dtype)
        np.testing.assert_allclose(y.detach().cpu().double().numpy(), v, rtol=1e-5, atol=1e-30)
        np.testing.assert_allclose(x.grad.cpu().double().numpy(), g, rtol=1e-4, atol=1e-20)


# --- training ------------------------------------------------------------------------
TRAIN_DEFAULT = ["bessel_k0", "elu"]


def _train_torch(name, dtype=torch.float32):
    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 64, dtype=dtype)[:, None]
    y = torch.sin(3 * x)
    model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch_module(name), torch.nn.Linear(16, 1))
    model = model.to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(50):
        opt.zero_grad()
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        assert all(torch.isfinite(p.grad).all() for p in model.parameters())
        opt.step()
        losses.append(float(loss.detach()))
    assert np.all(np.isfinite(losses))
    return losses


def _train_jax(name):
    f = jax_function(name)
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    params = (jax.random.normal(k1, (1, 16)), jnp.zeros(16),
              jax.random.normal(k2, (16, 1)) / 4, jnp.zeros(1))
    x = jnp.linspace(-1, 1, 64)[:, None]
    y = jnp.sin(3 * x)

    def loss(p):
        w1, b1, w2, b2 = p
        return jnp.mean((f(x @ w1 + b1) @ w2 + b2 - y) ** 2)

    @jax.jit
    def step(p):
        value, grads = jax.value_and_grad(loss)(p)
        return [w - 1e-2 * g for w, g in zip(p, grads)], value, grads

    losses = []
    for _ in range(50):
        params, value, grads = step(params)
        assert all(bool(jnp.all(jnp.isfinite(g))) for g in grads)
        losses.append(float(value))
    assert np.all(np.isfinite(losses))
    return losses


@pytest.mark.parametrize("name", TRAIN_DEFAULT)
def test_two_layer_mlp_trains_without_nan(name):
    _train_torch(name)
    _train_jax(name)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in TRAIN_DEFAULT])
def test_two_layer_mlp_trains_without_nan_all(name):
    _train_torch(name)
    _train_jax(name)


def test_a_numeric_design_exports_its_own_table_exactly():
    # a real numeric design (no closed form): the export reproduces its Tabulation
    import actdesign

    act = actdesign.design("exp(k^2)*(1+k^2)", routes=("numeric",))
    assert act.phi is None and act.tabulation is not None
    z = np.concatenate([np.linspace(-60, 60, 2401), [-1e4, -5e3, 5e3, 1e4]])
    ref = act(z)
    floor = 1e-12 * np.max(np.abs(ref))
    x = torch.tensor(z, requires_grad=True)
    y = to_torch(act, gain=False)(x)
    y.sum().backward()
    assert_close(y.detach().numpy(), ref, z, 1e-9, floor, "torch")
    inside = np.abs(z) < 60
    assert_close(x.grad.numpy()[inside], act.derivative(z[inside], 1), z[inside], 1e-7,
                 1e-9 * np.max(np.abs(act.derivative(z[inside], 1))), "torch gradient")
    with jax.enable_x64(True):
        got = np.asarray(jax.jit(to_jax(act, gain=False))(jnp.asarray(z)))
    assert_close(got, ref, z, 1e-9, floor, "jax")
