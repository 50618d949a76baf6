"""Specification of ``nncourse.surfaces``: each surface's value and gradient agree with PyTorch's autograd in
float64, its stated minimum is one, and ``Descent`` is exactly a training loop with an ``nncourse.optim``
optimizer (checked against ``torch.optim`` too), noise included."""

import math

import numpy as np
import pytest
import torch

from nncourse.optim import SGD, Adam, RMSprop
from nncourse.surfaces import SURFACES, Descent, NarrowWell, Quadratic, Rosenbrock, Saddle, Surface


def torch_value(surface, theta):
    """Each surface's formula, written again in PyTorch (from the docstrings, not from the code)."""
    x, y = theta[..., 0], theta[..., 1]
    if isinstance(surface, Quadratic):
        phi, kappa = surface.angle, surface.kappa
        u = math.cos(phi) * x + math.sin(phi) * y  # the coordinate along the flat direction
        v = -math.sin(phi) * x + math.cos(phi) * y  # across it
        return 0.5 * (u**2 / kappa + v**2)
    if isinstance(surface, Rosenbrock):
        return (surface.a - x) ** 2 + surface.b * (y - x**2) ** 2
    if isinstance(surface, Saddle):
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2
    if isinstance(surface, NarrowWell):
        return 0.1 * (x**2 + y**2) - 2.0 * torch.exp(-((x - 1.5) ** 2 + (y - 1.2) ** 2) / (2 * 0.1**2))
    raise AssertionError(surface)


ALL = [Quadratic(), Quadratic(kappa=1.0), Quadratic(kappa=250.0, angle=1.0), Rosenbrock(), Rosenbrock(a=-0.5, b=3.0),
       Saddle(), NarrowWell()]


def points_on(surface, n=200, seed=0):
    x0, x1, y0, y1 = surface.plane
    rng = np.random.default_rng(seed)
    points = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    if isinstance(surface, NarrowWell):  # inside the well too, where the gradient is large
        points[: n // 2] = np.array(surface.centre) + 0.15 * rng.normal(size=(n // 2, 2))
    return points


@pytest.mark.parametrize("surface", ALL, ids=repr)
def test_value_and_gradient_equal_torch_autograd_in_float64(surface):
    points = points_on(surface)
    theta = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    values = torch_value(surface, theta)
    values.sum().backward()
    np.testing.assert_allclose(surface(points), values.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(surface.grad(points), theta.grad.numpy(), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("surface", ALL, ids=repr)
def test_a_grid_of_points_gives_the_same_values_as_one_point_at_a_time(surface):
    points = points_on(surface, n=12).reshape(3, 4, 2)
    assert surface(points).shape == (3, 4) and surface.grad(points).shape == (3, 4, 2)
    for index in np.ndindex(3, 4):
        assert surface(points[index]) == pytest.approx(surface(points)[index], rel=1e-14, abs=1e-15)
        np.testing.assert_allclose(surface.grad(points[index]), surface.grad(points)[index], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("surface", ALL, ids=repr)
def test_the_stated_minimum_is_a_stationary_point_below_every_grid_value(surface):
    minimum = np.array(surface.minimum)
    np.testing.assert_allclose(surface.grad(minimum), 0.0, atol=1e-12)
    assert surface.lowest == pytest.approx(float(surface(minimum)), abs=0)
    _, _, values = surface.grid(150)
    assert values.min() >= surface.lowest - 1e-12
    x0, x1, y0, y1 = surface.plane
    assert x0 < surface.start[0] < x1 and y0 < surface.start[1] < y1


def test_known_minima():
    assert Rosenbrock().minimum == (1.0, 1.0) and Rosenbrock().lowest == 0.0
    assert Saddle().lowest == -0.25 and Saddle()(np.array([0.0, -1.0])) == -0.25
    well = NarrowWell()
    assert well.lowest < -1.6 and np.linalg.norm(np.array(well.minimum) - well.centre) < 0.01  # deep, near m
    assert abs(well(np.zeros(2))) < 1e-60 and np.allclose(well.grad(np.zeros(2)), 0.0, atol=1e-60)  # the broad one


@pytest.mark.parametrize("kappa", [1.0, 10.0, 1000.0])
def test_the_quadratic_has_eigenvalues_one_over_kappa_and_one_with_the_flat_one_along_the_angle(kappa):
    surface = Quadratic(kappa=kappa, angle=0.3)
    eigenvalues, eigenvectors = np.linalg.eigh(surface.A)
    np.testing.assert_allclose(eigenvalues, [1 / kappa, 1.0], rtol=1e-12)
    if kappa > 1:
        assert abs(eigenvectors[:, 0] @ [math.cos(0.3), math.sin(0.3)]) == pytest.approx(1.0)


@pytest.mark.parametrize(("kappa", "lr"), [(10.0, 0.5), (10.0, 1.9), (100.0, 1.0)])
def test_gradient_descent_on_the_ravine_contracts_at_the_rate_of_its_slowest_direction(kappa, lr):
    walk = Descent(Quadratic(kappa=kappa), lambda p: SGD(p, lr=lr)).step(200)
    norms = np.linalg.norm(walk.path, axis=1)
    measured = (norms[200] / norms[100]) ** (1 / 100)
    assert measured == pytest.approx(max(abs(1 - lr / kappa), abs(1 - lr)), rel=1e-6)


def test_a_walk_is_a_training_loop_with_the_optimizer():
    surface = Rosenbrock()
    walk = Descent(surface, lambda p: Adam(p, lr=0.05)).step(40)
    from nncourse import nn

    theta = nn.Parameter(np.array(surface.start))
    optimizer = Adam([theta], lr=0.05)
    expected = [theta.data.copy()]
    for _ in range(40):
        theta.grad = surface.grad(theta.data)
        optimizer.step()
        expected.append(theta.data.copy())
    np.testing.assert_array_equal(walk.path, np.array(expected))
    np.testing.assert_array_equal(walk.losses, surface(np.array(expected)))
    assert walk.steps == 40 and walk.optimizer.state[walk.theta]["step"] == 40


@pytest.mark.parametrize(("ours", "theirs"), [
    (lambda p: SGD(p, lr=0.001, momentum=0.9, nesterov=True), lambda p: torch.optim.SGD(p, lr=0.001, momentum=0.9,
                                                                                        nesterov=True)),
    (lambda p: RMSprop(p, lr=0.01, alpha=0.95), lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.95)),
    (lambda p: Adam(p, lr=0.05, betas=(0.8, 0.99)), lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99))),
])
def test_a_noisy_walk_equals_torch_optim_on_autograd_gradients_with_the_same_noise(ours, theirs):
    surface = Rosenbrock()
    walk = Descent(surface, ours, noise=2.0, rng=7).step(150)
    noise = np.random.default_rng(7).standard_normal((150, 2))  # the same draws, in the same order
    theta = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    optimizer = theirs([theta])
    path = [theta.detach().numpy().copy()]
    for t in range(150):
        optimizer.zero_grad()
        torch_value(surface, theta).backward()
        theta.grad += 2.0 * torch.from_numpy(noise[t])
        optimizer.step()
        path.append(theta.detach().numpy().copy())
    np.testing.assert_allclose(walk.path, np.array(path), rtol=1e-10, atol=1e-12)


def test_walks_with_the_same_seed_see_the_same_noise():
    surface = Saddle()
    first = Descent(surface, lambda p: SGD(p, lr=0.1), noise=0.5, rng=3).step(30)
    second = Descent(surface, lambda p: SGD(p, lr=0.1), noise=0.5, rng=3).step(10).step(20)
    other = Descent(surface, lambda p: SGD(p, lr=0.1), noise=0.5, rng=4).step(30)
    np.testing.assert_array_equal(first.path, second.path)
    assert not np.allclose(first.path, other.path)


def test_noise_lets_gradient_descent_leave_the_saddle_sooner():
    surface = Saddle()
    quiet = Descent(surface, lambda p: SGD(p, lr=0.1)).step(40)
    noisy = [Descent(surface, lambda p: SGD(p, lr=0.1), noise=0.3, rng=seed).step(40) for seed in range(10)]
    assert abs(quiet.path[-1, 1]) < 0.05  # still near the ridge: y = 10⁻³ · 1.1^t at most
    assert sum(abs(walk.path[-1, 1]) > 0.5 for walk in noisy) >= 8  # most noisy walks rolled off towards a minimum


@pytest.mark.parametrize(("surface", "lr"), [(Quadratic(kappa=1.0), 3.0), (Rosenbrock(), 0.1), (NarrowWell(), 50.0)])
def test_a_diverging_walk_stops_without_warnings_and_keeps_only_finite_points(surface, lr):
    walk = Descent(surface, lambda p: SGD(p, lr=lr)).step(500)  # RuntimeWarnings are errors under pytest
    assert walk.diverged and walk.steps < 500
    assert np.all(np.isfinite(walk.path)) and np.all(np.abs(walk.path) <= walk.bound)
    steps = walk.steps
    assert walk.step(10).steps == steps  # no further steps


def test_the_surfaces_are_registered_by_name():
    assert list(SURFACES) == ["ravine (quadratic)", "Rosenbrock", "saddle", "narrow well"]
    assert all(issubclass(cls, Surface) and SURFACES[cls.name] is cls for cls in SURFACES.values())


@pytest.mark.parametrize(("call", "message"), [
    (lambda: Rosenbrock()(np.zeros(3)),
     r"Rosenbrock: theta must have shape \(\.\.\., 2\), points \(x, y\), got shape \(3,\)"),
    (lambda: Saddle().grad(np.zeros((4, 3))), r"shape \(\.\.\., 2\).*got shape \(4, 3\)"),
    (lambda: Saddle()(np.array([np.nan, 0.0])), "theta must contain only finite values"),
    (lambda: Quadratic(kappa=0.5), "kappa \\(the condition number\\) must be at least 1, got 0.5"),
    (lambda: Rosenbrock(b=0.0), "Rosenbrock: b must be positive, got 0.0"),
    (lambda: Descent("Rosenbrock", lambda p: SGD(p)), "surface must be a Surface"),
    (lambda: Descent(Saddle(), lambda p: SGD(p), noise=-1.0), "noise must be a standard deviation ≥ 0, got -1.0"),
    (lambda: Descent(Saddle(), lambda p: SGD(p), start=[1.0, 2.0, 3.0]), r"start must be a point \(x, y\)"),
    (lambda: Descent(Saddle(), lambda p: SGD(p)).step(-1), "steps must be a non-negative integer, got -1"),
    (lambda: Descent(Saddle(), lambda p: SGD(p)).step(2.5), "steps must be a non-negative integer, got 2.5"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
