"""What every kind of demo data shares."""

from collections.abc import Iterator

from stdnum import luhn

BATCH = 2000
DEMO_PASSWORD = "demo-inclusif-2026"
DEMO_DOMAIN = "demo.marche-inclusif.fr"


def demo_siret(index: int, series: int = 4) -> str:
    """A valid, deterministic SIRET for demo record `index` (series keeps kinds apart:
    4 buyer organisations, 5 suppliers, 6 and 7 test factories)."""
    siren_body = f"{series}{index:07d}"
    siren = siren_body + luhn.calc_check_digit(siren_body)
    nic_body = siren + "0001"
    return nic_body + luhn.calc_check_digit(nic_body)


def batches(total: int, size: int = BATCH) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))
