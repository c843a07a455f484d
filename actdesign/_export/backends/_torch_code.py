"""Templates of the generated PyTorch files (string.Template: $name is filled in)."""

CLOSED = '''
$helpers
def _phi(z):
    """phi(z) elementwise, in the dtype and on the device of ``z``."""
$body    return $expr


class $cls(torch.nn.Module):
    """${title_cap}; see the module docstring."""

    def forward(self, z):
        return _phi(z)

    def extra_repr(self):
        return $repr_text
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


# dtype -> (integer type of the same width, mantissa bits, exponent bias)
FORMATS = {torch.float32: (torch.int32, 23, 127), torch.float64: (torch.int64, 52, 1023)}


def _decode(text, *shape):
    raw = bytearray(base64.b64decode(text))
    return torch.frombuffer(raw, dtype=torch.float64).reshape(*shape).clone()


def _bucket(z, lut):
    """Global bucket of each z (see the comment above TABLE)."""
    int_type, mantissa_bits, bias = FORMATS[z.dtype]
    sign_bit = 8 * z.element_size() - 1
    bits = z.view(int_type)
    # exponent and leading FINE mantissa bits of |z|, counted from 2**E_MIN (index 1)
    k = (bits & ((1 << sign_bit) - 1)).bitwise_right_shift_(mantissa_bits - FINE)
    k = k.sub_(((bias + E_MIN) << FINE) - 1).clamp_(0, lut.numel() - 1)
    # the sign bit, shifted down, is -1 for negative z, and g ^ -1 == -1 - g
    return lut.index_select(0, k).bitwise_xor_(bits >> sign_bit).add_(N_SIDE)


$tails

def _with_tails(z, value, slope):
    """Replace the table by the tail laws outside [LO, HI]."""
    for outside, law, edge in ((z < LO, _left, LO), (z > HI, _right, HI)):
        if torch.compiler.is_compiling():
            # one fused kernel; the law reads a safe input where it is unused (no NaN gradients)
            v, s = law(torch.where(outside, z, edge))
            value = torch.where(outside, v, value)
            slope = None if slope is None else torch.where(outside, s, slope)
            continue
        index = outside.nonzero().squeeze(1)  # eager: evaluate the law only where it is used
        if index.numel():
            v, s = law(z[index])
            value.index_copy_(0, index, v)
            if slope is not None:
                slope.index_copy_(0, index, s)
    return value, slope


def _evaluate(z, table, lut,$split_arg derivative):
    """phi(z) and, if ``derivative``, phi'(z): gathers of the bucket's coefficients, Horner.

    Written with in-place operations on a few buffers: in eager mode, allocating fresh
    memory costs more than the arithmetic.
    """
    shape, z = z.shape, z.reshape(-1)
    g = _bucket(z, lut)
$split_step    u = table[0].index_select(0, g)
    u = torch.sub(z, u, out=u).mul_(table[1].index_select(0, g))
    value, slope = table[DEGREE + 2].index_select(0, g), None
    a = torch.empty_like(u)
    for j in range(DEGREE - 1, -1, -1):
        if derivative:
            slope = value.clone() if slope is None else slope.mul_(u).add_(value)
        value.mul_(u).add_(torch.index_select(table[j + 2], 0, g, out=a))
    if derivative:
        slope = torch.zeros_like(z) if slope is None else slope
        slope.mul_(torch.index_select(table[1], 0, g, out=a))  # d/dz = SCALE * d/du
    value, slope = _with_tails(z, value, slope)
    return value.reshape(shape), None if slope is None else slope.reshape(shape)


# --- the same evaluation as one static graph, for torch.jit.script and torch.jit.trace ----
# Neither reinterprets bits (TorchScript reads the dtype argument of view() as a shape) nor
# uses custom autograd: autograd differentiates the piecewise polynomial and the tail laws
# directly. Same operations in the same order as above, so the values are the same.
# TorchScript cannot read module globals: their values are printed in place.
def _float64_from_bits(bits):
    """float64 numbers from their IEEE-754 bits (int64), exactly, by integer arithmetic."""
    exponent = (bits >> 52) & 2047
    mantissa = (bits & 4503599627370495).to(torch.float64)  # the low 52 bits
    normal = exponent > 0
    mantissa = torch.where(normal, mantissa + 4503599627370496.0, mantissa)  # implicit 1
    power = torch.where(normal, exponent - 1075, torch.full_like(exponent, -1074))
    value = mantissa * torch.pow(2.0, power.to(torch.float64))
    return torch.where(bits < 0, -value, value)


def _bucket_graph(z, lut, fine: int):
    """_bucket from frexp: |z| = m * 2**e with m in [0.5, 1) lies in octave e - 1, and the
    leading FINE mantissa bits are those of 2m - 1 (all steps exact)."""
    a = torch.abs(z)
    finite = torch.isfinite(a)
    m, e = torch.frexp(torch.where(finite, a, torch.ones_like(a)))
    # 1 << fine, not 2**fine: int ** int is a float in TorchScript
    top = torch.floor((2.0 * m - 1.0) * float(1 << fine)).to(lut.dtype)
    k = (e.to(lut.dtype) - (1 + ($e_min))) * (1 << fine) + top + 1
    k = torch.where(a < 2.0 ** ($e_min), torch.zeros_like(k), k)
    k = torch.where(finite, k, torch.full_like(k, lut.numel() - 1)).clamp(0, lut.numel() - 1)
    g = lut.index_select(0, k)
    return torch.where(torch.signbit(z), -1 - g, g) + $n_side


def _evaluate_graph(z, table, lut,$split_arg fine: int):
    """phi(z) by out-of-place operations (differentiable by autograd, traceable)."""
    shape, z = z.shape, z.reshape(-1)
    # outside [LO, HI] the table reads LO, a point it covers (its branch is discarded, and
    # a polynomial at +-inf would send NaN into the gradient)
    inside = torch.where((z < $lo) | (z > $hi), torch.full_like(z, $lo), z)
    g = _bucket_graph(inside, lut, fine)
$split_step    u = (inside - table[0].index_select(0, g)) * table[1].index_select(0, g)
    value = table[$degree + 2].index_select(0, g)
    for j in range($degree - 1, -1, -1):
        value = value * u + table[j + 2].index_select(0, g)
    # a tail law reads a safe input where it is unused (no NaN gradients)
    left = z < $lo
    value = torch.where(left, _left(torch.where(left, z, torch.full_like(z, $lo)))[0], value)
    right = z > $hi
    value = torch.where(right, _right(torch.where(right, z, torch.full_like(z, $hi)))[0], value)
    return value.reshape(shape)


class _Phi(torch.autograd.Function):
    """phi with the derivative of the same representation as its gradient."""

    @staticmethod
    def forward(ctx, z, *tables):
        value, slope = _evaluate(z, *tables, True)
        ctx.save_for_backward(slope)
        return value

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return (grad * slope,) + (None,) * $n_tables


class $cls(torch.nn.Module):
    """${title_cap}; see the module docstring."""

    def __init__(self):
        super().__init__()
        # float64 bits kept as int64: .half() or .double() cannot round them, .to(device) moves them
        table = _decode(TABLE, DEGREE + 3, N_ROWS)
        self.register_buffer("table_bits", table.view(torch.int64), persistent=False)
$split_buffer        lut = _fine_to_bucket()
        self.register_buffer("lut32", torch.tensor(lut, dtype=torch.int32), persistent=False)
        self.register_buffer("lut64", torch.tensor(lut, dtype=torch.int64), persistent=False)
        self.fine = FINE

    def forward(self, z):
        if torch.jit.is_scripting():  # TorchScript compiles this branch only
            return self._graph(z)
        else:
            if torch.jit.is_tracing():
                return self._graph(z)
            return self._eager(z)

    def _graph(self, z):
        """forward as one static graph (torch.jit.script / torch.jit.trace)."""
        if not torch.is_floating_point(z):
            raise TypeError("$cls needs a floating-point tensor, got " + str(z.dtype))
        work = z if z.dtype == torch.float32 or z.dtype == torch.float64 else z.float()
        table = _float64_from_bits(self.table_bits).to(work.dtype)
        lut = self.lut32 if work.dtype == torch.float32 else self.lut64
        return ${g_open}_evaluate_graph(work, table, lut$split_graph_table, self.fine)$g_close.to(z.dtype)

    @torch.jit.unused
    def _eager(self, z):
        """forward in eager mode: bit tricks, in-place buffers, the custom gradient."""
        if not torch.is_floating_point(z):
            raise TypeError(f"{type(self).__name__} needs a floating-point tensor, got {z.dtype}")
        work = z if z.dtype in FORMATS else z.float()  # half precision is evaluated in float32
        tables = (self.table_bits.view(torch.float64).to(work.dtype),
                  self.lut32 if work.dtype == torch.float32 else self.lut64$split_table)
        if torch.is_grad_enabled() and z.requires_grad:
            out = _Phi.apply(work, *tables)
        else:
            out = _evaluate(work, *tables, False)[0]
$explicit_add        return out.to(z.dtype)

    def extra_repr(self):
        return $repr_text
'''

INIT = '''

def init_(linear, gain=GAIN):
    """Initialise ``linear`` (a torch.nn.Linear feeding this activation) in place.

    Weights are drawn from N(0, gain**2 / fan_in) and the bias is zeroed, so that unit
    pre-activation variance is a fixed point of the variance map (second-moment rule).
    """
    with torch.no_grad():
        torch.nn.init.normal_(linear.weight, 0.0, gain / math.sqrt(linear.weight.shape[1]))
        if linear.bias is not None:
            linear.bias.zero_()
    return linear
'''

SPLIT_STEP = ("    # a bucket that holds a knot has two rows, 2g and 2g + 1\n"
              "    knot = split.index_select(0, g)\n"
              "    g = g.mul_(2).add_(z >= knot)\n")
SPLIT_BUFFER = ('        split = _decode(SPLIT, 2 * N_SIDE).view(torch.int64)\n'
                '        self.register_buffer("split_bits", split, persistent=False)\n')
SPLIT_TABLE = ",\n                  self.split_bits.view(torch.float64).to(work.dtype)"
SPLIT_GRAPH_TABLE = (",\n                               "
                     "_float64_from_bits(self.split_bits).to(work.dtype)")
