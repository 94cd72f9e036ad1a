"""freechoice.catalog.hsds: Open Referral HSDS 3.1 import and export of the catalog."""

from . import infer, schema, vocabulary  # noqa: F401  (submodules reachable as attributes)
from .export import export_catalog, export_organization, export_service
from .importer import HsdsImport, parse_hsds, read_hsds
from .profiles import PROFILE_URI, profile, profile_errors
from .schema import fits_format, hsds_errors, registry_from, validator
from .vocabulary import FACT_FIELDS, TAXONOMY_URI, hsds_id, record_uuid, taxonomy_objects

__all__ = [
    "FACT_FIELDS",
    "HsdsImport",
    "PROFILE_URI",
    "TAXONOMY_URI",
    "export_catalog",
    "export_organization",
    "export_service",
    "fits_format",
    "hsds_errors",
    "hsds_id",
    "parse_hsds",
    "profile",
    "profile_errors",
    "read_hsds",
    "record_uuid",
    "registry_from",
    "taxonomy_objects",
    "validator",
]
