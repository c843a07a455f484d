"""Helpers of bench/implicit.py, the implicit-representation benchmark (issue 21).

One idea per module: `images` (the photographs, the tasks' pixel splits, PSNR),
`models` (the competitors and their parameter counts), `designed` (the network whose
activation `actdesign.choose_penalty` designs, its warm start and the width = inf kernel
reference), `training` (Adam, the tuning grid on a validation split), `report` (the
table, the crops figure and results.json).
"""
