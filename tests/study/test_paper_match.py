"""The paper-matched normalisation recovers a known luminosity and coefficient factor."""

from __future__ import annotations

import pytest

from mlstxs.stats import asimov_z
from mlstxs.study import (
    PAPER_EPSILONS,
    PAPER_SLICES,
    StudyConfig,
    StudyResult,
    _paper_match,
    paper_match,
)

YIELDS = {  # slice → (s_lin, s_quad, b) [events at 300 fb⁻¹]
    "[75,150]": (40.0, 4.0, 900.0),
    "[150,250]": (30.0, 6.0, 400.0),
    "[250,400]": (15.0, 8.0, 90.0),
    "[400,inf]": (6.0, 9.0, 12.0),
}


def _study(methods=("STXS", "SVM+scan")) -> StudyResult:
    records = []
    for method in methods:
        shrink = 1.0 if method == "STXS" else 0.5
        for label, (s_lin, s_quad, b) in YIELDS.items():
            for eps in (0.0, *PAPER_EPSILONS):
                s = shrink * (s_lin + s_quad)
                records.append(
                    {
                        "split": 0,
                        "slice": label,
                        "epsilon": eps,
                        "method": method,
                        "evaluable": True,
                        "z_test": float(asimov_z(s, shrink**2 * b, eps)),
                        "s_test": s,
                        "b_test": shrink**2 * b,
                        "quadratic_share": s_quad / s_lin,
                    }
                )
    return StudyResult.from_dict(
        {
            "settings": StudyConfig(epsilons=(0.0, *PAPER_EPSILONS)).model_dump(mode="json"),
            "sample": {
                "path": "s",
                "level": "detector",
                "n_events": 1,
                "operators": ["cHW"],
                "xsec_sm_pb": 0.005,
            },
            "methods": list(methods),
            "slices": [
                {"label": lab, "low_GeV": lo, "high_GeV": hi}
                for lab, lo, hi in zip(
                    PAPER_SLICES, (75, 150, 250, 400), (150, 250, 400, None), strict=True
                )
            ],
            "epsilons": [0.0, *PAPER_EPSILONS],
            "records": records,
        }
    )


def _z(label, eps, lam, kappa, shrink=1.0):
    s_lin, s_quad, b = YIELDS[label]
    s = lam * shrink * (kappa * s_lin + kappa**2 * s_quad)
    return float(asimov_z(s, lam * shrink**2 * b, eps))


@pytest.mark.parametrize(("lam", "kappa"), [(2.0, 0.7), (0.25, 1.6)])
def test_a_known_normalisation_is_recovered(monkeypatch, lam, kappa):
    from mlstxs.study._paper import Measured

    fake = {
        ("STXS", lab, eps): Measured(_z(lab, eps, lam, kappa), 0.001)
        for lab in PAPER_SLICES
        for eps in PAPER_EPSILONS
    }
    monkeypatch.setattr(_paper_match, "SIGNIFICANCE", fake)
    match = paper_match(_study(), methods=("SVM+scan",))
    assert match.luminosity_fb == pytest.approx(300.0 * lam, rel=1e-6)
    assert match.coefficient_factor == pytest.approx(kappa, rel=1e-6)
    assert match.max_abs_residual < 1e-8
    for (method, lab, eps), z in match.predicted.items():  # rescaled like the STXS yields
        assert method == "SVM+scan"
        assert z == pytest.approx(_z(lab, eps, lam, kappa, shrink=0.5), rel=1e-6)


def test_the_real_paper_values_are_fitted_and_without_stxs_nothing_is():
    match = paper_match(_study())
    assert match is not None and len(match.residuals) == 12
    assert match.luminosity_fb > 0 and match.coefficient_factor > 0
    assert paper_match(_study(methods=("SVM+scan",))) is None
