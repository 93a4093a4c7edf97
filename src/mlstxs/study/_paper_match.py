"""A paper-matched normalisation: the luminosity and effective coefficient at which this
study's STXS significances reproduce the paper's, and how the lines then fare.

The paper does not state the luminosity its significances are quoted at, and its signal
normalisation (generator, selection, K-factors) differs from ours. Both enter the Asimov
significance only through the yields, so one luminosity factor λ = L'/L and one effective
coefficient factor κ = c'/c absorb them. For a region with signal s = s_lin + s_quad at the
study's benchmark (s_quad/s_lin the recorded ``quadratic_share`` q) and background b at the
study's luminosity L::

    s'(λ, κ) = λ (κ s_lin + κ² s_quad),     b'(λ) = λ b,
    Z'(ε) = Z_A(s', b', ε)                  (eq. (8) of arXiv:1007.1727, mlstxs.stats.asimov_z)

(λ, κ) are fitted by least squares to the paper's twelve STXS values (Tables V–VII: four
slices × ε ∈ {0.3, 0.5, 1.0}) in relative residuals; the STXS yields are the means over the
splits of the test-set records. With those (λ, κ) every other region of the study, the
paper's own lines evaluated on these events (``paper-lines``) included, is rescaled the same
way and set against the paper's tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from ..stats import asimov_z
from ._paper import PAPER_EPSILONS, PAPER_SLICES, SIGNIFICANCE
from ._result import StudyResult


@dataclass(frozen=True)
class RegionYields:
    """Mean test-set yields of one region over the splits [events at the study luminosity]."""

    s_lin: float
    s_quad: float
    b: float

    def z(self, eps: float, lam: float = 1.0, kappa: float = 1.0) -> float:
        """Z_A of the rescaled yields (module docstring)."""
        s = lam * (kappa * self.s_lin + kappa * kappa * self.s_quad)
        return float(asimov_z(s, lam * self.b, eps))


@dataclass(frozen=True)
class PaperMatch:
    """The fitted normalisation and what it predicts.

    Attributes
    ----------
    luminosity_fb : float
        λ·L: the luminosity [fb⁻¹] at which our STXS yields match the paper's significances.
    coefficient_factor : float
        κ: the factor on the benchmark coefficient (an effective c_HW = κ·c).
    residuals : dict
        (slice, ε) → (Z'_STXS − Z_paper)/Z_paper after the fit.
    predicted : dict
        (method, slice, ε) → Z' of the study's regions at the fitted normalisation.
    """

    luminosity_fb: float
    coefficient_factor: float
    residuals: dict[tuple[str, float], float]
    predicted: dict[tuple[str, str, float], float] = field(default_factory=dict)

    @property
    def max_abs_residual(self) -> float:
        """The largest |relative residual| of the fit."""
        return max(abs(r) for r in self.residuals.values())


def region_yields(study: StudyResult, method: str, label: str, eps: float) -> RegionYields | None:
    """Mean s_lin, s_quad, b of a (method, slice, ε) over the evaluable splits, or None."""
    ix = study.index
    s = ix.summary(method, label, eps, "s_test").mean
    b = ix.summary(method, label, eps, "b_test").mean
    q = ix.summary(method, label, eps, "quadratic_share").mean
    if s is None or b is None or b <= 0:
        return None
    q = 0.0 if q is None or not math.isfinite(q) or q <= -1 else q
    return RegionYields(s_lin=s / (1.0 + q), s_quad=s * q / (1.0 + q), b=b)


def paper_match(study: StudyResult, methods: tuple[str, ...] = ()) -> PaperMatch | None:
    """Fit (λ, κ) to the paper's STXS significances and predict ``methods`` with them.

    Returns None when the study lacks the paper's slices, its ε values or STXS yields.
    """
    ix = study.index
    cells = [
        (label, eps, eps_study)
        for label in PAPER_SLICES
        for eps in PAPER_EPSILONS
        if label in ix.slice_labels and (eps_study := ix.find_epsilon(eps)) is not None
    ]
    found = {(lab, eps): region_yields(study, "STXS", lab, e) for lab, eps, e in cells}
    yields = {key: y for key, y in found.items() if y is not None}
    cells = [c for c in cells if (c[0], c[1]) in yields]
    if len(cells) < 3:
        return None
    target = np.array([SIGNIFICANCE["STXS", lab, eps].value for lab, eps, _ in cells])

    def residuals(p: np.ndarray) -> np.ndarray:
        lam, kappa = math.exp(p[0]), p[1]
        z = np.array([yields[lab, eps].z(eps, lam, kappa) for lab, eps, _ in cells])
        return (z - target) / target

    fit = least_squares(residuals, x0=np.array([0.0, 1.0]), method="lm")
    lam, kappa = math.exp(fit.x[0]), float(fit.x[1])
    res = dict(zip(((lab, eps) for lab, eps, _ in cells), residuals(fit.x), strict=True))
    predicted = {}
    for method in methods:
        for lab, eps, e in cells:
            y = region_yields(study, method, lab, e)
            if y is not None:
                predicted[method, lab, eps] = y.z(eps, lam, kappa)
    return PaperMatch(
        luminosity_fb=lam * study.luminosity_fb,
        coefficient_factor=kappa,
        residuals={k: float(v) for k, v in res.items()},
        predicted=predicted,
    )
