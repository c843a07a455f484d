"""Names and text that go into generated files, made safe.

Free text (penalty, notes, names) only ever reaches a docstring or a comment through
`clean`, and identifiers only through `snake` / `camel`, so no user
string can end a literal or inject code.
"""

import keyword
import re
import string

# names the generated modules use themselves
RESERVED = {"math", "base64", "np", "jax", "jnp", "torch", "scipy", "init_params", "init_", "z",
            "tiny"}
_SAFE = set(string.ascii_letters + string.digits + " +-*/^().,;_<>=!|&~:[]{}%#'@$?")


def clean(text) -> str:
    """Printable ASCII without quotes, backslashes or newlines (others become '?')."""
    return "".join(ch if ch in _SAFE else "?" for ch in str(text))[:400]


FALLBACK = "activation"  # the stem of a name with no ASCII letters or digits


def snake(name) -> str:
    """A lower-case identifier derived from an activation name (also the file name stem).

    Names without ASCII letters or digits all become `FALLBACK`; the CLI refuses
    them (`actdesign.infra.files._outputs.check_name`) so that two such names cannot collide.
    """
    s = re.sub(r"[^0-9a-zA-Z]+", "_", str(name)).strip("_").lower()[:60] or FALLBACK
    s = "act_" + s if s[0].isdigit() else s
    return s + "_act" if keyword.iskeyword(s) or s in RESERVED else s


def camel(name) -> str:
    """The torch class name: ``exp_2_abs_k`` -> ``Exp2AbsK``."""
    return "".join(part[:1].upper() + part[1:] for part in snake(name).split("_"))


def title(act) -> str:
    return f"the {clean(act.name)} activation"
