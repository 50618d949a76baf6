"""``Optimizer``: the base class every optimizer of the course derives from, as in ``torch.optim``.

An optimizer holds the model's Parameters and changes their ``.data`` using their ``.grad``:

* ``zero_grad()`` sets every gradient to zero (backward passes *add* into ``.grad``);
* ``step()`` applies one update; each subclass implements its own update rule.

The layout follows PyTorch so that code moves over unchanged: ``param_groups`` is a list of dicts, each
with the key ``"params"`` (a list of Parameters) and one key per hyper-parameter (``"lr"``, ...), and
``state`` maps a Parameter to a dict for whatever the rule keeps between steps (a momentum buffer, running
averages).
A learning-rate schedule changes ``optimizer.param_groups[0]["lr"]``, exactly as in PyTorch.
"""

from collections import defaultdict

from nncourse.nn.module import Parameter


class Optimizer:
    """Base class of the optimizers.

    Args:
        params (iterable): the Parameters to optimize, typically ``model.parameters()``.
        defaults (dict): the hyper-parameters of the rule, e.g. ``{"lr": 0.1}``.
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

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {value}" for key, value in group.items() if key != "params")
        lines.append(")")
        return "\n".join(lines)
