"""The results as a PDF to download, keep or print (fpdf2, pure Python).

The core PDF fonts have no "€" and no French spacing characters, so the text is set
in Source Sans Pro (SIL Open Font License), a TrueType font shipped by the
font-source-sans-pro package; fpdf2 embeds only the glyphs used.
"""

from __future__ import annotations

from pathlib import Path

import font_source_sans_pro
from flask_babel import gettext as _
from fpdf import FPDF

from webapp.i18n import format_day
from webapp.results.presenter import BenefitView, ResultsView

FONT = "SourceSans"
FONT_FILES = {
    "": Path(font_source_sans_pro.font_files_ttf["SourceSansPro"]),
    "B": Path(font_source_sans_pro.font_files_ttf["SourceSansProBold"]),
}
LINE = 5.5  # mm
PRIMARY = (31, 58, 147)
MENTION = (85, 85, 85)


class ResultsDocument(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=8)
        self.set_text_color(*MENTION)
        self.cell(0, 5, f"{self.footer_text} – {self.page_no()}/{{nb}}", align="C")


def results_pdf(view: ResultsView, language: str) -> bytes:
    """The PDF of a results page, in `language`."""
    pdf = ResultsDocument(format="A4")
    for style, path in FONT_FILES.items():
        pdf.add_font(FONT, style, str(path))
    service = _("Simulateur d'aides")
    pdf.footer_text = service
    pdf.set_title(_("Vos résultats – %(service)s", service=service))
    pdf.set_lang(language)
    pdf.set_creator(service)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    heading(pdf, _("Vos résultats"), size=20)
    paragraph(
        pdf,
        _(
            "Estimation pour %(month)s, commune de %(commune)s, faite le %(date)s.",
            month=view.month,
            commune=view.commune,
            date=format_day(view.made_on, language),
        ),
    )
    if view.monthly_total:
        paragraph(
            pdf,
            _(
                "Total des aides versées chaque mois : %(total)s",
                total=view.monthly_total,
            ),
            bold=True,
        )

    heading(pdf, _("Les aides auxquelles vous avez droit"), size=15)
    if not view.eligible:
        paragraph(pdf, _("Le simulateur n'a trouvé aucune aide pour votre situation."))
    for benefit in view.eligible:
        eligible_benefit(pdf, benefit)

    if view.not_computable:
        heading(pdf, _("Les aides que le simulateur ne peut pas calculer"), size=15)
        for benefit in view.not_computable:
            heading(pdf, benefit.label, size=11)
            for reason in benefit.reasons:
                paragraph(pdf, reason.text)

    if view.not_eligible:
        heading(pdf, _("Les aides auxquelles vous n'avez pas droit"), size=15)
        for benefit in view.not_eligible:
            heading(pdf, benefit.label, size=11)
            if benefit.main_reason:
                paragraph(pdf, benefit.main_reason)

    pdf.ln(4)
    paragraph(
        pdf,
        _(
            "Les résultats sont des estimations : seul l'organisme qui verse une aide "
            "décide de vos droits."
        ),
        colour=MENTION,
    )
    paragraph(pdf, _("Règles appliquées : %(rules)s", rules=view.rules), colour=MENTION)
    return bytes(pdf.output())


def eligible_benefit(pdf: FPDF, benefit: BenefitView) -> None:
    heading(pdf, benefit.label, size=12)
    if benefit.amount:
        paragraph(pdf, benefit.amount, bold=True, colour=PRIMARY)
    paragraph(pdf, _("Versée par : %(institution)s", institution=benefit.institution))
    paragraph(pdf, _("Comment la demander : %(where)s", where=benefit.where))
    link = benefit.online_service or benefit.url
    pdf.set_text_color(*PRIMARY)
    pdf.multi_cell(0, LINE, link, link=link, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if benefit.form:
        paragraph(pdf, _("Formulaire : %(form)s", form=benefit.form))
    paragraph(pdf, _("Documents à préparer :"), bold=True)
    for document in benefit.documents:
        paragraph(pdf, f"•  {document}", indent=4)
    paragraph(pdf, _("Pourquoi ?"), bold=True)
    for reason in benefit.reasons:
        mark = _("Oui") if reason.met else _("Non")
        paragraph(pdf, f"{mark} – {reason.text}", indent=4)


def heading(pdf: FPDF, text: str, size: int) -> None:
    pdf.ln(3 if size < 13 else 5)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def paragraph(
    pdf: FPDF,
    text: str,
    bold: bool = False,
    colour: tuple[int, int, int] = (0, 0, 0),
    indent: float = 0,
) -> None:
    pdf.set_font(FONT, "B" if bold else "", 10.5)
    pdf.set_text_color(*colour)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
