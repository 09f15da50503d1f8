"""What the impact pages take: a ledger file's column mapping, the OETH inputs, a
contract declared by an EA or ESAT."""

from marketplace.validation import BaseSchema, Checkbox, Count, Euros, Percent, Text


class MappingSchema(BaseSchema):
    """Which column holds each field (its header); the dry run is ticked by default."""

    identifier = Text(max_length=200, load_default=None)
    name = Text(max_length=200, load_default=None)
    amount = Text(max_length=200, load_default=None)
    date = Text(max_length=200, load_default=None)
    category = Text(max_length=200, load_default=None)
    dry_run = Checkbox()


class OethInputsSchema(BaseSchema):
    year = Count(minimum=2000, maximum=2100, required=True)
    gross_contribution_cents = Euros(data_key="gross_contribution", load_default=None, allow_none=True,
                                     maximum_euros=10**9)
    direct_rate = Percent(load_default=None, allow_none=True)


class DeclarationSchema(BaseSchema):
    year = Count(minimum=2000, maximum=2100, required=True)
    client_siret = Text(required=True, min_length=14, max_length=20)
    client_name = Text(required=True, max_length=200)
    reference = Text(required=True, max_length=120)
    price_cents = Euros(data_key="price", required=True, maximum_euros=10**9)
    excluded_costs_cents = Euros(data_key="excluded_costs", load_default=0, maximum_euros=10**9)
