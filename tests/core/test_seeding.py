import threading

import torch

from core.activations import DyingReluConfig, VanishingConfig, run_dying_relu, run_vanishing
from core.models import MLPSpec, build_mlp
from core.seeding import global_rng, make_generator


def test_same_seed_same_tensors():
    a = torch.randn(5, generator=make_generator(3))
    b = torch.randn(5, generator=make_generator(3))
    assert torch.equal(a, b)
    assert not torch.equal(a, torch.randn(5, generator=make_generator(4)))


def test_global_rng_is_reproducible_and_restores_the_outer_state():
    torch.manual_seed(123)
    expected_outer = torch.rand(3)
    torch.manual_seed(123)
    with global_rng(7):
        inside_first = torch.rand(3)
    with global_rng(7):
        inside_second = torch.rand(3)
    assert torch.equal(inside_first, inside_second)
    assert torch.equal(torch.rand(3), expected_outer)  # the block did not consume outer draws


def test_building_a_model_does_not_touch_the_global_rng():
    torch.manual_seed(0)
    expected = torch.rand(4)
    torch.manual_seed(0)
    build_mlp(MLPSpec(hidden=(64, 64)), seed=5)
    assert torch.equal(torch.rand(4), expected)


def _weights(seed):
    return [p.detach().clone() for p in build_mlp(MLPSpec(hidden=(8,)), seed=seed).parameters()]


def test_same_seed_same_model():
    for a, b in zip(_weights(1), _weights(1)):
        assert torch.equal(a, b)


def test_threads_with_different_seeds_match_sequential_runs():
    """Two sessions training at once (dropout included) get what each gets alone."""
    configs = [VanishingConfig(depth=6, train_steps=10, seed=s) for s in (1, 2)]
    dying = [DyingReluConfig(steps=20, seed=s) for s in (1, 2)]
    sequential = [run_vanishing(c) for c in configs] + [run_dying_relu(c) for c in dying]
    results = [None] * 4

    def work(i):
        results[i] = run_vanishing(configs[i]) if i < 2 else run_dying_relu(dying[i - 2])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for alone, together in zip(sequential[:2], results[:2]):
        assert (alone.grad_norms == together.grad_norms).all()
        assert (alone.loss == together.loss).all()
    for alone, together in zip(sequential[2:], results[2:]):
        for name in alone.runs:
            assert (alone.runs[name].loss == together.runs[name].loss).all()


def test_dropout_training_in_threads_is_reproducible():
    """Dropout masks come from the global RNG; global_rng must keep threads apart."""
    from torch import nn

    from core.training import full_batch, make_optimizer, train

    x = torch.randn(64, 2, generator=make_generator(0))
    y = (x[:, 0] > 0).long()

    def run(seed):
        model = build_mlp(MLPSpec(hidden=(32, 32), dropout=0.5), seed=0)
        h = train(model, nn.CrossEntropyLoss(), make_optimizer("sgd", model.parameters(), 0.1),
                  full_batch(x, y), epochs=15, seed=seed)
        return h.train_loss

    alone = {s: run(s) for s in (1, 2)}
    together = {}
    threads = [threading.Thread(target=lambda s=s: together.__setitem__(s, run(s)))
               for s in (1, 2, 1, 2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert together == alone
    assert alone[1] != alone[2]  # the seed really drives the masks


def test_global_rng_draws_what_torch_manual_seed_draws():
    from core.seeding import global_rng

    torch.manual_seed(7)
    expected = torch.rand(5)
    with global_rng(7):
        got = torch.rand(5)
    assert torch.equal(got, expected)
