"""A realistic fake study result (docs/study_format.md), independent of the study code.

3 splits × 4 slices × 3 ε × 7 methods, with significances shaped like the paper's Tables
V–VII, lines like Tables I–IV, some non-evaluable records (one (method, slice, ε) with no
evaluable split at all), null entries, and split-0 diagnostics with nulls inside.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

METHODS = ["STXS", "SVM", "SVM+scan", "DNN+SVM", "DNN+SVM+scan", "DNN-threshold", "oracle"]
SLICES = [
    {"label": "[75,150]", "low_GeV": 75.0, "high_GeV": 150.0},
    {"label": "[150,250]", "low_GeV": 150.0, "high_GeV": 250.0},
    {"label": "[250,400]", "low_GeV": 250.0, "high_GeV": 400.0},
    {"label": "[400,inf]", "low_GeV": 400.0, "high_GeV": None},
]
EPSILONS = [0.3, 0.5, 1.0]
N_SPLITS = 3
# Z_A of the STXS region per ε and slice (paper Tables V–VII)
Z_STXS = {
    0.3: [2.244, 2.819, 3.656, 5.424],
    0.5: [1.347, 1.695, 2.216, 3.387],
    1.0: [0.674, 0.849, 1.113, 1.724],
}
GAIN = {
    "STXS": 1.0,
    "SVM": 1.07,
    "SVM+scan": 1.13,
    "DNN+SVM": 1.12,
    "DNN+SVM+scan": 1.13,
    "DNN-threshold": 1.16,
    "oracle": 1.22,
}
SVM_LINES = [(-87.0, 9700.0), (-59.0, 11700.0), (-28.6, 9500.0), (-9.1, 6020.0)]
FEATURES = ["pt_Z", "m_ZH", "pt_H", "m_bb", "m_ll", "pt_b1", "dR_bb", "eta_ZH"]

# (split, slice, ε, method) → note of a non-evaluable record
NOT_EVALUABLE = {
    (2, "[75,150]", 1.0, "DNN+SVM"): "no DNN threshold gives a line with positive Z",
    (2, "[75,150]", 1.0, "DNN+SVM+scan"): "no seed line (DNN+SVM not evaluable)",
    **{(s, "[150,250]", 0.3, "SVM+scan"): "empty region on the test set" for s in range(3)},
}
ALWAYS_NA = ("SVM+scan", "[150,250]", 0.3)
"""(method, slice, ε) without any evaluable split: ``n/a`` in tables, no card."""


def _line(method, i_slice, eps, rng):
    a0, b0 = SVM_LINES[i_slice]
    if method == "SVM":
        return a0 * (1 + 0.02 * rng.normal()), b0 * (1 + 0.02 * rng.normal())
    tilt = {"SVM+scan": 0.95, "DNN+SVM": 1.1, "DNN+SVM+scan": 1.05}[method]
    shift = 1.0 + 0.15 * eps
    return a0 * tilt * (1 + 0.05 * rng.normal()), b0 * shift * (1 + 0.05 * rng.normal())


def _record(split, i_slice, eps, method, rng):
    label = SLICES[i_slice]["label"]
    rec = {
        "split": split,
        "seed": 1000 + split,
        "slice": label,
        "epsilon": eps,
        "method": method,
        "evaluable": True,
        "note": "",
    }
    key = (split, label, eps, method)
    if key in NOT_EVALUABLE:
        rec.update(
            evaluable=False,
            note=NOT_EVALUABLE[key],
            z_test=None,
            z_train=None,
            s_test=None,
            b_test=None,
            slope=None,
            intercept_GeV=None,
            above=None,
            threshold=None,
        )
        return rec
    spread = 0.0002 if method == "STXS" else 0.01 * (1 + (3 - i_slice))
    z = Z_STXS[eps][i_slice] * GAIN[method] * (1 + spread * rng.normal())
    b = 400.0 / (1 + i_slice) ** 2
    rec.update(
        z_test=z,
        z_train=z * (1 + 0.01 * rng.normal()),
        s_test=z * eps * b / 2,
        b_test=b,
        slope=None,
        intercept_GeV=None,
        above=None,
        threshold=None,
    )
    if method in ("SVM", "SVM+scan", "DNN+SVM", "DNN+SVM+scan"):
        a, c = _line(method, i_slice, eps, rng)
        rec.update(slope=a, intercept_GeV=c, above=True)
    if method in ("DNN+SVM", "DNN-threshold"):
        rec["threshold"] = float(rng.uniform(0.4, 0.9))
    if method == "oracle":
        rec.update(threshold=float(rng.uniform(1.2, 2.0)), z_train=None)  # a null entry
    return rec


def _landscape(method, label, eps, a0, b0):
    slopes = np.linspace(a0 * 1.5, a0 * 0.5, 21)
    intercepts = np.linspace(b0 * 0.7, b0 * 1.3, 17)
    aa, bb = np.meshgrid(slopes, intercepts, indexing="ij")
    z = 4.0 * np.exp(-(((aa - a0) / (0.3 * a0)) ** 2) - ((bb - b0) / (0.2 * b0)) ** 2)
    grid = z.tolist()
    grid[0][0] = grid[-1][-1] = None  # lines with an empty region
    i, j = np.unravel_index(np.argmax(z), z.shape)
    return {
        "slice": label,
        "epsilon": eps,
        "method": method,
        "slopes": slopes.tolist(),
        "intercepts_GeV": intercepts.tolist(),
        "z": grid,
        "best": {
            "slope": float(slopes[i]),
            "intercept_GeV": float(intercepts[j]),
            "z": float(z[i, j]),
        },
        "seed": {"slope": a0 * 1.1, "intercept_GeV": b0 * 0.9},
    }


def _events(rng, n=2000):
    pt = 400.0 + rng.exponential(150.0, n)
    m = 2.0 * pt + 250.0 + rng.normal(0.0, 120.0, n)
    w_sm = 1e-7 * rng.uniform(0.5, 1.5, n)
    w_eft = w_sm * (1 + 0.4 * (pt / 400.0) ** 2 * (m / (2 * pt + 250.0)))
    return {
        "slice": "[400,inf]",
        "pt_Z": pt.tolist(),
        "m_ZH": m.tolist(),
        "w_sm": w_sm.tolist(),
        "w_eft": w_eft.tolist(),
    }


def _diagnostics(records, rng):
    top = SLICES[-1]["label"]
    lines = [
        {
            "slice": r["slice"],
            "epsilon": r["epsilon"],
            "method": r["method"],
            "slope": r["slope"],
            "intercept_GeV": r["intercept_GeV"],
        }
        for r in records
        if r["split"] == 0
        and r["method"] in ("SVM", "SVM+scan", "DNN+SVM", "DNN+SVM+scan")
        and r["evaluable"]
    ]
    landscapes = [
        _landscape(m, sl["label"], 0.5, *SVM_LINES[i])
        for i, sl in enumerate(SLICES)
        if sl["label"] in ("[250,400]", top)
        for m in ("SVM+scan", "DNN+SVM+scan")
    ]
    landscapes.append(_landscape("SVM+scan", top, 1.0, *SVM_LINES[-1]))
    thresholds = np.linspace(0.05, 0.95, 19)
    curves = []
    for i, sl in enumerate(SLICES):
        for eps in EPSILONS:
            z = (Z_STXS[eps][i] * (1 + 0.1 * np.sin(np.pi * thresholds))).tolist()
            z[-2:] = [None, None]  # no line above these thresholds
            curves.append(
                {"slice": sl["label"], "epsilon": eps, "thresholds": thresholds.tolist(), "z": z}
            )
    roc, pca = [], []
    for i, sl in enumerate(SLICES):
        fpr = np.linspace(0.0, 1.0, 51)
        tpr = fpr ** (1.0 / (1.5 + i))
        roc.append(
            {
                "slice": sl["label"],
                "fpr": fpr.tolist(),
                "tpr": tpr.tolist(),
                "auc": float(np.trapezoid(tpr, fpr)),
            }
        )
        ratio = np.sort(rng.dirichlet(np.arange(len(FEATURES), 0, -1.0) ** (2 + i)))[::-1]
        q, _ = np.linalg.qr(rng.normal(size=(len(FEATURES), len(FEATURES))))
        pca.append(
            {
                "slice": sl["label"],
                "features": FEATURES,
                "explained_variance_ratio": ratio.tolist(),
                "loadings": q.T.tolist(),
            }
        )
    epochs = np.arange(15)
    return {
        "scan_landscapes": landscapes,
        "threshold_curves": curves,
        "roc": roc,
        "pca": pca,
        "events": _events(rng),
        "lines": lines,
        "dnn": {
            "history": {
                "train_loss": (0.70 - 0.02 * epochs + 0.001 * epochs**1.5).tolist(),
                "val_loss": (0.71 - 0.018 * epochs + 0.002 * epochs**1.5).tolist(),
            },
            "best_epoch": 11,
            "seconds_per_epoch": 1.3,
        },
    }


def make_fake_study(seed: int = 7) -> dict:
    """A study.json-like dict following docs/study_format.md (random but seeded)."""
    rng = np.random.default_rng(seed)
    records = [
        _record(split, i, eps, method, rng)
        for split in range(N_SPLITS)
        for i in range(len(SLICES))
        for eps in EPSILONS
        for method in METHODS
    ]
    return {
        "format": "mlstxs.study",
        "format_version": 1,
        "settings": {
            "n_splits": N_SPLITS,
            "fractions": [0.7, 0.1, 0.2],
            "seed": 1000,
            "epsilons": EPSILONS,
            "luminosity_fb": 300.0,
            "benchmark": {"cHW": 1.0},
            "slice_edges_GeV": [75, 150, 250, 400, None],
        },
        "sample": {
            "path": "out/sample_cHW",
            "level": "detector",
            "n_events": 2_000_000,
            "operators": ["cHW"],
            "lambda_TeV": 1.0,
            "generator": {
                "sqrt_s_GeV": 13000.0,
                "pdf": "NNPDF31_lo_as_0118",
                "seed": 1,
                "n_events": 2_000_000,
            },
            "xsec_sm_pb": 0.0047,
        },
        "methods": list(METHODS),
        "slices": copy.deepcopy(SLICES),
        "epsilons": list(EPSILONS),
        "records": records,
        "diagnostics": _diagnostics(records, rng),
    }


def typed(study: dict):
    """The study dict as a validated :class:`mlstxs.study.StudyResult`."""
    from mlstxs.study import StudyResult

    return StudyResult.from_dict(copy.deepcopy(study))


@pytest.fixture(scope="session")
def _fake_study() -> dict:
    return make_fake_study()


@pytest.fixture
def study(_fake_study) -> dict:
    """A fresh copy of the fake study (tests may modify it)."""
    return copy.deepcopy(_fake_study)


@pytest.fixture(scope="session")
def report(_fake_study, tmp_path_factory):
    """The full report of the fake study, written once per session."""
    from mlstxs.report import write_report

    out = tmp_path_factory.mktemp("report")
    return write_report(typed(_fake_study), out)
