"""``Optimizer``: the base class every optimizer of the course derives from, as in ``torch.optim``.

An optimizer holds the model's Parameters and changes their ``.data`` using their ``.grad``:

* ``zero_grad()`` sets every gradient to zero (backward passes *add* into ``.grad``);
* ``step()`` applies one update; each subclass implements its own update rule.

The layout follows PyTorch so that code moves over unchanged: ``param_groups`` is a list of dicts, each
with the key ``"params"`` (a list of Parameters) and one key per hyper-parameter (``"lr"``, ...), and
``state`` maps a Parameter to a dict for whatever the rule keeps between steps (a momentum buffer, running
averages).
A learning-rate schedule changes ``optimizer.param_groups[0]["lr"]``, exactly as in PyTorch.

``state_dict()`` / ``load_state_dict()`` save and restore the hyper-parameters and that per-parameter state in
PyTorch's layout: parameters are named by their position in ``params``, and arrays are copied.
"""

import copy
import math
from collections import defaultdict

import numpy as np

from nncourse.nn.module import Parameter


def check_number(value, name, where, *, low=0.0, high=None, high_open=False):
    """Check a scalar hyper-parameter: a finite real number in ``[low, high]`` (``[low, high)`` with ``high_open``).

    Returns it as given; raises a ValueError that names the argument and the value otherwise.

    >>> check_number(0.9, "momentum", "SGD")
    0.9
    >>> check_number(1.0, "betas[0]", "Adam", high=1.0, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: Adam: betas[0] must be a finite number in [0.0, 1.0), got 1.0
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok:
        ok = math.isfinite(value) and value >= low
        if high is not None:
            ok = ok and (value < high if high_open else value <= high)
    if not ok:
        if high is None:
            bound = f">= {low}"
        else:
            bound = f"in [{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{where}: {name} must be a finite number {bound}, got {value!r}")
    return value


def check_flag(value, name, where):
    """Check a boolean option (``nesterov``, ``amsgrad``, ...): exactly ``True`` or ``False``.

    >>> check_flag(True, "nesterov", "SGD")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


class Optimizer:
    """Base class of the optimizers.

    Args:
        params (iterable): the Parameters to optimize, typically ``model.parameters()``.
        defaults (dict): the hyper-parameters of the rule, e.g. ``{"lr": 0.1}``.

    A subclass passes its hyper-parameters as ``defaults`` and writes ``step``; here sign descent,
    θ ← θ − γ sign(g):

    >>> import numpy as np
    >>> from nncourse.nn import Parameter
    >>> class SignDescent(Optimizer):
    ...     def __init__(self, params, lr=0.1):
    ...         super().__init__(params, {"lr": lr})
    ...     def step(self):
    ...         for group in self.param_groups:
    ...             for p in group["params"]:
    ...                 p.data -= group["lr"] * np.sign(p.grad)
    >>> p = Parameter(np.array([1.0, 1.0]))
    >>> p.grad = np.array([3.0, -0.5])
    >>> optimizer = SignDescent([p])
    >>> optimizer.step()
    >>> p.data.tolist(), optimizer.param_groups[0]["lr"]
    ([0.9, 1.1], 0.1)
    """

    def __init__(self, params, defaults):
        where = type(self).__name__
        if isinstance(params, Parameter):
            raise ValueError(
                f"{where}: params must be an iterable of Parameters (e.g. model.parameters()), "
                f"got a single Parameter; wrap it in a list"
            )
        try:
            params = list(params)
        except TypeError:
            raise ValueError(
                f"{where}: params must be an iterable of Parameters (e.g. model.parameters()), "
                f"got {type(params).__name__}"
            ) from None
        if not params:
            raise ValueError(f"{where}: params is empty; the model has no parameters to optimize")
        for index, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise ValueError(
                    f"{where}: params must contain only Parameters, "
                    f"got {type(p).__name__} at position {index}"
                )
        first_index = {}
        for index, p in enumerate(params):
            if id(p) in first_index:
                # PyTorch only warns ("in future, this will cause an error"): the parameter would be stepped twice.
                raise ValueError(
                    f"{where}: params contains the same Parameter twice (positions {first_index[id(p)]} and "
                    f"{index}); each Parameter must be listed once"
                )
            first_index[id(p)] = index
        self.defaults = dict(defaults)
        self.param_groups = [{"params": params, **self.defaults}]
        self.state = defaultdict(dict)

    def zero_grad(self):
        """Set the gradient of every parameter to zero (PyTorch sets it to None; zeros keep ``+=`` simple)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad()

    def step(self):
        """Apply one update to every parameter, using its current ``.grad``."""
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def _params_with_grad(self, group):
        """The parameters of ``group`` that have a gradient: PyTorch skips those whose ``.grad`` is ``None``."""
        return [p for p in group["params"] if p.grad is not None]

    def state_dict(self):
        """The optimizer's state as a dict, in PyTorch's layout (arrays copied, parameters named by position).

        ``{"state": {index: {...}}, "param_groups": [{hyper-parameters..., "params": [indices]}]}``

        >>> from nncourse.optim import SGD
        >>> p = Parameter(np.zeros(2))
        >>> p.grad[:] = 1.0
        >>> optimizer = SGD([p], lr=0.1, momentum=0.9)
        >>> optimizer.step()
        >>> saved = optimizer.state_dict()
        >>> saved["state"], saved["param_groups"][0]["params"]
        ({0: {'momentum_buffer': array([1., 1.])}}, [0])
        """
        index = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            saved = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        state = {index[id(p)]: copy.deepcopy(value) for p, value in self.state.items() if value}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore a state saved by :meth:`state_dict` (from an optimizer over parameters of the same shapes).

        >>> from nncourse.optim import SGD
        >>> p, q = Parameter(np.zeros(2)), Parameter(np.zeros(2))
        >>> p.grad[:] = 1.0
        >>> first = SGD([p], lr=0.1, momentum=0.9)
        >>> first.step()
        >>> second = SGD([q], lr=0.5, momentum=0.9)
        >>> second.load_state_dict(first.state_dict())
        >>> second.param_groups[0]["lr"], second.state[q]["momentum_buffer"]
        (0.1, array([1., 1.]))
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(f"{where}: expected a dict with keys 'state' and 'param_groups', got {state_dict!r:.80}")
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: the saved state has {len(groups)} parameter group(s), this optimizer has "
                f"{len(self.param_groups)}"
            )
        by_index = {}
        for number, (mine, saved) in enumerate(zip(self.param_groups, groups, strict=True)):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{where}: parameter group {number} holds {len(mine['params'])} parameter(s), the saved "
                    f"state {len(saved['params'])}"
                )
            by_index.update(zip(saved["params"], mine["params"], strict=True))
        for index, values in state_dict["state"].items():
            p = by_index[index]
            for key, value in values.items():
                if isinstance(value, np.ndarray) and value.shape != p.shape:
                    raise ValueError(
                        f"{where}: state {key!r} of parameter {index} has shape {value.shape}, "
                        f"the parameter has shape {p.shape}"
                    )
        self.state = defaultdict(dict)
        for index, values in state_dict["state"].items():
            self.state[by_index[index]] = {
                key: value.astype(by_index[index].dtype) if isinstance(value, np.ndarray) else value
                for key, value in copy.deepcopy(values).items()
            }
        for mine, saved in zip(self.param_groups, groups, strict=True):
            mine.update({key: copy.deepcopy(value) for key, value in saved.items() if key != "params"})

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {value}" for key, value in group.items() if key != "params")
        lines.append(")")
        return "\n".join(lines)
