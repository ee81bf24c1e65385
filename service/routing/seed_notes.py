"""The notes of the shipped routing rules (service/routing/data/rules.csv), for translation.

A rule's note is text the secretariat writes, shown as written. The rules Intake ships come with
English notes; listed here, they are extracted into the catalogs, and a reason citing one of
them reads in the page's language. A note the secretariat has edited is no longer a catalog
message and shows as typed. tests/service/test_routing_reasons.py checks that every note of
rules.csv is listed here and translated.
"""

from __future__ import annotations


def _(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


SEED_NOTES = (
    _("a local obstacle goes to the People's Committee of its province"),
    _("a local procedure or local land goes to the People's Committee of its province"),
    _("a missing or faulty national rule is not the People's Committee's to fix"),
    _("flights of drones are the Ministry of National Defence's wherever they happen"),
    _("cyberattacks and online fraud are the Ministry of Public Security's wherever they happen"),
    _("programme-wide matters go to the Standing Office"),
    _("a request that the province or city itself act is for its People's Committee"),
)
