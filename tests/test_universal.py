"""Specification of nncourse.universal: networks built by hand that approximate continuous functions."""

import numpy as np
import pytest

from nncourse import universal as U


def log_log_slope(ns, errors):
    """The slope of log(error) against log(N): -1 means error ∝ 1/N, -2 means error ∝ 1/N²."""
    return np.polyfit(np.log(ns), np.log(errors), 1)[0]


# ---------------------------------------------------------------------------------------------- bumps


def test_sigmoid_bump_is_one_inside_and_zero_outside():
    x_inside = np.linspace(0.3, 0.7, 9)
    x_outside = np.concatenate([np.linspace(-2, 0.1, 9), np.linspace(0.9, 3, 9)])
    assert np.allclose(U.sigmoid_bump(x_inside, 0.2, 0.8, steepness=200), 1.0, atol=1e-6)
    assert np.allclose(U.sigmoid_bump(x_outside, 0.2, 0.8, steepness=200), 0.0, atol=1e-6)
    # at an edge the bump is half way up
    assert U.sigmoid_bump(np.array([0.2]), 0.2, 0.8, steepness=200)[0] == pytest.approx(0.5, abs=1e-9)


def test_sigmoid_bump_is_stable_at_extreme_inputs():
    # pytest turns overflow warnings into errors
    out = U.sigmoid_bump(np.array([-1e4, 1e4]), -1.0, 1.0, steepness=1e3)
    assert np.all(np.isfinite(out)) and np.allclose(out, 0.0)


def test_relu_hat_and_relu_bump_shapes():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 3.0, 4.0])
    assert np.allclose(U.relu_hat(x, 0.0, 1.0, 3.0), [0, 0, 0.5, 1, 0.75, 0, 0])
    x = np.array([-1.0, 0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, 2.0])
    assert np.allclose(U.relu_bump(x, 0.0, 1.0, ramp=0.1), [0, 0, 0.5, 1, 1, 1, 0.5, 0, 0])


def test_bump_helpers_reject_bad_intervals():
    with pytest.raises(ValueError, match="sigmoid_bump: left must be smaller than right"):
        U.sigmoid_bump(np.zeros(3), 1.0, 0.0)
    with pytest.raises(ValueError, match="relu_hat: need left < peak < right"):
        U.relu_hat(np.zeros(3), 0.0, 2.0, 1.0)
    with pytest.raises(ValueError, match="relu_bump: need left"):
        U.relu_bump(np.zeros(3), 0.0, 1.0, ramp=0.6)


# ---------------------------------------------------------------------------------------- sums of bumps


def test_bump_network_has_the_documented_layout():
    net = U.bump_network(np.sin, 7, (0, 3), kind="sigmoid")
    (W1, b1), (W2, b2) = net.layers
    assert (W1.shape, b1.shape, W2.shape, b2.shape) == ((7, 1), (7,), (1, 7), (1,))
    assert net.hidden_sizes == (7,) and net.n_parameters == 7 + 7 + 7 + 1
    assert net(np.linspace(0, 3, 11)).shape == (11,)


def test_sigmoid_staircase_takes_the_cell_centre_values():
    a, b, n = 0.0, 2.0, 9
    net = U.bump_network(np.exp, n, (a, b), kind="sigmoid")
    h = (b - a) / (n + 1)
    centres = a + h * (np.arange(n + 1) + 0.5)
    assert np.allclose(net(centres), np.exp(centres), rtol=1e-6)
    # flat between the knots: a quarter of a cell from each centre the value has not moved
    assert np.allclose(net(centres + h / 4), net(centres), rtol=1e-3)
    assert np.allclose(net(centres - h / 4), net(centres), rtol=1e-3)


def test_relu_interpolation_is_exact_at_the_knots():
    f = U.safe_expression("sin(3*x) + x**2")
    net = U.bump_network(f, 12, (-1, 2), kind="relu")
    knots = np.linspace(-1, 2, 13)
    assert np.allclose(net(knots), f(knots), rtol=0, atol=1e-12)
    assert U.count_linear_pieces(net, (-1, 2)) == 12


def test_staircase_error_falls_like_one_over_n_and_interpolation_like_one_over_n_squared():
    ns = np.array([16, 32, 64, 128])
    interval = (0.0, 2 * np.pi)
    for kind, rate in (("sigmoid", -1.0), ("relu", -2.0)):
        errors = [
            U.approximation_error(np.sin, U.bump_network(np.sin, n, interval, kind=kind), interval)[0]
            for n in ns
        ]
        assert np.all(np.diff(errors) < 0), f"{kind}: the error must shrink as units are added"
        assert log_log_slope(ns, errors) == pytest.approx(rate, abs=0.1)


def test_error_bounds_of_the_constructions():
    # staircase with midpoint values: max error <= max|f'| h/2;
    # interpolation: <= max|f''| h^2/8 (both maxima are 1 for sin)
    n, interval = 50, (0.0, 2 * np.pi)
    stairs = U.approximation_error(np.sin, U.bump_network(np.sin, n, interval), interval)[0]
    assert stairs <= 0.5 * 2 * np.pi / (n + 1) * 1.001
    interp = U.approximation_error(np.sin, U.bump_network(np.sin, n, interval, kind="relu"), interval)[0]
    assert interp <= (2 * np.pi / n) ** 2 / 8 * 1.001


def test_bump_network_validates_its_arguments():
    with pytest.raises(ValueError, match="bump_network: n_units must be a finite integer > 0"):
        U.bump_network(np.sin, 0, (0, 1))
    with pytest.raises(ValueError, match="bump_network: interval must be a pair"):
        U.bump_network(np.sin, 3, (1, 0))
    with pytest.raises(ValueError, match="bump_network: kind must be 'sigmoid' or 'relu'"):
        U.bump_network(np.sin, 3, (0, 1), kind="tanh")
    with pytest.raises(ValueError, match="bump_network: f must be a function"):
        U.bump_network("sin", 3, (0, 1))
    with pytest.raises(ValueError, match="bump_network: f returned NaN"):
        U.bump_network(np.log, 3, (-1, 1))


def test_random_features_fit_approximates_and_improves_with_width():
    x = np.linspace(-1, 1, 400)
    y = np.sin(3 * x)
    errors = []
    for n in (3, 30):
        net = U.random_features_fit(x, y, n, activation="tanh", rng=0)
        assert net.hidden_sizes == (n,)
        errors.append(np.sqrt(np.mean((net(x) - y) ** 2)))
    assert errors[1] < 0.01 < errors[0]
    # least squares: the output layer is optimal for the drawn features, so refitting it cannot do better
    net = U.random_features_fit(x, y, 30, activation="relu", rng=1)
    H = np.column_stack([np.maximum(x[:, None] @ net.layers[0][0].T + net.layers[0][1], 0), np.ones_like(x)])
    best = np.linalg.lstsq(H, y, rcond=None)[0]
    assert np.allclose(net(x), H @ best, atol=1e-10)


def test_random_features_fit_is_seeded_and_validates():
    x = np.linspace(0, 1, 50)
    a = U.random_features_fit(x, x**2, 10, rng=3)(x)
    b = U.random_features_fit(x, x**2, 10, rng=3)(x)
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="random_features_fit: x and y must have the same number of samples"):
        U.random_features_fit(x, x[:-1], 10)
    with pytest.raises(ValueError, match="random_features_fit: activation must be one of"):
        U.random_features_fit(x, x, 10, activation="mish")


def test_random_features_fit_works_in_two_dimensions():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(300, 2))
    y = np.sin(2 * X[:, 0]) * X[:, 1]
    net = U.random_features_fit(X, y, 100, activation="tanh", rng=0)
    assert np.sqrt(np.mean((net(X) - y) ** 2)) < 0.02


# ---------------------------------------------------------------------------------------- depth


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
def test_sawtooth_network_computes_the_tent_map_composed_k_times(k):
    net = U.sawtooth_network(k)
    assert net.hidden_sizes == (2,) * k
    x = np.linspace(0, 1, 2001)
    tent = x
    for _ in range(k):
        tent = 1 - np.abs(2 * tent - 1)
    assert np.allclose(net(x), tent, atol=1e-12)
    assert np.allclose(U.sawtooth(x, k), tent, atol=1e-12)
    assert U.count_linear_pieces(net, (0, 1), n_points=4 * 2**k + 7) == 2**k


def test_shallow_relu_network_has_at_most_units_plus_one_pieces():
    rng = np.random.default_rng(0)
    for n in (1, 5, 20):
        net = U.Network(
            [(rng.normal(size=(n, 1)), rng.normal(size=n)), (rng.normal(size=(1, n)), np.zeros(1))], "relu"
        )
        assert U.count_linear_pieces(net, (-4, 4), n_points=200_001) <= n + 1


def test_count_linear_pieces_ignores_a_kink_inside_a_grid_cell():
    # |x - 0.3| has its kink between grid points: still two pieces
    assert U.count_linear_pieces(lambda x: np.abs(x - 0.3), (-1, 1), n_points=101) == 2
    assert U.count_linear_pieces(lambda x: 2 * x + 1, (-1, 1)) == 1


def test_sawtooth_rejects_points_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"sawtooth: x must lie in \[0, 1\]"):
        U.sawtooth(np.array([0.5, 1.5]), 3)


# ---------------------------------------------------------------------------------------- 2-D towers


def test_tower_network_is_one_on_its_rectangle_and_zero_elsewhere():
    tower = U.tower_network(((0, 1), (0, 2)))
    assert tower.hidden_sizes == (4, 1)
    inside = np.array([[0.5, 1.0], [0.2, 0.4], [0.9, 1.8]])
    arms = np.array([[1.5, 1.0], [0.5, 2.5], [0.5, -0.3], [-1.0, 1.0]])  # one coordinate in range
    far = np.array([[-1.0, -1.0], [3.0, 5.0], [1e4, -1e4]])
    assert np.allclose(tower(inside), 1.0, atol=1e-6)
    assert np.allclose(tower(arms), 0.0, atol=1e-6)
    assert np.allclose(tower(far), 0.0, atol=1e-6)


def test_tower_network_validates_the_box():
    with pytest.raises(ValueError, match=r"tower_network: box must be \(\(a1, b1\), \(a2, b2\)\)"):
        U.tower_network(((0, 1),))


# ---------------------------------------------------------------------------------------- Network and loading


def test_network_validates_shapes():
    with pytest.raises(ValueError, match="Network: layer 1 expects 3 inputs but layer 0 has 2 outputs"):
        U.Network([(np.ones((2, 1)), np.zeros(2)), (np.ones((1, 3)), np.zeros(1))], "relu")
    with pytest.raises(ValueError, match=r"b must have shape \(2,\)"):
        U.Network([(np.ones((2, 1)), np.zeros(3)), (np.ones((1, 2)), np.zeros(1))], "relu")
    net = U.sawtooth_network(2)
    with pytest.raises(ValueError, match=r"expected x of shape \(N, 1\)"):
        net(np.zeros((4, 2)))


def test_construction_loads_into_nncourse_linear_layers():
    from nncourse import functional as F
    from nncourse.nn import Linear

    net = U.bump_network(np.cos, 9, (-2, 2), kind="sigmoid")
    (W1, b1), (W2, b2) = net.layers
    first, second = Linear(1, 9, dtype=np.float64), Linear(9, 1, dtype=np.float64)
    first.weight.data[...], first.bias.data[...] = W1, b1
    second.weight.data[...], second.bias.data[...] = W2, b2
    x = np.linspace(-3, 3, 101)
    out = second(F.sigmoid(first(x[:, None])))
    assert np.allclose(out[:, 0], net(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda: U.bump_network(np.cos, 9, (-2, 2), kind="sigmoid"),
        lambda: U.bump_network(np.cos, 9, (-2, 2), kind="relu"),
        lambda: U.sawtooth_network(4),
    ],
)
def test_to_module_gives_a_sequential_with_the_same_outputs(make):
    net = make()
    model = net.to_module(dtype=np.float64)
    x = np.linspace(-0.5, 1.5, 101)
    assert np.allclose(model(x[:, None])[:, 0], net(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["sigmoid", "relu"])
def test_construction_loads_into_torch_linear_with_the_same_outputs(kind):
    torch = pytest.importorskip("torch")
    net = U.bump_network(lambda x: np.abs(x) + np.sin(4 * x), 15, (-1, 1), kind=kind)
    (W1, b1), (W2, b2) = net.layers
    model = torch.nn.Sequential(
        torch.nn.Linear(1, 15, dtype=torch.float64),
        torch.nn.Sigmoid() if kind == "sigmoid" else torch.nn.ReLU(),
        torch.nn.Linear(15, 1, dtype=torch.float64),
    )
    with torch.no_grad():
        for layer, (W, b) in zip((model[0], model[2]), net.layers, strict=True):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
    x = np.linspace(-1.5, 1.5, 301)
    expected = model(torch.from_numpy(x[:, None])).detach().numpy()[:, 0]
    assert np.allclose(net(x), expected, rtol=1e-12, atol=1e-12)


def test_deep_sawtooth_matches_torch():
    torch = pytest.importorskip("torch")
    net = U.sawtooth_network(5)
    modules = []
    for index, (W, b) in enumerate(net.layers):
        layer = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
        modules += [layer, torch.nn.ReLU()] if index < len(net.layers) - 1 else [layer]
    x = np.linspace(0, 1, 513)
    expected = torch.nn.Sequential(*modules)(torch.from_numpy(x[:, None])).detach().numpy()[:, 0]
    assert np.allclose(net(x), expected, rtol=0, atol=1e-13)


def torch_relu_network(net):
    """The same ReLU network in PyTorch, float64."""
    import torch

    modules = []
    for index, (W, b) in enumerate(net.layers):
        layer = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
        modules += [layer, torch.nn.ReLU()] if index < len(net.layers) - 1 else [layer]
    return torch.nn.Sequential(*modules)


@pytest.mark.parametrize("m", [1, 2, 5, 8])
def test_yarotsky_square_is_the_interpolant_of_x_squared_at_2_to_the_m_points(m):
    x = np.linspace(0, 1, 2**m * 8 + 1)
    knots = np.linspace(0, 1, 2**m + 1)
    assert np.allclose(U.yarotsky_square(x, m), np.interp(x, knots, knots**2), rtol=0, atol=1e-14)
    # The error of the interpolant of x² with spacing h is h²/4, reached at the midpoints: 4^(−m−1).
    assert np.max(np.abs(U.yarotsky_square(x, m) - x**2)) == pytest.approx(4.0 ** (-m - 1), rel=1e-12)


def test_yarotsky_square_with_no_sawtooth_is_x_and_refuses_points_outside():
    x = np.array([0.0, 0.3, 1.0])
    assert U.yarotsky_square(x, 0).tolist() == x.tolist()
    with pytest.raises(ValueError, match="x must lie in \\[0, 1\\]"):
        U.yarotsky_square(np.array([1.5]), 2)
    with pytest.raises(ValueError, match="m must be a finite integer >= 0, got -1"):
        U.yarotsky_square(x, -1)


@pytest.mark.parametrize("m", [1, 3, 6])
def test_square_network_has_3m_units_and_computes_yarotskys_approximation(m):
    net = U.square_network(m)
    assert net.hidden_sizes == (3,) * m
    x = np.linspace(0, 1, 1001)
    assert np.allclose(net(x), U.yarotsky_square(x, m), rtol=0, atol=1e-13)
    assert U.count_linear_pieces(net, (0, 1), n_points=20_001) == 2**m
    # the same function as the one-hidden-layer interpolant with 2^m units
    shallow = U.bump_network(np.square, 2**m, (0, 1), kind="relu")
    assert np.allclose(net(x), shallow(x), rtol=0, atol=1e-13)


def test_square_network_matches_torch():
    pytest.importorskip("torch")
    import torch

    net = U.square_network(5)
    x = np.linspace(0, 1, 513)
    expected = torch_relu_network(net)(torch.from_numpy(x[:, None])).detach().numpy()[:, 0]
    assert np.allclose(net(x), expected, rtol=0, atol=1e-14)


def test_ridge_network_is_a_sum_of_one_dimensional_constructions():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 2))
    ridges = [((1.0, 0.5), lambda t: 0.5 * np.sin(np.pi * t), (-1.5, 1.5)),
              ((1.0, -0.5), lambda t: 0.5 * np.sin(np.pi * t), (-1.5, 1.5))]
    net = U.ridge_network(ridges, 16)
    assert net.hidden_sizes == (32,) and net.in_features == 2
    expected = sum(U.bump_network(g, 16, interval, kind="relu")(X @ np.array(a)) for a, g, interval in ridges)
    assert np.allclose(net(X), expected, rtol=0, atol=1e-12)
    # sin(πx1)cos(πx2/2) is exactly this sum of two ridges; the error is the 1-D interpolants' errors added
    target = np.sin(np.pi * X[:, 0]) * np.cos(np.pi * X[:, 1] / 2)
    one_d = U.approximation_error(lambda t: 0.5 * np.sin(np.pi * t), U.bump_network(
        lambda t: 0.5 * np.sin(np.pi * t), 16, (-1.5, 1.5), kind="relu"), (-1.5, 1.5))[0]
    assert np.max(np.abs(net(X) - target)) <= 2 * one_d + 1e-12


def test_ridge_network_matches_torch():
    pytest.importorskip("torch")
    import torch

    net = U.ridge_network([((2.0, -1.0, 0.5), np.cos, (-4.0, 4.0))], 10)
    X = np.random.default_rng(1).uniform(-1, 1, size=(50, 3))
    expected = torch_relu_network(net)(torch.from_numpy(X)).detach().numpy()[:, 0]
    assert np.allclose(net(X), expected, rtol=0, atol=1e-13)


def test_ridge_network_validates_its_ridges():
    with pytest.raises(ValueError, match="at least one"):
        U.ridge_network([], 5)
    with pytest.raises(ValueError, match="must be a triple"):
        U.ridge_network([((1.0, 0.0), np.sin)], 5)
    with pytest.raises(ValueError, match="every direction must have length 2, ridge 1 has 3"):
        U.ridge_network([((1.0, 0.0), np.sin, (-1, 1)), ((1.0, 0.0, 0.0), np.sin, (-1, 1))], 5)
    with pytest.raises(ValueError, match="ridges must be a list"):
        U.ridge_network(3, 5)


# ---------------------------------------------------------------------------------------- safe expressions


def test_safe_expression_evaluates_formulas_vectorised():
    x = np.linspace(-1, 1, 7)
    assert np.allclose(U.safe_expression("sin(3*x) + x**2")(x), np.sin(3 * x) + x**2)
    assert np.allclose(
        U.safe_expression("maximum(x, 0) - abs(x)/2 + pi")(x), np.maximum(x, 0) - abs(x) / 2 + np.pi
    )
    assert np.allclose(U.safe_expression("2")(x), 2.0)  # a constant gives one value per point
    assert np.allclose(U.safe_expression("-x / (1 + e)")(x), -x / (1 + np.e))


def test_safe_expression_overflows_to_inf_not_to_a_huge_integer():
    assert np.isinf(U.safe_expression("9**9**9")(np.array([1.0])))[0]


@pytest.mark.parametrize(
    "text, words",
    [
        ("__import__('os')", "the function '__import__' is not allowed"),
        ("__import__('os').system('ls')", "attribute access"),
        ("np.sin(x)", "attribute access"),
        ("x.real", "attribute access"),
        ("y + 1", "the name 'y' is not allowed"),
        ("open('f')", "the function 'open' is not allowed"),
        ("sin", "it is a function"),
        ("x % 2", "the operator Mod is not allowed"),
        ("x[0]", "Subscript"),
        ("[x for x in ()]", "ListComp"),
        ("lambda: 0", "Lambda"),
        ("sin(x, out=x)", "keyword arguments are not allowed"),
        ("sin(x, x)", "sin takes 1 argument, got 2"),  # NumPy would read the second x as `out`
        ("maximum(x)", "maximum takes 2 arguments, got 1"),
        ("minimum(x, 1, x)", "minimum takes 2 arguments, got 3"),
        ("'text'", "only numbers are allowed"),
        ("sin(x", "could not parse"),
        ("x" + " + x" * 100, "too long"),
    ],
)
def test_safe_expression_rejects_everything_outside_the_list(text, words):
    with pytest.raises(ValueError, match="safe_expression") as info:
        U.safe_expression(text)
    assert words in str(info.value)


def test_safe_expression_never_writes_into_its_input():
    x = np.linspace(-1, 1, 5)
    before = x.copy()
    U.safe_expression("maximum(sin(x), -x) + exp(x) * x")(x)
    np.testing.assert_array_equal(x, before)


def test_safe_expression_rejects_non_strings():
    with pytest.raises(U.ExpressionError, match="must be a string"):
        U.safe_expression(42)


def test_approximation_error_names_the_function_that_failed():
    with pytest.raises(ValueError, match=r"approximation_error: g returned NaN or infinite values .* x = 0"):
        U.approximation_error(np.sin, np.log, (0, 1))
    with pytest.raises(ValueError, match="approximation_error: f must be a function"):
        U.approximation_error(3.0, np.sin, (0, 1))


def test_a_ramp_too_small_for_float64_is_refused_not_rounded_to_zero():
    with pytest.raises(ValueError, match=r"relu_bump: ramp must be at least 1e-9 .* = 1e-09 .* got ramp=1e-320"):
        U.relu_bump(np.linspace(0, 1, 5), 0.2, 0.8, 1e-320)
    np.testing.assert_allclose(U.relu_bump(np.array([0.5]), 0.2, 0.8, 1e-6), [1.0])


def test_count_linear_pieces_refuses_a_negative_tolerance():
    with pytest.raises(ValueError, match="count_linear_pieces: tol must be a finite number >= 0, got -1"):
        U.count_linear_pieces(abs, (-1, 1), tol=-1)
