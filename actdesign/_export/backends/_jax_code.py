"""Templates of the generated JAX files (string.Template: $name is filled in)."""

CLOSED = '''
$helpers
def $fn(z):
    """phi(z) = $closed_form, elementwise.

    Works under jax.jit, jax.grad and jax.vmap.
    """
    z = _as_float(z)
$body    return $expr


def _as_float(z):
    z = jnp.asarray(z)
    return z if jnp.issubdtype(z.dtype, jnp.floating) else z.astype(float)
'''

NUMERIC = '''
# --- the numeric representation ---------------------------------------------------------
# phi is a piecewise polynomial of degree DEGREE on [LO, HI] and a tail law outside.
# Pieces are found without a search, from the bits of the float: |z| is cut into
# buckets, [0, 2**E_MIN) being one bucket and the octave [2**e, 2**(e+1)), e = E_MIN + i,
# being cut into 2**BITS[i] equal ones (larger |z| share the last). In bucket g, counted
# from the most negative z, phi = sum_j A_j[g] * u**j with u = (z - LEFT[g]) * SCALE[g]
# running over [0, 1]. TABLE holds the columns LEFT, SCALE, A_0, ..., A_DEGREE.
$split_comment
LO = $lo
HI = $hi
DEGREE = $degree
E_MIN = $e_min
BITS = $bits
N_SIDE = $n_side  # buckets on each side of 0
N_ROWS = $n_rows
# float64, little-endian, base64; column after column, shape (DEGREE + 3, N_ROWS)
TABLE = (
$rows_data
)
$split_data
FINE = max(BITS)  # |z| is first located to FINE mantissa bits, then mapped to its bucket


def _fine_to_bucket():
    """Bucket of |z| for each fine index: 0 below 2**E_MIN, then octave by octave, then the last."""
    lut, first = [0], 1
    for b in BITS:
        lut += [first + (j >> (FINE - b)) for j in range(2**FINE)]
        first += 2**b
    return lut + [N_SIDE - 1]


_TABLE = np.frombuffer(base64.b64decode(TABLE), dtype="<f8").reshape(DEGREE + 3, N_ROWS)
_LUT = np.array(_fine_to_bucket())
$split_decode
# dtype -> (integer type of the same width, mantissa bits, exponent bias)
FORMATS = {np.dtype("float32"): ("int32", 23, 127), np.dtype("float64"): ("int64", 52, 1023)}


def _bucket(z):
    """Global bucket of each z (see the comment above TABLE)."""
    int_type, mantissa_bits, bias = FORMATS[np.dtype(z.dtype)]
    sign_bit = 8 * z.dtype.itemsize - 1
    bits = jax.lax.bitcast_convert_type(z, jnp.dtype(int_type))
    # exponent and leading FINE mantissa bits of |z|, counted from 2**E_MIN (index 1)
    k = ((bits & ((1 << sign_bit) - 1)) >> (mantissa_bits - FINE)) - (((bias + E_MIN) << FINE) - 1)
    g = jnp.asarray(_LUT, int_type)[jnp.clip(k, 0, _LUT.size - 1)]
    # the sign bit, shifted down, is -1 for negative z, and g ^ -1 == -1 - g
    return N_SIDE + (g ^ (bits >> sign_bit))


$tails

def _evaluate(z, derivative):
    """phi(z), or phi'(z), of the representation: gathers of the coefficients, Horner, tails.

    Value and derivative are separate calls whose gathers differ (index mode "clip" for
    the derivative), so XLA cannot merge them: each fuses into one loop instead of
    materialising every gathered column for both.
    """
    g = _bucket(z)
$split_step
    def column(j):
        table = jnp.asarray(_TABLE[j], z.dtype)  # 1-D gathers: XLA is slow at gathering rows
        return jnp.take(table, g, mode="clip") if derivative else table[g]

    u = (z - column(0)) * column(1)
    value, slope = column(DEGREE + 2), jnp.zeros_like(z)
    for j in range(DEGREE - 1, -1, -1):
        slope = slope * u + value
        value = value * u + column(j + 2)
    out = slope * column(1) if derivative else value  # d/dz = SCALE * d/du
    for outside, law, edge in ((z < LO, _left, LO), (z > HI, _right, HI)):
        # the law reads a safe input where it is unused, so no NaN reaches the gradient
        out = jnp.where(outside, law(jnp.where(outside, z, edge))[int(derivative)], out)
    return out


@jax.custom_jvp
def _phi(z):
    return _evaluate(z, False)


@_phi.defjvp
def _phi_jvp(primals, tangents):
    # the derivative of the same representation (jax differentiates it again for higher orders)
    (z,), (dz,) = primals, tangents
    return _evaluate(z, False), _evaluate(z, True) * dz


def $fn(z):
    """phi(z) elementwise: $title.

    Works under jax.jit, jax.grad and jax.vmap.
    """
    z = jnp.asarray(z)
    if not jnp.issubdtype(z.dtype, jnp.floating):
        z = z.astype(float)
    if np.dtype(z.dtype) in FORMATS:
        return _phi(z)$explicit_plus
    dtype, z = z.dtype, z.astype(jnp.float32)  # half precision via float32
    return (_phi(z)$explicit_plus).astype(dtype)
'''

INIT = '''

def init_params(key, shape, dtype=jnp.float32, gain=GAIN):
    """Weights of shape (fan_in, fan_out) for a layer feeding this activation.

    Drawn from N(0, gain**2 / fan_in), so that unit pre-activation variance is a fixed
    point of the variance map (second-moment rule); use zero biases.
    """
    return gain / math.sqrt(shape[0]) * jax.random.normal(key, shape, dtype)
'''

SPLIT_STEP = ("    # a bucket that holds a knot has two rows, 2g and 2g + 1\n"
              "    g = 2 * g + (z >= jnp.asarray(_SPLIT, z.dtype)[g])\n")
SPLIT_DECODE = '_SPLIT = np.frombuffer(base64.b64decode(SPLIT), dtype="<f8")\n'
