"""One ensemble split: partition, train the DNN, choose every method's region per slice and ε
on the training set, evaluate on the test set (paper §III.C)."""

from __future__ import annotations

import time

import numpy as np

from ..io import split_indices
from ..regions import DNNClassifier, pt_slices
from ..stats import NotEvaluable, asimov_z
from ._config import StudyConfig
from ._data import StudyData, eft_class_weight
from ._diagnostics import collect_diagnostics
from ._methods import METHODS, RegionChoice
from ._subsets import SliceContext, Subset, make_subset, plane_standardisation


def train_dnn(
    data: StudyData, config: StudyConfig, train: np.ndarray, val: np.ndarray, seed: int
) -> tuple[DNNClassifier, float]:
    """The classifier of paper §IV.C on all slices' training events, SM vs benchmark."""

    def dataset(idx: np.ndarray):
        X = data.features[idx]
        return (
            np.vstack([X, X]),
            np.concatenate([np.zeros(len(idx), int), np.ones(len(idx), int)]),
            np.concatenate([data.w_sm[idx], eft_class_weight(data.w_eft[idx])]),
        )

    model = DNNClassifier(
        hidden_layers=config.dnn_hidden,
        learning_rate=config.dnn_learning_rate,
        batch_size=config.dnn_batch_size,
        max_epochs=config.dnn_max_epochs,
        patience=config.dnn_patience,
        random_state=seed,
    )
    t0 = time.perf_counter()
    model.fit(*dataset(train), eval_set=dataset(val))
    return model, (time.perf_counter() - t0) / max(model.n_epochs_, 1)


def _record(split: int, seed: int, label: str, eps: float, method: str, **values) -> dict:
    rec = {
        "split": split,
        "seed": seed,
        "slice": label,
        "epsilon": eps,
        "method": method,
        "evaluable": False,
        "z_test": None,
        "z_train": None,
        "s_test": None,
        "b_test": None,
        "s_test_mc_error": None,
        "b_test_mc_error": None,
        "n_test_events": None,
        "quadratic_share": None,
        "mzh_over_lambda": None,
        "slope": None,
        "intercept_GeV": None,
        "above": None,
        "threshold": None,
        "note": "",
    }
    rec.update(values)
    return rec


def region_caveats(sub: Subset, mask: np.ndarray) -> dict:
    """Yields and EFT-validity caveats of the region ``mask`` of a subset.

    Returns
    -------
    dict
        ``s_test``, ``b_test``: Σ s_i, Σ b_i [events] at the study luminosity;
        ``s_test_mc_error``, ``b_test_mc_error``: their MC errors √(Σ s_i²), √(Σ b_i²)
        [events]; ``n_test_events``: MC events in the region; ``quadratic_share``:
        Σ w_quad / Σ w_lin, the O(Λ⁻⁴) over the O(Λ⁻²) part of the benchmark's excess
        (Σ c²w_quad / Σ c·w_lin for one operator), None where Σ w_lin = 0;
        ``mzh_over_lambda``: Σ w_SM m_ZH / (Λ Σ w_SM), None where Σ w_SM ≤ 0.
    """
    s, b, w_sm = sub.s[mask], sub.b[mask], sub.w_sm[mask]
    lin, quad = float(sub.w_lin[mask].sum()), float(sub.w_quad[mask].sum())
    sum_sm = float(w_sm.sum())
    return {
        "s_test": float(s.sum()),
        "b_test": float(b.sum()),
        "s_test_mc_error": float(np.sqrt(np.sum(s * s))),
        "b_test_mc_error": float(np.sqrt(np.sum(b * b))),
        "n_test_events": int(mask.sum()),
        "quadratic_share": quad / lin if lin != 0 else None,
        "mzh_over_lambda": (
            float(np.sum(w_sm * sub.mzh[mask])) / sum_sm / sub.lambda_GeV if sum_sm > 0 else None
        ),
    }


def _evaluate(ctx: SliceContext, choice: RegionChoice, eps: float) -> dict:
    """Record fields of a region chosen on the training set, evaluated on the test set. The
    region's line or threshold is recorded even where Z_A is not evaluable (b = 0)."""
    tr, te = ctx.train, ctx.test
    m_tr, m_te = choice.mask(tr), choice.mask(te)
    out = region_caveats(te, m_te)
    if choice.line is not None:
        out.update(
            slope=choice.line.slope,
            intercept_GeV=choice.line.intercept_GeV,
            above=choice.line.above,
        )
    threshold = (
        choice.threshold if choice.threshold is not None else choice.extra.get("dnn_threshold")
    )
    if threshold is not None:
        out["threshold"] = float(threshold)
    s, b = out["s_test"], out["b_test"]
    z_test = float(asimov_z(s, b, eps))
    z_train = float(asimov_z(tr.s[m_tr].sum(), tr.b[m_tr].sum(), eps))
    notes = [choice.note] if choice.note else []
    if not np.isfinite(z_test):
        notes.append(
            f"region has no expected background on the test set (b = {b:.3g})"
            if b <= 0
            else f"Z_A is not defined on the test set (s = {s:.3g}, b = {b:.3g})"
        )
    else:
        z_train_ok = z_train if np.isfinite(z_train) else None
        out.update(evaluable=True, z_test=z_test, z_train=z_train_ok)
    out["note"] = "; ".join(notes)
    return out


def run_split(data: StudyData, config: StudyConfig, split: int, seed: int) -> dict:
    """Records of every (slice, ε, method) of one split; diagnostics for split 0."""
    rng = np.random.default_rng(seed)
    train, val, test = split_indices(len(data), config.fractions, rng)
    slices = pt_slices(config.edges_GeV())
    in_slices = data.pt >= slices[0].low_GeV
    dnn, sec_per_epoch = train_dnn(data, config, train[in_slices[train]], val[in_slices[val]], seed)
    score = dnn.predict_proba(data.features)[:, 1]
    f_train, _, f_test = config.fractions
    records, contexts, choices = [], [], []
    for sl in slices:
        idx_tr, idx_te = train[sl.contains(data.pt[train])], test[sl.contains(data.pt[test])]
        tr = make_subset(data, idx_tr, f_train, config.luminosity_fb, score)
        te = make_subset(data, idx_te, f_test, config.luminosity_fb, score)
        problem = _slice_problem(tr, te, sl.label)
        if problem:
            records += [
                _record(split, seed, sl.label, e, m, note=problem)
                for m in METHODS
                for e in config.epsilons
            ]
            continue
        mean, scale = plane_standardisation(tr)
        ctx = SliceContext(sl, tr, te, config, seed, mean, scale)
        done: dict[str, dict] = {}
        for name, method in METHODS.items():
            try:
                done[name] = method.func(ctx, done)
            except (NotEvaluable, ValueError, KeyError) as exc:
                note = f"{name} not evaluable: {exc}"
                records += [
                    _record(split, seed, sl.label, e, name, note=note) for e in config.epsilons
                ]
                continue
            records += [
                _record(split, seed, sl.label, e, name, **_evaluate(ctx, done[name][e], e))
                for e in config.epsilons
            ]
        contexts.append(ctx)
        choices.append(done)
    out = {
        "split": split,
        "seed": seed,
        "records": records,
        "dnn": {
            "n_epochs": dnn.n_epochs_,
            "best_epoch": dnn.best_epoch_,
            "seconds_per_epoch": sec_per_epoch,
        },
    }
    if split == 0:
        out["diagnostics"] = collect_diagnostics(
            data, config, contexts, choices, dnn, sec_per_epoch, test
        )
    return out


def _slice_problem(tr, te, label: str) -> str:
    if len(tr.pt) == 0 or len(te.pt) == 0:
        return f"slice {label} is empty in the {'training' if len(tr.pt) == 0 else 'test'} set"
    if tr.b.sum() <= 0 or te.b.sum() <= 0:
        return f"slice {label} has zero expected SM background: Z is not defined"
    return ""
