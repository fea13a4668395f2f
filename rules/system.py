"""The tax-benefit system: OpenFisca-France with its local extensions, built once."""

from __future__ import annotations

import functools
from importlib import metadata

from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_france import CountryTaxBenefitSystem

from rules.local import local_reform
from rules.territories import epci_reform

EXTENSIONS = ("openfisca_france_local", "openfisca_paris")

RULES_PACKAGES = (
    "openfisca-core",
    "openfisca-france",
    "openfisca-france-local",
    "openfisca-paris",
    "aides-simulateur",  # this project: its catalog and its own reforms
)


@functools.cache
def tax_benefit_system() -> TaxBenefitSystem:
    """Build France, its extensions and the EPCI reform (a few seconds), once."""
    system = CountryTaxBenefitSystem()
    for extension in EXTENSIONS:
        system.load_extension(extension)
    return local_reform(epci_reform(system))


@functools.cache
def rules_versions() -> dict[str, str]:
    """Versions of the rules packages, so that a result can be reproduced later."""
    return {name: metadata.version(name) for name in RULES_PACKAGES}


@functools.cache
def checked_catalog() -> tuple:
    """The benefit catalog, after checking every variable it names exists here."""
    from rules.catalog import catalog_problems, load_catalog

    catalog = load_catalog()
    problems = catalog_problems(tax_benefit_system(), catalog)
    if problems:
        raise RuntimeError(
            "The benefit catalog does not match the rules:\n" + "\n".join(problems)
        )
    return catalog
