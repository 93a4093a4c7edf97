"""Counting statistics: the Asimov significance of a single region."""

from ._asimov import NotEvaluable, RegionSignificance, asimov_z, region_significance

__all__ = ["NotEvaluable", "RegionSignificance", "asimov_z", "region_significance"]
