"""Turn generated source text into a live module (the in-process exports)."""

from __future__ import annotations

import hashlib
import linecache
import sys
import types


def load_source(source: str, backend: str, name: str) -> types.ModuleType:
    """Execute ``source`` as a new module registered in ``sys.modules``.

    ``source`` is always text from `actdesign._export.export_source`: code printed
    from a SymPy tree that went through the allow-list parser, numbers, and docstring
    text passed through ``clean``. No user string is executed. The module is registered
    so that pickle can find its class, and its text is put in ``linecache`` so that
    tracebacks show the generated lines.
    """
    digest = hashlib.sha1(source.encode()).hexdigest()[:12]
    module_name = f"actdesign_export_{backend}_{name}_{digest}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    filename = f"<actdesign export {module_name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(module_name)
    module.__file__ = filename
    code = compile(source, filename, "exec")
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)  # noqa: S102 - generated text, see the docstring
    except BaseException:
        del sys.modules[module_name]
        raise
    return module
