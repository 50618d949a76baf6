"""Write nncourse/data/trained_moons_mlps.npz: the forward-pass explorer's trained networks, trained once.

Every depth (1 to MAX_DEPTH) and activation the explorer offers, at its default width 4 and seed 0, trained
by nncourse.train.train_moons_mlp. Shipping them makes the explorer's depth and activation controls answer
at once instead of training for a fraction of a second on first use; tests/test_nn_mlp.py checks that the
file still equals fresh training. Rerun after changing the training recipe:

    python scripts/make_trained_mlps.py
"""

import time

import numpy as np

from nncourse.train import SHIPPED_TRAINED_MLPS, shipped_key, train_moons_mlp
from nncourse.widgets.forward_pass import ACTIVATIONS, MAX_DEPTH

WIDTH, SEED = 4, 0


def main():
    start, arrays = time.perf_counter(), {}
    for _, activation in ACTIVATIONS:
        for depth in range(1, MAX_DEPTH + 1):
            key = shipped_key(depth, activation, WIDTH, SEED)
            for i, value in enumerate(train_moons_mlp(depth, activation, WIDTH, SEED)):
                arrays[f"{key}/{i}"] = value
    np.savez_compressed(SHIPPED_TRAINED_MLPS, **arrays)
    print(f"{len(ACTIVATIONS) * MAX_DEPTH} networks, {len(arrays)} arrays -> {SHIPPED_TRAINED_MLPS} "
          f"({SHIPPED_TRAINED_MLPS.stat().st_size} bytes) in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
