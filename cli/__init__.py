"""The ``actdesign`` command-line application (installed as the package ``actdesign_cli``)."""
