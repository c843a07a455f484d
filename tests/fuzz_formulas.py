"""Seeded generators of hostile formula strings for tests/test_fuzz.py (issue 18).

Grammar-shaped strings (nested calls of every grammar function, huge numbers, towers of
powers, special functions with huge parameters, conditions, booleans, tuples, Piecewise)
plus mutated and pure junk. One ``random.Random(seed)`` drives everything, so a failing
string is reproduced by its seed and index.
"""

from __future__ import annotations

import random

from actdesign._parse import FUNCTIONS

HUGE = ["1e300", "1e30", "9^400", "10^6", "4000", "1_000", "2^81", "1e-300", "170", "171",
        "0.12345678901234567", "999999999999999999999", "-1e300", "1e308"]
SMALL = ["0", "1", "2", "3", "0.5", "1/2", "3/4", "-1", "pi", "E", "oo", "EulerGamma", "1e-30"]
JUNK = list("kzx0123456789.+-*/^()[]{},<>=!&|~%@#$'\"\\;: _abcdefghijklmnopqrstuvwxyzKEπ∞é\t")
COMPARE = ["<", "<=", ">", ">=", "==", "!="]
NAMES = sorted(FUNCTIONS)


class FormulaFuzzer:
    """Random formula strings in one variable (``k`` for penalties, ``z`` for activations)."""

    def __init__(self, seed: int, var: str):
        self.r = random.Random(seed)
        self.var = var

    def strings(self, n: int):
        return [self.one() for _ in range(n)]

    def one(self) -> str:
        roll = self.r.random()
        if roll < 0.08:
            return "".join(self.r.choice(JUNK) for _ in range(self.r.randint(1, 40)))
        text = self.expr(self.r.randint(1, 5))
        if roll < 0.22:
            text = self.mutate(text)
        return text[:2100]

    def mutate(self, text: str) -> str:
        chars = list(text)
        for _ in range(self.r.randint(1, 3)):
            i = self.r.randint(0, len(chars))
            op = self.r.random()
            if op < 0.4 and chars:
                del chars[min(i, len(chars) - 1)]
            elif op < 0.8:
                chars.insert(i, self.r.choice(JUNK))
            else:
                chars[i:i] = list(self.r.choice([" and ", " or ", "not ", ",", "True", "(", ")"]))
        return "".join(chars)

    def atom(self) -> str:
        roll = self.r.random()
        if roll < 0.45:
            return self.var
        if roll < 0.7:
            return self.r.choice(SMALL)
        if roll < 0.9:
            return self.r.choice(HUGE)
        return self.r.choice(["True", "x", "y", "k", "z", "inf", "e", "(1, 2)", "()"])

    def expr(self, depth: int) -> str:
        if depth <= 0:
            return self.atom()
        roll = self.r.random()
        sub = lambda: self.expr(depth - 1)  # noqa: E731
        if roll < 0.3:
            return f"({sub()}){self.r.choice(['+', '-', '*', '/', '^', '**'])}({sub()})"
        if roll < 0.4:
            return f"{sub()}^{sub()}^{sub()}"  # towers, right-associative
        if roll < 0.7:
            name = self.r.choice(NAMES)
            return f"{name}({', '.join(sub() for _ in range(self.r.choice([1, 1, 1, 2, 3])))})"
        if roll < 0.76:
            return f"hyper(({self.params()}), ({self.params()}), {sub()})"
        if roll < 0.82:
            return f"Piecewise(({sub()}, {self.condition(depth - 1)}), ({sub()}, True))"
        if roll < 0.88:
            return self.condition(depth - 1)
        if roll < 0.92:
            return f"({sub()}, {sub()})"
        return f"-{sub()}"

    def params(self) -> str:
        items = [self.r.choice(SMALL + HUGE + ["True", "k", "z", "(1,)"])
                 for _ in range(self.r.choice([0, 1, 1, 2, 3]))]
        return ", ".join(items) + ("," if len(items) == 1 else "")

    def condition(self, depth: int) -> str:
        a, b = self.expr(depth), self.expr(depth)
        c = f"{a} {self.r.choice(COMPARE)} {b}"
        roll = self.r.random()
        if roll < 0.2:
            return f"{c} and {self.expr(depth)}"
        if roll < 0.3:
            return f"not {c}"
        if roll < 0.4:
            return f"{c} or True"
        return c
