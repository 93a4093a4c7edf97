"""Linear SVM boundaries in the (p_T^Z, m_ZH) plane (paper §IV.A, Table I)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from ._line import LinearBoundary


class SVMBoundary(ClassifierMixin, BaseEstimator):
    """Weighted linear SVM on standardised (p_T^Z, m_ZH), read as a line in physical units.

    scikit-learn's ``LinearSVC`` (L2 penalty, squared hinge loss) is trained on features
    standardised with the weighted mean and standard deviation; event weights enter as
    ``sample_weight``, normalised by one common factor so that their mean is 1 (the relative
    class weights stay physical). The decision boundary is converted to m_ZH = a·p_T + b.

    Parameters
    ----------
    C : float
        Inverse regularisation strength.
    tol : float
        Stopping tolerance of liblinear (the paper uses 10⁻⁴).
    max_iter : int
        Maximum number of liblinear iterations.
    random_state : int or None
        Seed of liblinear's coordinate shuffling.

    Attributes
    ----------
    scaler_ : StandardScaler
    svc_ : LinearSVC
    boundary_ : LinearBoundary
        The fitted region, class 1 side, in physical units.
    n_features_in_ : int
        2.
    """

    def __init__(
        self,
        C: float = 1.0,
        tol: float = 1e-4,
        max_iter: int = 100_000,
        random_state: int | None = None,
    ) -> None:
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None):
        """Fit on X = (p_T^Z, m_ZH) in GeV, shape (N, 2), labels y ∈ {0, 1}."""
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (N, 2) = (pt_Z, m_ZH), got {X.shape}")
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if len(w) != len(X) or len(y) != len(X):
            raise ValueError("X, y and sample_weight must have the same length")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(w))) or np.any(w < 0):
            raise ValueError("X and sample_weight must be finite, weights non-negative")
        if len(np.unique(y[w > 0])) != 2:
            raise ValueError("both classes need events with positive weight")
        w = w / w.mean()
        self.scaler_ = StandardScaler().fit(X, sample_weight=w)
        self.svc_ = LinearSVC(
            C=self.C,
            tol=self.tol,
            max_iter=self.max_iter,
            dual="auto",
            random_state=self.random_state,
        ).fit(self.scaler_.transform(X), y, sample_weight=w)
        self.classes_ = self.svc_.classes_
        self.n_features_in_ = X.shape[1]
        self.boundary_ = LinearBoundary.from_standardized(
            self.svc_.coef_[0],
            float(self.svc_.intercept_[0]),
            self.scaler_.mean_,
            self.scaler_.scale_,
        )
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Signed distance in standardised units; positive on the class-1 side."""
        check_is_fitted(self, "svc_")
        return self.svc_.decision_function(self.scaler_.transform(np.asarray(X, dtype=float)))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class (``classes_[0]`` or ``classes_[1]``) per row of X (N, 2)."""
        z = self.decision_function(X)
        return self.classes_[(z > 0).astype(int)]

    def __sklearn_tags__(self):
        """Binary classifier (one boundary line)."""
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


def sm_vs_eft_dataset(
    pt: np.ndarray, mzh: np.ndarray, w_sm: np.ndarray, w_eft: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The paper's training set from one weighted sample: every event once as SM (label 0,
    weight w_SM) and once as the SMEFT benchmark (label 1, weight w(c))."""
    X = np.column_stack([pt, mzh])
    n = len(pt)
    return (
        np.vstack([X, X]),
        np.concatenate([np.zeros(n, dtype=int), np.ones(n, dtype=int)]),
        np.concatenate([w_sm, w_eft]),
    )
