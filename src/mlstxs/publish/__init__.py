"""Publishing the designed regions: SMEFT parametrisations and a HEPData submission.

>>> params = parametrise_cards(sample, cards)                      # doctest: +SKIP
>>> write_parametrisations(params, Path("out/parametrisation.json"))  # doctest: +SKIP
>>> result = publish(Path("out/study"), Path("out/sample"), Path("out/publish"))  # doctest: +SKIP

The HEPData part needs ``hepdata_lib`` (it brings ``hepdata-validator``); it is imported only
when a submission is built.

``publish`` writes into ``out_dir``: ``parametrisation.json``, ``popxf/`` (POPxf files of the
region sets and STXS bins, validated with popxf-validator; docs/popxf.md), ``hepdata/`` (the
validated submission), ``hepdata.tar.gz`` (its upload archive) and, where the limits stage
left one next to the results, ``pyhf_workspace_STXS.json``. Everything goes into a temporary sibling
directory that is renamed to ``out_dir`` at the end, so an error leaves nothing behind.
"""

from __future__ import annotations

from ._hepdata import (
    HEPDataValidationError,
    build_submission,
    card_order,
    hepdata_submission,
    validate_hepdata,
)
from ._parametrisation import (
    EQUATION,
    ParametrisationFormatError,
    RegionParametrisation,
    parametrisations_to_dict,
    parametrise_cards,
    read_parametrisations,
    region_name,
    region_parametrisation,
    with_parametrisations,
    write_parametrisations,
)
from ._popxf import POPxfExport, region_set_documents, stxs_document, write_popxf
from ._popxf_check import POPxfExportError, POPxfFile, validate_popxf
from ._popxf_document import POPxfDocument, POPxfObservable, coefficient_covariance, popxf_document
from ._publish import WORKSPACE_NAME, PublishResult, publish
from ._wcxf import WCXF_PARAMETERS, WCxfParameter

__all__ = [
    "EQUATION",
    "WCXF_PARAMETERS",
    "WORKSPACE_NAME",
    "HEPDataValidationError",
    "POPxfDocument",
    "POPxfExport",
    "POPxfExportError",
    "POPxfFile",
    "POPxfObservable",
    "ParametrisationFormatError",
    "PublishResult",
    "RegionParametrisation",
    "WCxfParameter",
    "build_submission",
    "card_order",
    "coefficient_covariance",
    "hepdata_submission",
    "parametrisations_to_dict",
    "parametrise_cards",
    "popxf_document",
    "publish",
    "read_parametrisations",
    "region_name",
    "region_parametrisation",
    "region_set_documents",
    "stxs_document",
    "validate_hepdata",
    "validate_popxf",
    "with_parametrisations",
    "write_parametrisations",
    "write_popxf",
]
