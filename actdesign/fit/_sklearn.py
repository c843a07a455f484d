"""The scikit-learn estimator protocol, without importing scikit-learn.

scikit-learn finds an estimator by duck typing: ``get_params`` / ``set_params`` (clone,
GridSearchCV, Pipeline), ``__sklearn_tags__`` (what the estimator is and accepts) and
``__sklearn_is_fitted__``. Implementing these here, instead of inheriting BaseEstimator
and RegressorMixin, keeps scikit-learn out of the runtime dependencies (it is a test
extra, and importing it costs more than ``import actdesign`` itself): the tags are built
lazily, from scikit-learn's own classes, only when scikit-learn asks for them — at which
point it is already imported. tests/test_estimator.py runs scikit-learn's
``check_estimator`` on the regressor to keep the two in step.

Pickling lives here too: a fitted model stores its array module (numpy or cupy) for
``refit``; modules do not pickle, so the state carries its device name instead.
"""

from __future__ import annotations

import inspect
import sys
from functools import cache

from ._errors import FitError
from .compute._backend import device_of, get_xp


class NotFittedError(FitError, AttributeError):
    """predict (or another fitted-only method) called before fit."""


@cache
def _with_sklearn(base):
    return type("NotFittedError", (NotFittedError, base), {})


def not_fitted(est) -> NotFittedError:
    """The error for an unfitted ``est``; also scikit-learn's NotFittedError when
    scikit-learn is loaded (its meta-estimators and checks catch that class)."""
    msg = f"this {type(est).__name__} is not fitted yet; call fit(X, y) first"
    sk = sys.modules.get("sklearn.exceptions")
    return (NotFittedError if sk is None else _with_sklearn(sk.NotFittedError))(msg)


class EstimatorProtocol:
    """Mixin: scikit-learn's estimator and regressor conventions, and pickling."""

    _estimator_type = "regressor"  # scikit-learn < 1.6 reads this instead of the tags

    @classmethod
    def _param_names(cls) -> list:
        sig = inspect.signature(cls.__init__)
        return sorted(p for p in sig.parameters if p != "self")

    def get_params(self, deep=True):
        """Hyperparameters as a dict (scikit-learn protocol); ``deep`` adds those of
        nested estimators as ``name__param``."""
        out = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        """Set hyperparameters (scikit-learn protocol, ``name__param`` for nested
        estimators); returns self."""
        valid = self._param_names()
        nested = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters: {', '.join(valid)}"
                )
            if sep:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub in nested.items():
            getattr(self, name).set_params(**sub)
        return self

    def __repr__(self):
        defaults = inspect.signature(type(self).__init__).parameters
        diff = [
            f"{n}={getattr(self, n)!r}"
            for n in defaults
            if n != "self" and getattr(self, n) is not defaults[n].default
        ]
        return f"{type(self).__name__}({', '.join(diff)})"

    def __sklearn_is_fitted__(self):
        return hasattr(self, "rank_")

    def __sklearn_tags__(self):
        # only scikit-learn (>= 1.6) calls this, so the import costs nothing extra
        from sklearn.utils import InputTags, RegressorTags, Tags, TargetTags

        return Tags(
            estimator_type="regressor",
            target_tags=TargetTags(required=True, one_d_labels=True, single_output=True),
            regressor_tags=RegressorTags(),
            input_tags=InputTags(allow_nan=False, two_d_array=True),
        )

    # --- pickling ---------------------------------------------------------------------
    def __getstate__(self):
        state = self.__dict__.copy()
        st = state.get("_state")
        if st is not None and not isinstance(st.get("xp", ""), str):
            state["_state"] = {**st, "xp": device_of(st["xp"])}
        return state

    def __setstate__(self, state):
        st = state.get("_state")
        if st is not None and isinstance(st.get("xp"), str):
            state["_state"] = {**st, "xp": get_xp(st["xp"])}
        self.__dict__.update(state)
