"""The yearly report as a PDF a CSR team can attach: the headline figures, each
breakdown as a table with its bars, and the OETH estimate."""

from marketplace import french
from marketplace.impact.oeth import ARTICLES, OethEstimate
from marketplace.impact.report import BREAKDOWN_TITLES, YearReport
from marketplace.pdf import Document
from marketplace.timeutil import utcnow


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def report_pdf(report: YearReport, estimate: OethEstimate) -> bytes:
    pdf = Document()
    pdf.set_title(f"Rapport d'achats inclusifs {report.year} — {report.organisation.name}")
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 16)
    pdf.paragraph(8, f"Rapport d'achats inclusifs {report.year}")
    pdf.set_font(pdf.family_name, "", 11)
    pdf.paragraph(6, report.organisation.name)
    pdf.ln(3)
    headline = [
        ("Achats de l'année (HT)", french.money(report.total_cents)),
        ("Achats auprès de structures inclusives (HT)", french.money(report.inclusive_cents)),
        ("Part inclusive", _share(report.share)),
        ("Structures inclusives sollicitées", french.thousands(report.suppliers_used)),
        ("Heures d'insertion déclarées dans les offres retenues", french.thousands(report.insertion_hours)),
    ]
    if report.previous is not None:
        change = report.change_points
        headline.append((f"Évolution depuis {report.year - 1}", "—" if change is None else
                         f"{change:+.1f} points".replace(".", ",")))
    for label, value in headline:
        pdf.set_font(pdf.family_name, "", 10)
        pdf.cell(120, 6, label)
        pdf.set_font(pdf.family_name, "B", 10)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    for key, title in BREAKDOWN_TITLES.items():
        rows = report.by[key]
        if not rows:
            continue
        pdf.ln(4)
        pdf.set_font(pdf.family_name, "B", 12)
        pdf.paragraph(7, title)
        top = max((row.total_cents for row in rows), default=1) or 1
        for row in rows[:15]:
            pdf.set_font(pdf.family_name, "", 9)
            pdf.cell(75, 5, row.label[:48])
            pdf.cell(32, 5, french.money(row.total_cents, with_cents=False), align="R")
            pdf.cell(18, 5, _share(row.share), align="R")
            x, y = pdf.get_x() + 3, pdf.get_y() + 1
            pdf.set_fill_color(220, 220, 220)
            pdf.rect(x, y, 55 * max(row.total_cents, 0) / top, 3, style="F")
            pdf.set_fill_color(13, 110, 253)
            pdf.rect(x, y, 55 * max(row.inclusive_cents, 0) / top, 3, style="F")
            pdf.ln(5)
    pdf.ln(4)
    pdf.set_font(pdf.family_name, "B", 12)
    pdf.paragraph(7, "Obligation d'emploi des travailleurs handicapés (OETH)")
    pdf.set_font(pdf.family_name, "", 9)
    pdf.paragraph(5, f"Montant attesté par les EA et ESAT : {french.money(estimate.attested_cents)} ; "
                     f"au plus, d'après les achats de l'année : {french.money(estimate.at_most_cents)}.")
    if estimate.deductible_cents is not None:
        limit, rate = estimate.cap
        pdf.paragraph(5, f"Déductible de la contribution (plafond de {rate} % : {french.money(limit)}) : "
                         f"{french.money(estimate.deductible_cents)}.")
    pdf.paragraph(5, f"{ARTICLES}.")
    pdf.ln(2)
    pdf.paragraph(5, f"Établi le {french.day(utcnow().date())} d'après le grand livre des achats importé et les "
                     "attributions faites sur la plateforme.")
    return bytes(pdf.output())
