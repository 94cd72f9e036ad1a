"""Exact money: :class:`~decimal.Decimal` amounts, never floats.

An amount is given as a string (``"9000.50"``), an int or a Decimal; a float is refused
(it is not exact). Amounts carry at most two decimal places and are never negative.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from freechoice.catalog import Problem

__all__ = ["CENT", "MAX_AMOUNT", "as_amount", "cents", "money_text"]

#: the largest amount accepted: stored as Numeric(18, 2), and exact even where the
#: database keeps numbers as binary floating point (SQLite: 15 significant digits)
MAX_AMOUNT = Decimal("999999999999.99")


#: amounts are kept to the cent: ``Decimal("9000")`` is ``Decimal("9000.00")``
CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """``amount`` with exactly two decimal places (never rounds an amount of at most two)."""
    return amount.quantize(CENT)


def as_amount(value: object, field: str, problems: list[Problem], *, positive: bool = False) -> Decimal | None:
    """``value`` as an exact amount, or None with a problem naming ``field`` added.

    >>> problems = []
    >>> as_amount("9000.50", "amount", problems), as_amount(0.1, "amount", problems), len(problems)
    (Decimal('9000.50'), None, 1)
    """
    allowed = [
        "a decimal number as a string, e.g. '9000.00', with at most 2 decimal places, "
        + ("above 0" if positive else "0 or more")
    ]
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        problems.append(
            Problem(field, "must be an exact amount (a string or a whole number; not a float)", allowed, value)
        )
        return None
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        problems.append(Problem(field, f"{value!r} is not a number", allowed, value))
        return None
    if not amount.is_finite() or amount < 0 or (positive and amount == 0) or amount > MAX_AMOUNT:
        problems.append(Problem(field, f"{value!r} is out of range", allowed, value))
        return None
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        problems.append(Problem(field, f"{value!r} has more than 2 decimal places", allowed, value))
        return None
    return cents(amount)


def money_text(amount: Decimal, currency: str) -> str:
    """``amount`` for a person to read: ``money_text(Decimal("9000"), "THB") == "9,000.00 THB"``."""
    return f"{amount:,.2f} {currency}"
