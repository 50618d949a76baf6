"""How a gradient check is shown: :class:`GradcheckReport`, a table with one row per checked array.

The numbers and verdicts in the rows come from :mod:`nncourse.gradcheck.numerical`; this module only holds
them, looks them up and renders them (plain text for ``print`` and ``repr``, HTML for notebooks).
"""

__all__ = ["GradcheckReport"]

_HEADER = ("array", "shape", "max rel error", "max abs error", "verdict")
_COLORS = {"exact": "#009E73", "close": "#E69F00", "wrong": "#D55E00"}  # the course's green, orange, red


class GradcheckReport:
    """The comparison of analytic and numerical gradients, one row per array.

    ``rows`` is a list of dicts with keys ``name, shape, max_rel_error, max_abs_error, verdict`` (at least
    one row); ``report["weight"]`` returns a row by name; ``ok`` (also the truth value) is True when no row
    is ``"wrong"``; ``max_rel_error`` is the worst over all rows.

    >>> row = {"name": "w", "shape": (2,), "max_rel_error": 3e-10, "max_abs_error": 1e-11, "verdict": "exact"}
    >>> report = GradcheckReport([row], title="my check")
    >>> report.ok, report["w"]["verdict"]
    (True, 'exact')
    >>> print(report)
    my check: OK (1 arrays, max rel error 3.0e-10)
    array  shape  max rel error  max abs error  verdict
    w      (2,)   3.0e-10        1.0e-11        exact
    """

    def __init__(self, rows, title="gradcheck"):
        rows = list(rows)
        if not rows:
            raise ValueError(f"GradcheckReport({title!r}): a report needs at least one row, got none")
        self.rows = rows
        self.title = title

    @property
    def ok(self):
        """True when no row's verdict is ``"wrong"``."""
        return all(row["verdict"] != "wrong" for row in self.rows)

    @property
    def max_rel_error(self):
        """The largest relative error over all rows."""
        return max(row["max_rel_error"] for row in self.rows)

    def __bool__(self):
        return self.ok

    def __getitem__(self, name):
        for row in self.rows:
            if row["name"] == name:
                return row
        names = [row["name"] for row in self.rows]
        raise KeyError(f"GradcheckReport: no array named {name!r}; the names are {names}")

    def summary(self):
        """One line: the title, OK or FAILED, the number of arrays and the worst relative error."""
        status = "OK" if self.ok else "FAILED"
        return f"{self.title}: {status} ({len(self.rows)} arrays, max rel error {self.max_rel_error:.1e})"

    def __repr__(self):
        cells = [_HEADER] + [_cells(row) for row in self.rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(_HEADER))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells]
        return "\n".join([self.summary(), *lines])

    def _repr_html_(self):
        body = ""
        for row in self.rows:
            *numbers, word = _cells(row)
            body += "<tr>" + "".join(f"<td>{cell}</td>" for cell in numbers)
            body += f"<td style='color:{_COLORS[word]};font-weight:bold'>{word}</td></tr>"
        head = "".join(f"<th>{h}</th>" for h in _HEADER)
        return f"<p><b>{self.summary()}</b></p><table><tr>{head}</tr>{body}</table>"


def _cells(row):
    """One report row as the strings of a table line."""
    return (row["name"], str(row["shape"]), f"{row['max_rel_error']:.1e}", f"{row['max_abs_error']:.1e}",
            row["verdict"])
