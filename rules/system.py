"""The tax-benefit system: OpenFisca-France with its local extensions, built once."""

from __future__ import annotations

import functools
from importlib import metadata

from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_france import CountryTaxBenefitSystem

EXTENSIONS = ("openfisca_france_local", "openfisca_paris")

RULES_PACKAGES = (
    "openfisca-core",
    "openfisca-france",
    "openfisca-france-local",
    "openfisca-paris",
)


@functools.cache
def tax_benefit_system() -> TaxBenefitSystem:
    """Build France plus its extensions (a few seconds); later calls share it."""
    system = CountryTaxBenefitSystem()
    for extension in EXTENSIONS:
        system.load_extension(extension)
    return system


@functools.cache
def rules_versions() -> dict[str, str]:
    """Versions of the rules packages, so that a result can be reproduced later."""
    return {name: metadata.version(name) for name in RULES_PACKAGES}
