"""Formula stage: a user's string -> a checked SymPy expression, and its numpy evaluation.

Owns the allow-list parser (`_parse`, with the resource model `_limits`), the shared
symbols (`_symbols`), numeric evaluation (`_evaluate`), kinks and roots. The family
table `actdesign.registry` belongs to this stage too: the parser knows every family by
name. Imports only `actdesign.infra` (and `actdesign.infra.files._atomic`).
"""
