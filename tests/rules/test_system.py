"""The tax-benefit system: France, both local extensions and our reforms, built once."""

from importlib import metadata

import numpy
import pandas

from rules.system import rules_versions, tax_benefit_system


def test_the_full_system_builds_with_both_extensions_and_pandas_imports():
    # openfisca-france-local imports pandas; pandas 1.5 fails to import beside numpy 2
    # ("numpy.dtype size changed"), hence the pins this test holds to.
    assert int(numpy.__version__.split(".")[0]) < 2
    assert pandas.DataFrame({"a": [1]}).shape == (1, 1)
    system = tax_benefit_system()
    for variable in (
        "rsa",  # openfisca-france
        "rennes_metropole_transport",  # openfisca-france-local
        "paris_logement_familles",  # openfisca-paris
        "menage_dans_epci_siren_243500139",  # our EPCI reform
        "date_arrivee_commune",  # our local reform
    ):
        assert variable in system.variables, variable


def test_the_system_is_built_once_per_process():
    assert tax_benefit_system() is tax_benefit_system()


def test_rules_versions_name_the_pinned_packages():
    versions = rules_versions()
    assert versions["openfisca-core"] == metadata.version("openfisca-core")
    assert versions["openfisca-france"].startswith("176.")
    assert set(versions) >= {
        "openfisca-core",
        "openfisca-france",
        "openfisca-france-local",
        "openfisca-paris",
        "aides-simulateur",
    }
