"""Assemble the generated source text: docstring, imports, gain, and the phi code.

Everything interpolated into the text is either printed here from numbers and a SymPy
tree (code) or passed through `clean` (docstring).
"""

import base64
import re
import string
import textwrap
import weakref

import numpy as np

from ..infra._names import camel, clean, snake, title
from ._docstring import docstring
from ._fallback import tabulate
from ._gain import resolve_gain
from ._layout import pack
from ._limits import guard
from ._printer import Unsupported, print_closed_form
from .backends import _jax_code, _numpy_code, _torch_code
from .backends._tables import BACKENDS, HELPERS
from .backends._tailcode import tail_code

CODE = {"torch": _torch_code, "jax": _jax_code, "numpy": _numpy_code}
_LAYOUTS = weakref.WeakKeyDictionary()  # Tabulation -> Layout: packed once for all backends


def export_source(act, backend: str, gain=None, gain_note=None) -> str:
    """The generated module text (see `actdesign._export.export_source`)."""
    if backend not in CODE:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(CODE)}")
    rep = representation(act, backend)
    gain_value, gain_note = resolve_gain(gain, backend, gain_note)
    code = (_closed_code if rep["kind"] == "closed" else _numeric_code)(act, backend, rep)
    if gain_value is not None:
        code += CODE[backend].INIT
    public = camel(act.name) if backend == "torch" else snake(act.name)
    head = [docstring(act, backend, rep, gain_value, gain_note), "", _imports(backend, rep, code),
            "", f'__all__ = ["{public}"]']
    if gain_value is not None:
        head.append(f"GAIN = {gain_value!r}  # second-moment gain 1/sqrt(E[phi(Z)^2]), Z ~ N(0, 1)")
    text = "\n".join(head) + "\n\n" + code
    return re.sub(r"\n{4,}", "\n\n\n", text).rstrip() + "\n"  # at most two blank lines


def representation(act, backend: str) -> dict:
    """The closed form printed for ``backend`` if it can be, else the numeric layout."""
    reason = "the design is numeric"
    if act.phi is not None:
        try:
            return {"kind": "closed", "printed": print_closed_form(act.phi, backend)}
        except Unsupported as why:
            reason = str(why)
    if act.tabulation is not None:
        tab, err = act.tabulation, None
    else:
        tab, err = tabulate(act.phi)
    if tab not in _LAYOUTS:
        _LAYOUTS[tab] = pack(tab)
    rep = {"kind": "numeric", "layout": _LAYOUTS[tab], "reason": reason, "table_error": err}
    if getattr(act, "explicit", None) is not None:  # phi = explicit closed form + table
        rep["explicit"] = print_closed_form(act.explicit, backend)  # elementary: always prints
    return rep


def _imports(backend, rep, code) -> str:
    if rep["kind"] == "numeric":
        lines = ["import base64", "import math"] + {
            "torch": ["import torch"],
            "jax": ["import jax", "import jax.numpy as jnp", "import numpy as np"],
            "numpy": ["import numpy as np"]}[backend]
    else:  # special-function modules only when the formula uses them
        lines = [ln for ln in BACKENDS[backend]["imports"]
                 if not ln.endswith("special") or ln.split()[-1] + "." in code]
    std = [ln for ln in lines if ln in ("import base64", "import math")]
    return "\n".join(std + [""] + [ln for ln in lines if ln not in std])


def _closed_code(act, backend, rep) -> str:
    printed = rep["printed"]
    indent = "        " if backend == "numpy" else "    "
    body = [f"tiny = {BACKENDS[backend]['tiny']}"] if printed.needs_tiny else []
    body += printed.lines
    expr = printed.expr
    bump = act.shape == "bump" and act.method != "expression"  # designed: decays
    guarded = guard(act.phi, BACKENDS[backend], bump=bump)  # limits at +-inf, not NaN
    if guarded is not None:
        body, expr = guarded[0] + body, guarded[1].replace("{}", expr, 1)
    closed = clean(act.phi)
    return string.Template(CODE[backend].CLOSED).substitute(
        helpers="".join("\n" + HELPERS[backend][h] for h in printed.helpers),
        body="".join(indent + ln + "\n" for ln in body), expr=expr,
        cls=camel(act.name), fn=snake(act.name), title=title(act),
        title_cap=title(act).capitalize(), closed_form=closed, repr_text=repr(f"phi(z) = {closed}"))


def _numeric_code(act, backend, rep) -> str:
    lay = rep["layout"]
    code = CODE[backend]
    split = lay.splits is not None
    n = lay.rows.shape[0]
    fields = dict(
        lo=repr(lay.lo), hi=repr(lay.hi), degree=lay.degree, e_min=lay.e_min, n_side=lay.n_side,
        bits="\n    ".join(textwrap.wrap(_tuple(lay.bits), 84)), n_rows=n,
        rows_data=_b64(lay.rows.T),
        tails=(tail_code("_left", lay.left, backend, "z < LO")
               + tail_code("_right", lay.right, backend, "z > HI")),
        cls=camel(act.name), fn=snake(act.name), title=title(act),
        title_cap=title(act).capitalize(),
        repr_text=repr(f"numeric representation of {clean(act.name)}: {n} pieces of degree "
                       f"{lay.degree} on [{lay.lo:.6g}, {lay.hi:.6g}] and tail laws"),
        split_comment="", split_data="", split_decode="", split_step="", split_arg="",
        split_buffer="", split_table="", split_graph_table="", n_tables=2,
        explicit_add="", explicit_plus="", g_open="", g_close="")
    if split:
        fields.update(
            split_comment=("# A bucket that holds a knot of the table has two rows, 2g and\n"
                           "# 2g + 1, and SPLIT[g] is that knot (inf where there is none)."),
            split_data=f"SPLIT = (\n{_b64(lay.splits)}\n)  # float64, little-endian, base64\n",
            split_decode=getattr(code, "SPLIT_DECODE", ""), split_step=code.SPLIT_STEP,
            split_arg=" split,", split_buffer=getattr(code, "SPLIT_BUFFER", ""),
            split_table=getattr(code, "SPLIT_TABLE", ""),
            split_graph_table=getattr(code, "SPLIT_GRAPH_TABLE", ""), n_tables=3)
    explicit = rep.get("explicit")
    if explicit is not None:
        fields.update(explicit_add="        out = out + _explicit(work)\n",
                      explicit_plus=" + _explicit(z)",
                      # the graph path stays one expression, as without an explicit part
                      g_open="(", g_close=" + _explicit(work))")
    text = string.Template(code.NUMERIC).substitute(fields)
    return text if explicit is None else text + _explicit_code(explicit, backend)


def _explicit_code(printed, backend) -> str:
    """``_explicit(z)``: the closed-form part of phi that the table leaves out."""
    body = [f"tiny = {BACKENDS[backend]['tiny']}"] if printed.needs_tiny else []
    body += printed.lines
    helpers = "".join("\n" + HELPERS[backend][h] for h in printed.helpers)
    return (f"\n{helpers}\n\ndef _explicit(z):\n"
            '    """The explicit part of phi (infinite or a cusp at 0, or growing like log|z|):\n'
            "    the table holds the rest. |z| is read as max(|z|, 1e-12): finite at z = 0.\"\"\"\n"
            + "".join("    " + ln + "\n" for ln in body) + f"    return {printed.expr}\n")


def _tuple(values) -> str:
    return "(" + ", ".join(str(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def _b64(array) -> str:
    text = base64.b64encode(np.ascontiguousarray(array, dtype="<f8").tobytes()).decode("ascii")
    return "\n".join(f'    "{text[i:i + 80]}"' for i in range(0, len(text), 80))
