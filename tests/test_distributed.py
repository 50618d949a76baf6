"""Data parallelism for real: two processes with DDP on gloo give the weights of one process on the whole batch."""

import pytest
import torch

from nncourse.distributed import digits_batches, train_data_parallel, train_single_process


@pytest.mark.timeout(300)  # a rank that hangs fails this test rather than the whole run
def test_two_ddp_processes_on_half_batches_give_single_process_weights():
    parallel = train_data_parallel(world_size=2, steps=4, batch_size=32, lr=0.1, seed=3)
    single = train_single_process(steps=4, batch_size=32, lr=0.1, seed=3)
    assert list(parallel) == list(single)
    initial = train_single_process(steps=0, seed=3)
    for name in single:
        assert not torch.equal(single[name], initial[name])  # training moved every tensor
        torch.testing.assert_close(parallel[name], single[name], rtol=0, atol=1e-13)


def test_one_process_on_half_a_batch_differs_so_the_all_reduce_matters():
    half = train_single_process(steps=4, batch_size=16, lr=0.1, seed=3)
    whole = train_single_process(steps=4, batch_size=32, lr=0.1, seed=3)
    assert max((half[name] - whole[name]).abs().max().item() for name in whole) > 1e-3


def test_batches_are_seeded_and_a_batch_must_split_evenly():
    first, second = digits_batches(2, 8, seed=5), digits_batches(2, 8, seed=5)
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in zip(first, second, strict=True))
    with pytest.raises(ValueError, match="batch_size must be a multiple of world_size"):
        train_data_parallel(world_size=2, batch_size=33)
