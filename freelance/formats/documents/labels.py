"""The words on a document, per language (English for a language not listed here).

Numbers, dates and currencies are formatted by Babel for the document's language;
these are the few words around them.
"""
from __future__ import annotations

EN = {
    "draft": "Draft",  # a draft's number: it has none until it is issued (docs/ids.md)
    "invoice": "Invoice", "credit_note": "Credit note", "number": "Invoice number",
    "credit_number": "Credit note number", "credit_for": "Corrects invoice",
    "issued": "Invoice date", "due": "Due date", "supply": "Date of supply", "period": "Period of supply",
    "from": "From", "to": "Bill to", "vat_id": "VAT ID", "tax_number": "Tax number",
    "description": "Description", "quantity": "Qty", "unit_price": "Unit price", "rate": "VAT",
    "net": "Net", "subtotal": "Net total", "tax_on": "VAT {rate} on {net}", "total": "Total due",
    "tax_home": "VAT in {currency} (1 {foreign} = {rate} {currency}, {day})",
    "credit_total": "Total credited",
    "reverse_charge": "Reverse charge: VAT to be accounted for by the recipient "
                      "(Article 196 of Council Directive 2006/112/EC).",
    "exempt": "No VAT charged: the supply is exempt from VAT.",
    "export": "No VAT charged: supply of services to a customer outside the EU (outside the scope of VAT).",
    "terms": "Please pay {total} by {due} ({days} days) to the account below, quoting {number}.",
    "terms_nodue": "Please pay {total} to the account below, quoting {number}.",
    "bank": "Bank details", "iban": "IBAN", "bic": "BIC", "page": "Page", "of": "of",
    "scan_to_pay": "Scan with your banking app to pay", "account": "Account",
    "email": "Email", "phone": "Phone", "website": "Web", "services": "Services",
    "mail_subject": "Invoice {number} from {seller}", "mail_greeting": "Hello {name},",
    "mail_body": "Please find attached invoice {number} for {total}, due on {due}. The PDF carries the "
                 "invoice data as Factur-X (EN 16931) for your accounting software.",
    "mail_credit_subject": "Credit note {number} from {seller}",
    "mail_credit_body": "Please find attached credit note {number} for {total}, which corrects invoice {credit_for}. "
                        "The PDF carries its data as Factur-X (EN 16931) for your accounting software.",
    "mail_closing": "Kind regards,",
    "reminder": "Payment reminder", "final_reminder": "Final payment reminder", "reminder_level": "Reminder",
    "reminder_date": "Date", "reminder_intro": "Our records show that invoice {number} of {issued}, due on {due}, "
                     "is still open. If you have paid it in the meantime, please disregard this reminder.",
    "reminder_open": "Open on invoice {number}", "reminder_total": "Invoice total", "reminder_paid": "Paid",
    "reminder_fee": "Reminder fee", "reminder_interest": "Interest ({rate} a year, {days} days)",
    "reminder_pay": "Amount to pay", "reminder_terms": "Please pay {total} by {by} to the account below, quoting {number}.",
    "reminder_subject": "Payment reminder: invoice {number} from {seller}",
    "reminder_body": "invoice {number} of {issued} over {total}, due on {due}, is still open ({open}). "
                     "Please find the reminder attached and pay {pay} by {by}. If you have paid it in the "
                     "meantime, please disregard this mail.",
    "statement": "Statement of account", "statement_to": "To", "statement_period": "Period",
    "statement_date": "Date", "statement_item": "Item", "statement_invoice": "Invoice",
    "statement_description": "Description", "statement_amount": "Amount", "statement_balance": "Balance",
    "statement_in": "In {currency}", "statement_due": "Balance due: {total}. Please pay it to the account below.",
    "statement_credit": "Credit in your favour: {total}.", "statement_settled": "Nothing is owed.",
    "statement_opening": "opening balance", "statement_closing": "closing balance",
    "statement_what": {"invoice": "invoice", "credit note": "credit note", "payment": "payment",
                       "bank fee": "bank fee", "written off": "written off"},
}

DE = {
    "draft": "Entwurf",  # a draft's number: it has none until it is issued (docs/ids.md)
    "invoice": "Rechnung", "credit_note": "Gutschrift", "number": "Rechnungsnummer",
    "credit_number": "Gutschriftsnummer", "credit_for": "Korrigiert Rechnung",
    "issued": "Rechnungsdatum", "due": "Fällig am", "supply": "Leistungsdatum", "period": "Leistungszeitraum",
    "from": "Von", "to": "An", "vat_id": "USt-IdNr.", "tax_number": "Steuernummer",
    "description": "Beschreibung", "quantity": "Menge", "unit_price": "Einzelpreis", "rate": "USt.",
    "net": "Netto", "subtotal": "Summe netto", "tax_on": "USt. {rate} auf {net}", "total": "Gesamtbetrag",
    "tax_home": "USt. in {currency} (1 {foreign} = {rate} {currency}, {day})",
    "credit_total": "Gutgeschrieben",
    "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, "
                      "Art. 196 MwStSystRL).",
    "exempt": "Keine Umsatzsteuer: die Leistung ist steuerfrei.",
    "export": "Keine Umsatzsteuer: Leistung an einen Empfänger außerhalb der EU (nicht steuerbar).",
    "terms": "Bitte zahlen Sie {total} bis zum {due} ({days} Tage) auf das unten genannte Konto, "
             "Verwendungszweck {number}.",
    "terms_nodue": "Bitte zahlen Sie {total} auf das unten genannte Konto, Verwendungszweck {number}.",
    "bank": "Bankverbindung", "iban": "IBAN", "bic": "BIC", "page": "Seite", "of": "von",
    "scan_to_pay": "Mit der Banking-App scannen und bezahlen", "account": "Konto",
    "email": "E-Mail", "phone": "Telefon", "website": "Web", "services": "Leistungen",
    "mail_subject": "Rechnung {number} von {seller}", "mail_greeting": "Guten Tag {name},",
    "mail_body": "anbei erhalten Sie die Rechnung {number} über {total}, fällig am {due}. Das PDF enthält "
                 "die Rechnungsdaten als ZUGFeRD / Factur-X (EN 16931) für Ihre Buchhaltung.",
    "mail_credit_subject": "Gutschrift {number} von {seller}",
    "mail_credit_body": "anbei erhalten Sie die Gutschrift {number} über {total}, die die Rechnung {credit_for} "
                        "korrigiert. Das PDF enthält ihre Daten als ZUGFeRD / Factur-X (EN 16931) für Ihre Buchhaltung.",
    "mail_closing": "Mit freundlichen Grüßen",
    "reminder": "Zahlungserinnerung", "final_reminder": "Mahnung", "reminder_level": "Mahnstufe",
    "reminder_date": "Datum", "reminder_intro": "nach unseren Unterlagen ist die Rechnung {number} vom {issued}, "
                     "fällig am {due}, noch offen. Sollten Sie inzwischen gezahlt haben, betrachten Sie dieses "
                     "Schreiben bitte als gegenstandslos.",
    "reminder_open": "Offen aus Rechnung {number}", "reminder_total": "Rechnungsbetrag", "reminder_paid": "Bezahlt",
    "reminder_fee": "Mahngebühr", "reminder_interest": "Verzugszinsen ({rate} p. a., {days} Tage)",
    "reminder_pay": "Zu zahlen", "reminder_terms": "Bitte überweisen Sie {total} bis zum {by} auf das unten "
                                                    "genannte Konto, Verwendungszweck {number}.",
    "reminder_subject": "Zahlungserinnerung: Rechnung {number} von {seller}",
    "reminder_body": "die Rechnung {number} vom {issued} über {total}, fällig am {due}, ist noch offen ({open}). "
                     "Anbei erhalten Sie die Zahlungserinnerung; bitte zahlen Sie {pay} bis zum {by}. Sollten Sie "
                     "inzwischen gezahlt haben, betrachten Sie diese Nachricht bitte als gegenstandslos.",
    "statement": "Kontoauszug", "statement_to": "An", "statement_period": "Zeitraum",
    "statement_date": "Datum", "statement_item": "Vorgang", "statement_invoice": "Rechnung",
    "statement_description": "Beschreibung", "statement_amount": "Betrag", "statement_balance": "Saldo",
    "statement_in": "In {currency}", "statement_due": "Offener Betrag: {total}. Bitte überweisen Sie ihn auf das "
                                                     "unten genannte Konto.",
    "statement_credit": "Guthaben zu Ihren Gunsten: {total}.", "statement_settled": "Es ist nichts offen.",
    "statement_opening": "Anfangssaldo", "statement_closing": "Endsaldo",
    "statement_what": {"invoice": "Rechnung", "credit note": "Gutschrift", "payment": "Zahlung",
                       "bank fee": "Bankgebühr", "written off": "ausgebucht"},
}

FR = {
    "draft": "Brouillon",  # a draft's number: it has none until it is issued (docs/ids.md)
    "invoice": "Facture", "credit_note": "Avoir", "number": "Numéro de facture",
    "credit_number": "Numéro d'avoir", "credit_for": "Rectifie la facture",
    "issued": "Date de facture", "due": "Échéance", "supply": "Date de livraison",
    "period": "Période de prestation", "from": "De", "to": "Facturé à", "vat_id": "N° TVA",
    "tax_number": "N° fiscal", "description": "Désignation", "quantity": "Qté", "unit_price": "Prix unitaire",
    "rate": "TVA", "net": "HT", "subtotal": "Total HT", "tax_on": "TVA {rate} sur {net}",
    "tax_home": "TVA en {currency} (1 {foreign} = {rate} {currency}, {day})",
    "total": "Total TTC", "credit_total": "Total crédité",
    "reverse_charge": "Autoliquidation : TVA due par le preneur (article 196 de la directive 2006/112/CE).",
    "exempt": "TVA non applicable : prestation exonérée.",
    "export": "TVA non applicable : prestation à un client hors UE.",
    "terms": "Merci de régler {total} avant le {due} ({days} jours) sur le compte ci-dessous, "
             "référence {number}.",
    "terms_nodue": "Merci de régler {total} sur le compte ci-dessous, référence {number}.",
    "bank": "Coordonnées bancaires", "iban": "IBAN", "bic": "BIC", "page": "Page", "of": "sur",
    "scan_to_pay": "Scannez avec votre application bancaire pour payer", "account": "Compte",
    "email": "E-mail", "phone": "Tél.", "website": "Web", "services": "Prestations",
    "mail_subject": "Facture {number} de {seller}", "mail_greeting": "Bonjour {name},",
    "mail_body": "veuillez trouver ci-joint la facture {number} d'un montant de {total}, à régler avant le "
                 "{due}. Le PDF contient les données de la facture au format Factur-X (EN 16931).",
    "mail_credit_subject": "Avoir {number} de {seller}",
    "mail_credit_body": "veuillez trouver ci-joint l'avoir {number} d'un montant de {total}, qui rectifie la facture "
                        "{credit_for}. Le PDF contient ses données au format Factur-X (EN 16931).",
    "mail_closing": "Cordialement,",
    "reminder": "Relance de paiement", "final_reminder": "Mise en demeure", "reminder_level": "Relance",
    "reminder_date": "Date", "reminder_intro": "sauf erreur de notre part, la facture {number} du {issued}, échue le "
                     "{due}, reste impayée. Si vous l'avez réglée entre-temps, merci de ne pas tenir compte de "
                     "cette relance.",
    "reminder_open": "Reste dû sur la facture {number}", "reminder_total": "Montant de la facture",
    "reminder_paid": "Payé", "reminder_fee": "Frais de relance",
    "reminder_interest": "Intérêts de retard ({rate} par an, {days} jours)", "reminder_pay": "Montant à régler",
    "reminder_terms": "Merci de régler {total} avant le {by} sur le compte ci-dessous, référence {number}.",
    "reminder_subject": "Relance : facture {number} de {seller}",
    "reminder_body": "la facture {number} du {issued} d'un montant de {total}, échue le {due}, reste impayée "
                     "({open}). Vous trouverez la relance ci-jointe ; merci de régler {pay} avant le {by}. Si vous "
                     "l'avez réglée entre-temps, merci de ne pas tenir compte de ce message.",
    "statement": "Relevé de compte", "statement_to": "À", "statement_period": "Période",
    "statement_date": "Date", "statement_item": "Opération", "statement_invoice": "Facture",
    "statement_description": "Libellé", "statement_amount": "Montant", "statement_balance": "Solde",
    "statement_in": "En {currency}", "statement_due": "Solde dû : {total}. Merci de le régler sur le compte "
                                                     "ci-dessous.",
    "statement_credit": "Avoir en votre faveur : {total}.", "statement_settled": "Rien n'est dû.",
    "statement_opening": "solde d'ouverture", "statement_closing": "solde de clôture",
    "statement_what": {"invoice": "facture", "credit note": "avoir", "payment": "paiement",
                       "bank fee": "frais bancaires", "written off": "passé en perte"},
}


EN.update({
    "quote": "Quote", "quote_number": "Quote number", "quote_date": "Date", "valid_until": "Valid until",
    "work_start": "Work starts", "delivery": "Delivery", "quote_total": "Total",
    "quote_terms": "This offer is valid until {until}.",
    "quote_mail_subject": "Quote {number} from {seller}",
    "quote_mail_body": "Please find attached our quote {number} for {total}, valid until {until}.",
    "deposit_invoice": "Deposit invoice", "progress_invoice": "Progress invoice", "final_invoice": "Final invoice",
    "prepaid": "Paid on account", "prepaid_line": "{number} of {issued} (net {net}, VAT {tax})",
    "amount_due": "Amount due",
})
DE.update({
    "quote": "Angebot", "quote_number": "Angebotsnummer", "quote_date": "Datum", "valid_until": "Gültig bis",
    "work_start": "Beginn", "delivery": "Lieferung", "quote_total": "Gesamtbetrag",
    "quote_terms": "Dieses Angebot ist gültig bis zum {until}.",
    "quote_mail_subject": "Angebot {number} von {seller}",
    "quote_mail_body": "anbei erhalten Sie unser Angebot {number} über {total}, gültig bis zum {until}.",
    "deposit_invoice": "Anzahlungsrechnung", "progress_invoice": "Abschlagsrechnung", "final_invoice": "Schlussrechnung",
    "prepaid": "Abzüglich geleisteter Zahlungen", "prepaid_line": "{number} vom {issued} (netto {net}, USt. {tax})",
    "amount_due": "Zu zahlen",
})
FR.update({
    "quote": "Devis", "quote_number": "Numéro de devis", "quote_date": "Date", "valid_until": "Valable jusqu'au",
    "work_start": "Début", "delivery": "Livraison", "quote_total": "Total TTC",
    "quote_terms": "Ce devis est valable jusqu'au {until}.",
    "quote_mail_subject": "Devis {number} de {seller}",
    "quote_mail_body": "veuillez trouver ci-joint notre devis {number} d'un montant de {total}, valable jusqu'au {until}.",
    "deposit_invoice": "Facture d'acompte", "progress_invoice": "Facture de situation", "final_invoice": "Facture de solde",
    "prepaid": "Déjà réglé (acomptes)", "prepaid_line": "{number} du {issued} (HT {net}, TVA {tax})",
    "amount_due": "Net à payer",
})

LABELS = {"en": EN, "de": DE, "fr": FR}


def labels(language: str) -> dict:
    """The words for `language` (de_AT -> de), English where a word or the language is missing."""
    base = language.replace("-", "_").split("_")[0].lower()
    return {**EN, **LABELS.get(base, {})}
