"""Infrastructure: errors, the Fourier convention, files, limits, progress, optional imports.

Owns what every stage needs and nothing of the mathematics: the error classes
(`_errors`), the convention string (`_convention`), strict CSV and output-path checks,
file-size limits, memory estimates, the time cap (`_timeout`), progress reports, the
one gate for optional packages (`_optional`) and safe names for generated text
(`_names`). Imports nothing else from actdesign except the public `actdesign.infra.files._atomic`.
"""
