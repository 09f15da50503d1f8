"""The receipt: a PDF invoice with the seller's and the buyer's details, amounts
excluding and including VAT, and its number."""

from flask import current_app

from marketplace import french
from marketplace.payments.models import Order
from marketplace.pdf import Document
from marketplace.timeutil import utc_to_paris
from marketplace.validation import euros_decimal


def euros(cents: int) -> str:
    whole, decimals = euros_decimal(cents).split(",")
    return f"{int(whole):,}".replace(",", "\u202f") + f",{decimals} €"


def invoice_pdf(order: Order) -> bytes:
    seller = current_app.config["SELLER_DETAILS"]
    pdf = Document()
    pdf.set_title(f"Facture {order.invoice_number}")
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 16)
    pdf.paragraph(9, f"Facture {order.invoice_number}")
    pdf.set_font(pdf.family_name, "", 10)
    pdf.paragraph(6, f"Date : {french.day(utc_to_paris(order.paid_at).date())}")
    pdf.ln(3)
    pdf.set_font(pdf.family_name, "B", 10)
    pdf.paragraph(6, "Vendeur")
    pdf.set_font(pdf.family_name, "", 10)
    pdf.paragraph(5, seller)
    pdf.ln(3)
    pdf.set_font(pdf.family_name, "B", 10)
    pdf.paragraph(6, "Client")
    pdf.set_font(pdf.family_name, "", 10)
    buyer = [order.billing_name, order.billing_address or "", f"SIRET {order.billing_siret}" if order.billing_siret
             else "", order.user.email]
    pdf.paragraph(5, "\n".join(line for line in buyer if line))
    pdf.ln(4)
    for line in order.lines:
        pdf.paragraph(6, f"{line.quantity} × {line.description}")
        pdf.paragraph(6, f"    {euros(line.total_excl_cents)} HT, TVA {line.vat_rate / 100:g} % : "
                         f"{euros(line.vat_cents)}, {euros(line.total_incl_cents)} TTC")
    pdf.ln(3)
    pdf.set_font(pdf.family_name, "B", 11)
    pdf.paragraph(6, f"Total HT : {euros(order.total_excl_cents)}")
    pdf.paragraph(6, f"TVA : {euros(order.vat_cents)}")
    pdf.paragraph(6, f"Total TTC : {euros(order.total_incl_cents)} — payé par carte")
    if order.refunded_cents:
        pdf.set_font(pdf.family_name, "", 10)
        pdf.paragraph(6, f"Remboursé : {euros(order.refunded_cents)}")
    return bytes(pdf.output())
