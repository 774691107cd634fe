"""One declaration of every entity kind (SPEC section 2).

The reader coerces values by these field types, the validator checks links
and allowed values from them, the CLI builds `add`/`edit` options from them
and the JSON output names fields after them. A new kind is added here, not
by copying code.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any

from .rules import INVOICE_PARTS, INVOICE_STATUSES, QUOTE_STATUSES

# Field types. Scalars are read from the YAML scalar's text:
#   str      any text (an email, a phone, a URL are str with a `check`)
#   money    decimal.Decimal, from the text, never float
#   decimal  decimal.Decimal (hours, rates, percentages)
#   int      int
#   date     datetime.date, ISO
#   datetime datetime.datetime, "2026-12-01 10:00", naive in the book's timezone
#   bool     true/false
#   duration text like "45m", "1h30m", "2h"; minutes are derived
#   link     the id of a record of `link` kind(s)
#   links    a list of such ids
#   strs     a list of strings
#   records  a list of mappings described by `sub`
SCALAR_TYPES = {"str", "money", "decimal", "int", "date", "datetime", "bool", "duration", "link"}
LIST_TYPES = {"links", "strs", "records"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "str"
    help: str = ""
    link: tuple[str, ...] = ()      # kinds a link may name
    choices: tuple[str, ...] = ()   # fixed allowed values
    setting: str = ""               # settings list that holds the allowed values
    required: bool = False
    default: Any = None             # written by `add` when the option is not given
    sub: tuple["Field", ...] = ()   # for `records`
    check: str = ""                 # "email", "url", "positive", "nonnegative", "percent"
    option: bool = True             # offered as an add/edit option
    aliases: tuple[str, ...] = ()   # more option names ("--with" for attendees)

    @property
    def option_name(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Kind:
    name: str                   # singular, as in JSON "kind" and CLI noun
    plural: str
    path: str                   # "clients.yaml", or a folder for year shards
    fields: tuple[Field, ...]
    title: str = "name"         # the field that names a record for people
    status: str = ""            # the field `move` and `board` work on
    id_from: str = "name"       # slug source; "" means generated ids
    id_prefix: str = ""         # generated id prefix
    shard_by: str = ""          # date field that picks the year shard
    columns: tuple[str, ...] = ()  # list view columns
    help: str = ""
    nouns: tuple[str, ...] = ()  # CLI nouns serving this kind (income/expense share one)
    searched: bool = True       # in `search` and the web's search by default (rates are not: thousands of USD-...)
    field_map: dict = dc_field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.field_map.update({f.name: f for f in self.fields})

    @property
    def sharded(self) -> bool:
        return bool(self.shard_by)

    def field(self, name: str) -> Field | None:
        return self.field_map.get(name)

    @property
    def link_fields(self) -> list[Field]:
        return [f for f in self.fields if f.type in ("link", "links")]


F = Field
_NOTES = F("notes", aliases=("--note",), help="Free text notes.")
_CURRENCY = F("currency", check="currency", help="ISO currency code; default the book's currency.")
_PRIORITY = F("priority", choices=("low", "medium", "high"), help="low, medium or high.")

CLIENT = Kind(
    "client", "clients", "clients.yaml",
    fields=(
        F("id", option=False),
        F("name", required=True, help="The client's name."),
        F("stage", setting="stages", default="@first", help="Pipeline stage (the book's `stages`)."),
        F("company", help="Company name."),
        F("contact", help="Contact person."),
        F("email", check="email", help="Email address."),
        F("phone", help="Phone number."),
        F("position", help="The contact's position."),
        F("website", help="Website."),
        F("contract_value", "money", check="nonnegative", help="Agreed contract value."),
        _CURRENCY,
        F("default_rate", "money", check="positive", help="Hourly rate for this client's work."),
        # billing details: who the invoice is addressed to (docs/documents.md)
        F("billing_name", help="Name on invoices (default: the company, else the name)."),
        F("address", "strs", help="Billing address line (repeat the option for more lines)."),
        F("postcode", help="Postcode of the billing address."),
        F("city", help="City of the billing address."),
        F("region", help="State, province or region of the billing address, where the country's addresses have one "
                         "(US: CA, Canada: ON, Australia: NSW, Italy: RM)."),
        F("country", check="country", help="Country of the billing address: ISO 3166 code like DE."),
        F("vat_id", check="vat_id", help="The client's VAT id, like DE123456789."),
        F("billing_email", check="email", help="Where invoices are sent (default: the email)."),
        F("language", check="language", help="Language of the client's documents, like en or de."),
        F("iban", check="iban", help="The client's bank account: payments from it are matched to its invoices."),
        F("created", "date", default="@today", option=False),
        _NOTES,
    ),
    status="stage",
    columns=("id", "name", "stage", "company", "contract_value", "invoiced", "invoiced_pct"),
    help="The client pipeline: leads, negotiations, clients.",
)

PROJECT = Kind(
    "project", "projects", "projects.yaml",
    fields=(
        F("id", option=False),
        F("name", required=True, help="Project name."),
        F("client", "link", link=("client",), help="Client id."),
        F("services", "links", link=("service",), aliases=("--service",), help="Service ids (repeat the option)."),
        F("status", choices=("not-started", "in-progress", "on-hold", "done"), default="not-started",
          help="not-started, in-progress, on-hold or done."),
        _PRIORITY,
        F("value", "money", check="nonnegative", help="Project value."),
        F("due", "date", help="Due date."),
        F("start", "date", help="Start of the date range."),
        F("end", "date", help="End of the date range."),
        F("estimated_hours", "decimal", check="positive", help="Estimated hours."),
        F("basis", choices=("hours", "invoicing"), help="Completion basis: hours or invoicing."),
        F("rate", "money", check="positive", help="Hourly rate for this project's work."),
        F("quote", "link", link=("quote",), option=False,
          help="The accepted quote it was made from (`quote accept`): its lines are the quoted work."),
        F("payment_terms_days", "int", check="positive",
          help="Days until this project's invoices are due (default: the book's payment_terms_days)."),
        _CURRENCY,
        _NOTES,
    ),
    status="status",
    columns=("id", "name", "client", "status", "priority", "value", "due", "completion_pct"),
    help="Projects: the work that fulfils a client's contract.",
)

TIME = Kind(
    "time", "time entries", "timelog",
    fields=(
        F("id", option=False),
        F("date", "date", required=True, default="@today", help="Day the hours were worked."),
        F("project", "link", link=("project",), required=True, help="Project id."),
        F("service", "link", link=("service",), help="Service id."),
        F("hours", "decimal", required=True, check="hours",
          help="Hours worked: 1.5, 1,5, 1.5h, 1h30m, 90m or 1:30."),
        F("note", help="What was done."),
        F("invoice", "link", link=("invoice",), option=False,
          help="The invoice that bills it (set by `invoice add --from-time`)."),
    ),
    title="note", id_from="", id_prefix="t", shard_by="date",
    columns=("id", "date", "project", "service", "hours", "note", "invoice"),
    help="Hours worked: the timer (start, stop, status, cancel), entries (log, list, show, edit, rm), "
         "the time sheet.",
)

SERVICE = Kind(
    "service", "services", "services.yaml",
    fields=(
        F("id", option=False),
        F("name", required=True, help="Service name."),
        F("client", "link", link=("client",), help="Client id."),
        F("project", "link", link=("project",), help="Project id."),
        F("pricing", choices=("hourly", "fixed"), default="hourly", help="hourly or fixed."),
        F("rate", "money", check="positive", help="Hourly rate, or the flat fee when fixed."),
        F("hours", "decimal", check="positive", help="Estimated hours (hourly pricing)."),
        F("start", "date", help="Start date."),
        F("end", "date", help="End date."),
        F("status", choices=("not-started", "in-progress", "completed"), default="not-started",
          help="not-started, in-progress or completed."),
        _CURRENCY,
        _NOTES,
    ),
    status="status",
    columns=("id", "name", "client", "project", "pricing", "rate", "amount", "status"),
    help="Services: what is offered to a client, hourly or at a flat fee.",
)

ITEM_FIELDS = (
    F("description", required=True),
    F("service", "link", link=("service",)),
    F("project", "link", link=("project",)),
    F("quantity", "decimal", check="positive"),
    F("unit_price", "money", required=True),
    F("tax_rate", "decimal", check="percent"),     # this line's own rate (default: the invoice's)
    F("entries", "strs"),                           # the time entries it bills (`--from-time`): billed once, for ever
)

REMINDER_FIELDS = (
    F("level", "int", required=True),
    F("date", "date", required=True),
    F("document"),                                  # the mail written, as a path in the book
    F("fee", "money", check="nonnegative"),         # the level's fee, added once with it
    F("interest", "money", check="nonnegative"),    # interest on the open balance, worked out once
)

INVOICE = Kind(
    "invoice", "invoices", "invoices.yaml",
    fields=(
        F("id", option=False),
        F("client", "link", link=("client",), required=True, help="Client id."),
        F("project", "link", link=("project",), help="Project id."),
        F("issued", "date", default="@today", help="Issue date."),
        F("due", "date", help="Due date (default: issued + payment_terms_days)."),
        F("status", choices=INVOICE_STATUSES, default="draft",
          help="draft, sent, paid or void."),
        F("items", "records", sub=ITEM_FIELDS, option=False,
          help="Line items: description, service, quantity, unit_price."),
        F("amount", "money", check="positive", help="Amount of a one-line invoice."),
        F("tax_rate", "decimal", check="percent", help="Tax rate in percent (a line may have its own)."),
        _CURRENCY,
        F("supply_start", "date", aliases=("--supplied",),
          help="Date of supply, or the first day of the period of supply (default: the issue date)."),
        F("supply_end", "date", help="Last day of the period of supply (not before --supplied)."),
        F("credit_for", "link", link=("invoice",), option=False,
          help="The invoice a credit note corrects."),
        F("written_off", "money", check="positive", option=False,
          help="What `invoice settle --write-off` wrote off: never to be paid (docs/ledger.md)."),
        F("written_off_on", "date", option=False, help="The day it was written off."),
        F("write_off_reason", option=False, help="Why it was written off (bank-fee, small-difference...)."),
        F("sent_on", "date", option=False, help="The day `invoice send` sent it."),
        F("draft_id", option=False,
          help="The draft id it had until it was issued and numbered: it still names it (docs/ids.md)."),
        F("seal", option=False, help="What the sent document shows, sealed: version, fields, HMAC (rules.seal_of)."),
        F("recurring", "link", link=("recurring",), option=False,
          help="The recurring invoice (schedule) that made it (docs/recurring.md)."),
        F("period", "date", option=False,
          help="With recurring: the first day of the period it bills; one invoice per schedule and period."),
        F("reminders", "records", sub=REMINDER_FIELDS, option=False,
          help="Payment reminders sent: level, date, document, fee, interest (docs/reminders.md)."),
        F("part", choices=INVOICE_PARTS, option=False,
          help="A part of a project billed in parts: deposit or progress (paid on account, type 386), "
               "or the final invoice (docs/quotes.md)."),
        F("deducts", "links", link=("invoice",), option=False,
          help="A final invoice: the deposit and progress invoices whose payments it deducts (prepaid)."),
        _NOTES,
    ),
    title="id", id_from="", status="status",
    columns=("id", "client", "issued", "due", "status", "total", "balance"),
    help="Invoices: draft, sent, paid, void.",
)

QUOTE = Kind(
    "quote", "quotes", "quotes.yaml",
    fields=(
        F("id", option=False),
        F("client", "link", link=("client",), required=True, help="Client id (a lead may get one)."),
        F("title", help="What the quote is for; the project's name when it is accepted."),
        F("issued", "date", default="@today", help="Issue date."),
        F("valid_until", "date", help="The offer holds until this day (default: issued + 30 days)."),
        F("status", choices=QUOTE_STATUSES, default="draft",
          help="draft, sent, accepted, declined or expired (a sent quote past --valid-until is shown expired)."),
        F("items", "records", sub=ITEM_FIELDS, option=False,
          help="Line items: description, quantity, unit_price, tax_rate."),
        F("tax_rate", "decimal", check="percent", help="Tax rate in percent (a line may have its own)."),
        _CURRENCY,
        F("start", "date", help="When the work would start (the project's start when accepted)."),
        F("due", "date", help="When the work would be delivered (the project's due date when accepted)."),
        F("payment_terms_days", "int", check="positive",
          help="Days its invoices are due after issue (default: the book's payment_terms_days)."),
        F("project", "link", link=("project",), option=False, help="The project `quote accept` made of it."),
        F("accepted_on", "date", option=False, help="The day it was accepted."),
        F("sent_on", "date", option=False, help="The day `quote send` sent it."),
        F("seal", option=False, help="What the sent document shows, sealed (rules.seal_of)."),
        _NOTES,
    ),
    title="id", id_from="", status="status",
    columns=("id", "client", "title", "issued", "valid_until", "status", "total"),
    help="Quotes: what a client (or a lead) is offered, accepted into a project.",
)

RECURRING = Kind(
    "recurring", "recurring invoices", "recurring.yaml",
    fields=(
        F("id", option=False),
        F("name", help="A name for the schedule (default: the client and the first line)."),
        F("client", "link", link=("client",), required=True, help="Client id."),
        F("project", "link", link=("project",), help="Project id (with --from-time: whose unbilled hours)."),
        F("items", "records", sub=ITEM_FIELDS, option=False,
          help="The lines of each invoice: description, quantity, unit_price; the period is added to each."),
        F("from_time", "bool", help="Bill the project's (or client's) unbilled hours of each period instead "
                                    "of fixed lines: billed in arrears."),
        F("tax_rate", "decimal", check="percent", help="Tax rate in percent."),
        _CURRENCY,
        F("rrule", required=True, check="rrule",
          help="The schedule as an RRULE, e.g. FREQ=MONTHLY;BYMONTHDAY=1 (or use --every and --on)."),
        F("start", "date", required=True, default="@today", help="The first day of the first period."),
        F("end", "date", help="No period starts after this day; the last one ends on it."),
        F("count", "int", check="positive", help="How many invoices in all."),
        F("billing", choices=("advance", "arrears"),
          help="advance: a period's invoice on its first day (default); arrears: the day after its last."),
        F("send", "bool", default=False,
          help="Send each invoice when it is made on its day (an .eml in outbox/, or SMTP); "
               "else it is a draft. Missed ones are always drafts."),
        F("status", choices=("active", "paused"), default="active", help="active or paused."),
        F("resumed", "date", option=False,
          help="Set by `recurring resume`: periods due before it that were not made are skipped."),
        _NOTES,
    ),
    status="status",
    columns=("id", "client", "rrule", "start", "end", "status", "send", "next"),
    help="Recurring invoices: a schedule makes each period's invoice once, run by `freelance run`.",
)

TAX_FIELDS = (
    F("rate", "decimal", check="percent"),
    F("net", "money"),
    F("tax", "money"),
)

LINE_FIELDS = (
    F("description"),
    F("quantity", "decimal"),
    F("net", "money"),
    F("tax_rate", "decimal", check="percent"),
)

TRANSACTION = Kind(
    "transaction", "transactions", "transactions",
    fields=(
        F("id", option=False),
        F("date", "date", required=True, default="@today", help="Date of the transaction."),
        F("kind", choices=("income", "expense"), required=True, option=False),
        F("amount", "money", required=True, check="positive", help="Amount."),
        _CURRENCY,
        F("classification", setting="income_classifications", help="Income classification."),
        F("category", setting="expense_categories", help="Expense category."),
        F("account", setting="accounts", default="@first", help="Account id (the book's `accounts`)."),
        F("received", "bool", default=False, help="The money has moved (received or paid)."),
        F("description", help="Description."),
        F("client", "link", link=("client",), help="Client id (client income)."),
        F("invoice", "link", link=("invoice",), help="Invoice number (client income); `new` makes the next one."),
        F("project", "link", link=("project",), help="Project id (client income)."),
        F("service", "link", link=("service",), help="Service id (client income)."),
        F("fee", "money", check="positive",
          help="Income paying an invoice: what the bank kept of it (written off, so amount + fee settles it)."),
        F("tax", "money", check="nonnegative", help="Expense: the part of the amount that is tax (reclaimable)."),
        F("tax_rate", "decimal", check="percent", help="Expense: tax rate in percent, included in the amount."),
        # from a bank statement (docs/bank.md): the bank's id of the line, who paid or was
        # paid, their account, the remittance text, and why the import left it for review
        F("payee", help="Who paid or was paid, as the bank statement names them."),
        F("iban", check="iban", help="The other party's bank account, from the statement."),
        F("reference", help="The payment reference (remittance text) from the statement."),
        F("bank_ref", option=False, help="The bank's id of the statement line, or a hash of it (docs/bank.md)."),
        F("review", option=False, help="Why `bank import` left it for review; cleared when settled."),
        # an expense's supplier and, for a bill, its number, dates, tax per rate and lines (docs/suppliers.md)
        F("supplier", "link", link=("supplier",),
          help="Supplier id; the expense takes its category, tax rate and currency when not given."),
        F("number", help="The bill's number, as the supplier wrote it: the expense is a bill (open until paid)."),
        F("issued", "date", help="The bill's issue date (default: the date)."),
        F("due", "date", help="The day the bill is due."),
        F("taxes", "records", sub=TAX_FIELDS, option=False,
          help="A bill's net and tax per rate: rate, net, tax (the input tax the journal books)."),
        F("lines", "records", sub=LINE_FIELDS, option=False,
          help="A bill's lines as its e-invoice gives them: description, quantity, net, tax_rate."),
        F("receipt", option=False,
          help="The receipt or bill in the book: documents/YYYY/DATE-SUPPLIER-HASH.ext (`expense attach`)."),
        F("draft", "bool", help="A draft to complete (a receipt without e-invoice data): no amount needed yet."),
    ),
    title="description", id_from="", id_prefix="tx", shard_by="date",
    columns=("id", "date", "kind", "amount", "account", "received", "client", "category", "supplier", "payee",
             "description"),
    nouns=("income", "expense"),
    help="Money in and out.",
)

CONTACT = Kind(
    "contact", "contacts", "contacts.yaml",
    fields=(
        F("id", option=False),
        F("name", required=True, help="Full name."),
        F("category", setting="contact_categories", help="Category (the book's `contact_categories`)."),
        F("designation", help="Designation or role."),
        F("company", help="Company."),
        F("phone", help="Phone number."),
        F("email", check="email", help="Email address."),
        F("other_phones", "strs", aliases=("--other-phone",), help="More phone numbers (repeat the option)."),
        F("other_emails", "strs", check="email", aliases=("--other-email",),
          help="More email addresses (repeat the option)."),
        F("address", help="Postal address."),
        _NOTES,
    ),
    columns=("id", "name", "category", "company", "email", "phone"),
    help="People you work with: finance, services, legal.",
)

TODO_FIELDS = (F("text", required=True), F("done", "bool"))

RESOURCE = Kind(
    "resource", "resources", "resources.yaml",
    fields=(
        F("id", option=False),
        F("name", required=True, help="Resource name."),
        F("type", setting="resource_types", help="Type (the book's `resource_types`)."),
        F("category", setting="resource_categories", help="Category (the book's `resource_categories`)."),
        F("link", check="url", help="URL."),
        _NOTES,
        F("todos", "records", sub=TODO_FIELDS, option=False, help="To-dos: text, done."),
    ),
    columns=("id", "name", "type", "category", "open_todos"),
    help="Checklists, guides, strategies and tips.",
)

GOAL = Kind(
    "goal", "goals", "goals.yaml",
    fields=(
        F("id", option=False),
        F("name", required=True, help="Goal name."),
        F("category", setting="goal_categories", help="Category (the book's `goal_categories`)."),
        F("target", "decimal", check="positive", help="Target value."),
        F("actual", "decimal", help="Progress so far."),
        F("unit", help="Unit of target and actual."),
        F("start", "date", default="@today", help="Start date (default: today, or the first day of --period)."),
        F("target_date", "date", aliases=("--by",), help="Date to reach the target by (default: the last day of --period)."),
        F("measure", choices=("income", "savings"), help="Compute actual from the books: income or savings."),
        F("period", help="Period for a measured goal: 2026, 2026-Q4, 2026-11; the goal starts on its first day."),
        _NOTES,
    ),
    columns=("id", "name", "category", "target", "actual", "completion_pct", "on_track"),
    help="Health, wealth and relationship goals.",
)

MEETING = Kind(
    "meeting", "meetings", "meetings",
    fields=(
        F("id", option=False),
        F("title", required=True, help="Title."),
        F("start", "datetime", required=True, aliases=("--at",), help="Start, e.g. '2026-12-01 10:00'."),
        F("end", "datetime", help="End."),
        F("duration", "duration", help="Duration with its unit: 45m, 1h30m, 1.5h or 1:30."),
        F("attendees", "links", link=("client", "contact"), aliases=("--with",), help="Client or contact ids (repeat)."),
        F("medium", setting="meeting_media", help="Medium (the book's `meeting_media`)."),
        F("link", check="url", help="Meeting URL."),
        F("agenda", help="Agenda."),
        F("documents", "strs", aliases=("--doc",), help="Paths or URLs of documents (repeat)."),
        _PRIORITY,
        _NOTES,
    ),
    title="title", id_from="", id_prefix="m", shard_by="start",
    columns=("id", "start", "title", "attendees", "medium", "priority"),
    help="Meetings with clients and contacts.",
)

TRANSFER = Kind(
    "transfer", "transfers", "transfers",
    fields=(
        F("id", option=False),
        F("date", "date", required=True, default="@today", help="Day the money moved."),
        F("amount", "money", required=True, check="positive", help="Amount that left the first account."),
        F("from_account", setting="accounts", required=True, aliases=("--from",), help="Account the money left."),
        F("to_account", setting="accounts", required=True, aliases=("--to",), help="Account the money reached."),
        _CURRENCY,
        F("to_amount", "money", check="positive",
          help="Amount that reached the second account, when its currency differs."),
        F("description", help="Description."),
        F("bank_ref", option=False, help="The bank's id of the statement line it was imported from."),
    ),
    title="description", id_from="", id_prefix="tr", shard_by="date",
    columns=("id", "date", "amount", "from_account", "to_account", "description"),
    help="Money moved between your own accounts: neither income nor expense.",
)

BALANCE = Kind(
    "balance", "balances", "balances.yaml",
    fields=(
        F("id", option=False),
        F("account", setting="accounts", required=True, help="Account id."),
        F("date", "date", required=True, help="The balance at the end of this day."),
        F("amount", "money", required=True, help="The balance the bank states (may be negative)."),
        _CURRENCY,
        F("source", help="Where it comes from: a statement file and its id."),
    ),
    title="account", id_from="", id_prefix="b",
    columns=("id", "account", "date", "amount", "currency", "source"),
    help="Balance assertions: an account's balance on a day, as a bank statement states it.",
)

RATE = Kind(
    "rate", "exchange rates", "rates.yaml",
    fields=(
        F("id", option=False),
        F("date", "date", required=True, help="The day the rate is of."),
        F("currency", required=True, check="currency", help="The foreign currency (ISO code)."),
        F("rate", "decimal", required=True, check="positive",
          help="What one unit of the currency is worth in the book's currency on that day."),
        F("source", help="Where it comes from: typed (`rates set`), ecb, hledger, or a file's name."),
    ),
    title="id", id_from="", nouns=("rates",), searched=False,
    columns=("id", "date", "currency", "rate", "source"),
    help="Exchange rates typed or imported into the book (`freelance rates`); they win over the ECB's "
         "history that ships with the program (docs/rates.md).",
)

SUPPLIER = Kind(
    "supplier", "suppliers", "suppliers.yaml",
    fields=(
        F("id", option=False),
        F("name", required=True, help="The supplier's name."),
        F("vat_id", check="vat_id", help="The supplier's VAT id, like DE123456789: its e-invoices are matched by it."),
        F("iban", check="iban", help="The supplier's bank account: payments to it pay its open bills."),
        F("address", "strs", help="Address line (repeat the option for more lines)."),
        F("postcode", help="Postcode."),
        F("city", help="City."),
        F("country", check="country", help="Country: ISO 3166 code like DE."),
        F("email", check="email", help="Email address."),
        F("category", setting="expense_categories",
          help="Default expense category of its bills (the book's `expense_categories`)."),
        F("tax_rate", "decimal", check="percent", help="Default tax rate of its bills, in percent."),
        _CURRENCY,
        _NOTES,
    ),
    columns=("id", "name", "vat_id", "category", "spent", "open_bills", "open_amount"),
    help="Suppliers: who you buy from; their bills, receipts and e-invoices (docs/suppliers.md).",
)

KINDS: dict[str, Kind] = {k.name: k for k in (
    CLIENT, PROJECT, SERVICE, INVOICE, TRANSACTION, TIME, CONTACT, RESOURCE, GOAL, MEETING,
    TRANSFER, BALANCE, RECURRING, SUPPLIER, RATE, QUOTE)}

# Fields every record may carry beyond its kind's declaration without a warning.
COMMON_FIELDS = {"id", "tags"}


def kind_for_path(rel: str) -> Kind | None:
    """The kind whose file or shard folder holds `rel` (a path relative to the book)."""
    first = rel.split("/", 1)[0]
    for kind in KINDS.values():
        if kind.sharded and first == kind.path and rel.endswith(".yaml"):
            return kind
        if not kind.sharded and rel == kind.path:
            return kind
    return None


# -- nouns: what the faces call the kinds ---------------------------------------------------------
# The CLI's commands and the web's pages name records by noun: income and expenses are both
# transactions (their `kind:` says which). One map, for every face.
NOUNS: dict[str, str] = {"client": "client", "project": "project", "service": "service", "invoice": "invoice",
                         "income": "transaction", "expense": "transaction", "contact": "contact",
                         "resource": "resource", "goal": "goal", "meeting": "meeting", "time": "time",
                         "transfer": "transfer", "balance": "balance", "recurring": "recurring",
                         "supplier": "supplier", "quote": "quote"}

# Fields a noun does not offer (income has no category, an expense no invoice).
NOUN_HIDDEN: dict[str, set] = {"income": {"category", "kind", "supplier", "number", "issued", "due", "draft"},
                               "expense": {"classification", "invoice", "client", "service", "kind"}}


def noun_kind(noun: str) -> Kind:
    """The kind a noun names (KeyError: not a noun; a face says so its own way)."""
    return KINDS[NOUNS[noun]]


def noun_fields(noun: str) -> list[Field]:
    """The fields a noun's add and edit offer, in the kind's order."""
    return [f for f in noun_kind(noun).fields if f.option and f.name not in NOUN_HIDDEN.get(noun, ())]


def noun_of(kind: str, data: dict) -> str:
    """The noun of a record of `kind` with `data` (a transaction's is its `kind:`)."""
    return str(data.get("kind")) if kind == "transaction" else kind
