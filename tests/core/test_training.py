import math

import pytest
import torch
from torch import nn

from core.models import MLPSpec, build_mlp
from core.seeding import make_generator
from core.training import OPTIMIZERS, full_batch, make_loader, make_optimizer, train


def linear_problem(n=64, seed=0):
    g = make_generator(seed)
    x = torch.randn(n, 3, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    return x, y


def test_training_reduces_the_loss_for_every_optimizer():
    x, y = linear_problem()
    torch.manual_seed(0)  # nn.Linear's own init; tests run alone, so the global RNG is fine
    for name in OPTIMIZERS:
        model = nn.Linear(3, 1)
        lr = 0.5 if name == "adagrad" else 0.05  # Adagrad's steps shrink as 1/sqrt(sum g^2)
        history = train(model, nn.MSELoss(), make_optimizer(name, model.parameters(), lr=lr),
                        full_batch(x, y), epochs=200)
        assert history.train_loss[-1] < 0.1 * history.train_loss[0], name
        assert not history.diverged


def test_one_sgd_step_is_w_minus_lr_grad():
    """The loop's update equals the textbook rule computed by hand."""
    x, y = linear_problem(n=8)
    model = nn.Linear(3, 1)
    w0, b0 = model.weight.detach().clone(), model.bias.detach().clone()
    residual = (x @ w0.T + b0) - y  # (8, 1)
    grad_w = 2 * (residual * x).mean(0, keepdim=True)  # d/dW mean((xW^T + b - y)^2)
    grad_b = 2 * residual.mean(0)
    train(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), lr=0.1),
          full_batch(x, y), epochs=1)
    assert torch.allclose(model.weight, w0 - 0.1 * grad_w, atol=1e-6)
    assert torch.allclose(model.bias, b0 - 0.1 * grad_b, atol=1e-6)


def test_divergence_is_reported_not_raised():
    x, y = linear_problem()
    model = nn.Linear(3, 1)
    history = train(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), lr=10.0),
                    full_batch(x, y), epochs=500)
    assert history.diverged and history.diverged_at is not None
    assert history.diverged_at < 500
    last = history.train_loss[-1]
    assert not math.isfinite(last) or last > 1e8


def test_nan_input_is_a_divergence():
    x, y = linear_problem()
    x[0, 0] = float("nan")
    model = nn.Linear(3, 1)
    history = train(model, nn.MSELoss(), make_optimizer("adam", model.parameters(), lr=0.1),
                    full_batch(x, y), epochs=5)
    assert history.diverged and history.diverged_at == 1


def _grad_after(zero_grad, steps, x, y):
    model = nn.Linear(3, 1)
    torch.nn.init.constant_(model.weight, 0.1)
    torch.nn.init.constant_(model.bias, 0.0)
    # lr=0: parameters never move, so each step's gradient is the same fresh gradient
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    train(model, nn.MSELoss(), optimizer, full_batch(x, y), epochs=steps, zero_grad=zero_grad)
    return model.weight.grad.clone()


def test_without_zero_grad_gradients_add_up():
    x, y = linear_problem()
    once = _grad_after(True, 1, x, y)
    assert torch.allclose(_grad_after(True, 5, x, y), once)
    assert torch.allclose(_grad_after(False, 5, x, y), 5 * once, rtol=1e-5)


def test_accumulating_micro_batches_equals_one_big_batch():
    x, y = linear_problem(n=64)
    big, small = nn.Linear(3, 1), nn.Linear(3, 1)
    small.load_state_dict(big.state_dict())
    train(big, nn.MSELoss(), torch.optim.SGD(big.parameters(), lr=0.1), full_batch(x, y),
          epochs=1)
    micro = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    history = train(small, nn.MSELoss(), torch.optim.SGD(small.parameters(), lr=0.1), micro,
                    epochs=1, accumulate=4)
    assert history.steps == [1]
    assert torch.allclose(big.weight, small.weight, atol=1e-6)
    assert torch.allclose(big.bias, small.bias, atol=1e-6)


def test_evaluate_runs_in_eval_mode_without_grad_and_training_resumes_in_train_mode():
    x, y = linear_problem()
    model = build_mlp(MLPSpec(in_features=3, hidden=(8,), out_features=1, dropout=0.5))
    seen = []

    def evaluate(m):
        out = m(x)
        seen.append((m.training, torch.is_grad_enabled(), out.requires_grad))
        return {"mse": float(((out - y) ** 2).mean())}

    modes = []
    history = train(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), lr=0.01),
                    full_batch(x, y), epochs=3, evaluate=evaluate,
                    callbacks=[lambda info: modes.append(info.model.training)])
    assert set(seen) == {(False, False, False)}
    assert modes == [True, True, True]
    assert history.eval_steps == [0, 1, 2, 3]
    assert len(history.eval_metrics["mse"]) == 4


def test_callback_can_stop_training():
    x, y = linear_problem()
    model = nn.Linear(3, 1)
    history = train(model, nn.MSELoss(), make_optimizer("sgd", model.parameters(), lr=0.01),
                    full_batch(x, y), epochs=100, callbacks=[lambda info: info.step >= 7])
    assert history.stopped_by_callback and history.steps[-1] == 7


def test_loader_shuffles_reproducibly_and_differently_each_epoch():
    x = torch.arange(10.0)[:, None]
    loader = make_loader(x, x, batch_size=10, seed=3)
    first, second = [next(iter(loader))[0].squeeze().tolist() for _ in range(2)]
    assert first != second
    again = make_loader(x, x, batch_size=10, seed=3)
    assert next(iter(again))[0].squeeze().tolist() == first


def test_unknown_optimizer():
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("lion", nn.Linear(1, 1).parameters(), lr=0.1)


def test_adamw_weight_decay_zero_is_zero_and_none_is_torchs_default():
    params = [nn.Parameter(torch.ones(2))]
    assert make_optimizer("adamw", params, lr=0.1, weight_decay=0.0).param_groups[0][
        "weight_decay"] == 0.0
    assert make_optimizer("adamw", params, lr=0.1).param_groups[0]["weight_decay"] == \
        torch.optim.AdamW(params).defaults["weight_decay"]
    assert make_optimizer("sgd", params, lr=0.1).param_groups[0]["weight_decay"] == 0.0


def _dropout_run(seed=5):
    """A small dropout MLP on a shuffling DataLoader with accumulation: every source of
    randomness the loop has (loader order, dropout masks, partial accumulation)."""
    from core.training import Trainer
    g = make_generator(seed)
    x = torch.randn(70, 3, generator=g)
    y = (x[:, 0] > 0).long()
    model = build_mlp(MLPSpec(in_features=3, hidden=(16, 16), dropout=0.4), seed=seed)
    opt = make_optimizer("momentum", model.parameters(), lr=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    loader = make_loader(x, y, batch_size=8, seed=seed)  # 9 batches an epoch, last one of 6
    return Trainer(model, nn.CrossEntropyLoss(), opt, loader, accumulate=2, seed=seed,
                   scheduler=scheduler)


def test_resuming_in_pieces_equals_one_uninterrupted_run():
    whole = _dropout_run()
    whole.step(23)
    pieces = _dropout_run()
    for n in (1, 3, 4, 7, 2, 6):  # cuts mid-epoch and mid-accumulation boundaries alike
        assert pieces.step(n) == n
    assert pieces.step_count == whole.step_count == 23
    assert pieces.epoch == whole.epoch == 5  # 4 steps per epoch (9 batches, accumulate 2)
    assert pieces.history.train_loss == whole.history.train_loss
    for a, b in zip(whole.model.parameters(), pieces.model.parameters()):
        assert torch.equal(a, b)
    assert pieces.optimizer.param_groups[0]["lr"] == whole.optimizer.param_groups[0]["lr"] \
        == pytest.approx(0.05 * 0.5 ** 2)  # StepLR: halved after epochs 2 and 4


def test_resumed_dropout_masks_continue_the_stream_instead_of_restarting():
    """Without carrying the global RNG state, each step() call would reseed and redraw the
    first masks again; a run cut into single steps would then differ from the whole run."""
    whole, pieces = _dropout_run(), _dropout_run()
    whole.step(6)
    for _ in range(6):
        pieces.step(1)
    assert pieces.history.train_loss == whole.history.train_loss
    fresh = _dropout_run()
    fresh.step(1)
    again = _dropout_run()
    again.step(1)
    again._rng_state = None  # forget the carried state: masks restart from the seed
    again.step(1)
    whole_two = whole.history.train_loss[:2]
    assert again.history.train_loss[0] == whole_two[0]
    assert again.history.train_loss[1] != whole_two[1]


def test_train_is_trainer_run_and_evaluates_like_before():
    from core.training import Trainer
    x, y = linear_problem()
    a, b = nn.Linear(3, 1), nn.Linear(3, 1)
    b.load_state_dict(a.state_dict())
    ev = lambda m: {"mse": float(((m(x) - y) ** 2).mean())}  # noqa: E731
    h1 = train(a, nn.MSELoss(), torch.optim.SGD(a.parameters(), lr=0.05), full_batch(x, y),
               epochs=7, evaluate=ev, eval_every=3)
    trainer = Trainer(b, nn.MSELoss(), torch.optim.SGD(b.parameters(), lr=0.05),
                      full_batch(x, y), evaluate=ev, eval_every=3)
    trainer.step(2)
    h2 = trainer.run(epochs=7)
    assert h1.train_loss == h2.train_loss
    assert h1.eval_steps == h2.eval_steps == [0, 3, 6, 7]
    assert trainer.epoch == 7


def test_history_is_capped_by_decimation_and_keeps_the_latest():
    from core.training import Trainer
    x, y = linear_problem()
    model = nn.Linear(3, 1)
    trainer = Trainer(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.01),
                      full_batch(x, y), max_history=50, evaluate=lambda m: {"one": 1.0})
    trainer.step(1000)
    h = trainer.history
    assert len(h.steps) <= 50 and len(h.eval_steps) <= 50
    assert h.steps[-1] == 1000 and h.eval_steps[-1] == 1000
    assert h.steps == sorted(h.steps) and len(h.train_loss) == len(h.steps)


def test_divergence_stops_the_trainer_for_good():
    from core.training import Trainer
    x, y = linear_problem()
    model = nn.Linear(3, 1)
    trainer = Trainer(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=10.0),
                      full_batch(x, y))
    done = trainer.step(1000)
    assert trainer.stopped and trainer.history.diverged
    assert done == trainer.history.diverged_at - 1
    assert trainer.step(5) == 0


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("batch_size", [1, 7, 16, 300])
def test_make_loader_gives_the_plain_dataloaders_batches(shuffle, batch_size):
    """make_loader indexes once per batch; the batches, their number and the generator's
    draws must be those of DataLoader(TensorDataset(x, y), batch_size, shuffle) — the
    loader the code panels show."""
    from torch.utils.data import DataLoader, TensorDataset

    from core.seeding import make_generator

    x, y = torch.randn(203, 5), torch.randint(0, 3, (203,))
    fast = make_loader(x, y, batch_size, shuffle=shuffle, seed=11)
    plain = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle,
                       generator=make_generator(11))
    assert len(fast) == len(plain)
    for _epoch in range(3):
        got, want = list(fast), list(plain)
        assert len(got) == len(want)
        for (xa, ya), (xb, yb) in zip(got, want):
            assert torch.equal(xa, xb) and torch.equal(ya, yb)
            assert xa.dtype == xb.dtype and ya.dtype == yb.dtype
