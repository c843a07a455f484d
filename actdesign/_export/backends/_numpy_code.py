"""Templates of the generated numpy files (string.Template: $name is filled in)."""

CLOSED = '''
$helpers
def $fn(z):
    """phi(z) = $closed_form, elementwise, in float64."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(all="ignore"):
$body        return np.broadcast_to($expr, z.shape).copy()
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

$tails

def _evaluate(z):
    """phi on a flat float64 array: gathers of the coefficients, Horner, then the tails."""
    bits = z.view(np.int64)
    k = ((bits & ((1 << 63) - 1)) >> (52 - FINE)) - (((1023 + E_MIN) << FINE) - 1)
    g = N_SIDE + (_LUT[np.clip(k, 0, _LUT.size - 1)] ^ (bits >> 63))  # -1 - index when z < 0
$split_step    u = (z - _TABLE[0][g]) * _TABLE[1][g]
    value = _TABLE[DEGREE + 2][g]
    for j in range(DEGREE - 1, -1, -1):
        value = value * u + _TABLE[j + 2][g]
    for outside, law in ((z < LO, _left), (z > HI, _right)):
        value[outside] = law(z[outside])[0]
    return value


def $fn(z):
    """phi(z) elementwise: $title, in float64."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(all="ignore"):
        return _evaluate(z.reshape(-1)).reshape(z.shape)$explicit_plus
'''

INIT = ""

SPLIT_STEP = ("    # a bucket that holds a knot has two rows, 2g and 2g + 1\n"
              "    g = 2 * g + (z >= _SPLIT[g])\n")
SPLIT_DECODE = '_SPLIT = np.frombuffer(base64.b64decode(SPLIT), dtype="<f8")\n'
