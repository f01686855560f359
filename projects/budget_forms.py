"""Forms of a project's budget: a budget line, and a spending against one of its lines.

Amounts and rates are typed as text (`DecimalText`), never `type=number`: a browser's number input
drops a decimal comma, so "1000,50" typed on a French keyboard would arrive as 100050."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .models import CENTS, BudgetLine, Currency

ONE = Decimal("1")
# Spending.amount and BudgetLine.amount: 14 digits, 2 after the point.
MAX_AMOUNT = Decimal("999999999999.99")
# A plausible rate of the euro, in dirhams for 1 euro (about 10 to 11 since 2000).
EUR_RATE_MIN, EUR_RATE_MAX = Decimal("5"), Decimal("20")
# Digits with a decimal comma or point; thousands may be grouped by a space (normal, non-breaking or
# narrow non-breaking), only in threes: "1000,50", "1000.50", "1 000,50".
DECIMAL_TEXT = re.compile(r"^(?:\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:[.,]\d+)?$")


class DecimalText(forms.DecimalField):
    """A decimal typed as text (inputmode="decimal", so a phone shows its number pad with the comma),
    with a comma or a point, thousands grouped by spaces or not; converted to Decimal exactly (never
    through a float). Anything else is refused with `invalid`, which says what to type."""

    widget = forms.TextInput

    def __init__(self, *, example: str, **kwargs) -> None:
        self.example = example
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _(
                    "Saisissez un nombre, avec une virgule ou un point pour les décimales (par exemple %(example)s)."
                )
            },
        )
        super().__init__(**kwargs)

    def _invalid(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["invalid"], code="invalid", params={"example": self.example}
        )

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        text = str(value).strip()
        if not DECIMAL_TEXT.match(text):
            raise self._invalid()
        try:
            return Decimal(re.sub(r"[ \u00a0\u202f]", "", text).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern lets only digits through
            raise self._invalid() from None


class BudgetLineForm(forms.ModelForm):
    """A planned amount in MAD (rate 1, the rate may be left empty) or in EUR (the rate of its date,
    in MAD for 1 EUR, never 1). The name of the funder is asked when it is "autre"."""

    amount = DecimalText(
        label=_("montant prévu"),
        example="1 000,50",
        min_value=CENTS,
        max_value=MAX_AMOUNT,
        max_digits=14,
        decimal_places=2,
    )
    year = forms.IntegerField(label=_("année"), min_value=2000, max_value=2100)
    rate = DecimalText(
        label=_("taux (MAD pour 1 EUR)"),
        example="10,85",
        required=False,
        min_value=Decimal("0.0001"),
        max_digits=10,
        decimal_places=4,
        help_text=_(
            "Pour une ligne en euros, le taux du jour indiqué ; 1 (ou vide) pour une ligne en dirhams."
        ),
    )
    rate_date = forms.DateField(
        label=_("date du taux"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    class Meta:
        model = BudgetLine
        fields = [
            "category",
            "label",
            "funder",
            "funder_other",
            "year",
            "amount",
            "currency",
            "rate",
            "rate_date",
        ]

    def __init__(self, *args, project, **kwargs):
        partnership = project.partnership
        this_year = timezone.localdate().year
        kwargs.setdefault("initial", {}).setdefault("rate_date", timezone.localdate())
        kwargs["initial"].setdefault(
            "year", min(max(this_year, partnership.start_year), partnership.end_year)
        )
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["funder_other"].help_text = _("Seulement pour « autre bailleur ».")
        # A line's year is one of the partnership's (the page says so: min and max).
        self.fields["year"].widget.attrs.update({"min": partnership.start_year, "max": partnership.end_year})

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        first, last = self.partnership.start_year, self.partnership.end_year
        if not first <= year <= last:
            raise forms.ValidationError(
                _("L'année d'une ligne est une année du partenariat, de %(first)s à %(last)s.")
                % {"first": first, "last": last}
            )
        return year

    def clean_rate_date(self) -> datetime.date:
        day = self.cleaned_data["rate_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("La date du taux ne peut pas être dans le futur."))
        if day.year < 2000:
            raise forms.ValidationError(_("La date du taux ne peut pas précéder l'an 2000."))
        return day

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        funder, other = data.get("funder"), (data.get("funder_other") or "").strip()
        if funder == BudgetLine.Funder.OTHER and not other:
            self.add_error("funder_other", _("Indiquez le nom de l'autre bailleur."))
        elif funder and funder != BudgetLine.Funder.OTHER:
            data["funder_other"] = ""
        currency, rate = data.get("currency"), data.get("rate")
        if "rate" in self.errors:
            return data
        if currency == Currency.MAD:
            if rate is not None and rate != ONE:
                self.add_error(
                    "rate", _("Une ligne en dirhams se compte au taux 1 : laissez le taux à 1 ou vide.")
                )
            else:
                data["rate"] = ONE
        elif currency == Currency.EUR:
            if rate is None:
                self.add_error(
                    "rate",
                    _(
                        "Indiquez le taux de l'euro à la date du taux, en dirhams pour 1 euro (par exemple 10,85)."
                    ),
                )
            elif rate == ONE:
                self.add_error(
                    "rate",
                    _(
                        "Un euro ne vaut pas 1 dirham : indiquez le taux à la date du taux, en dirhams pour 1 euro."
                    ),
                )
            elif not EUR_RATE_MIN <= rate <= EUR_RATE_MAX:
                self.add_error(
                    "rate",
                    _(
                        "Taux invraisemblable : %(rate)s dirhams pour 1 euro. Le taux de l'euro est compris "
                        "entre %(low)s et %(high)s dirhams (par exemple 10,85)."
                    )
                    % {"rate": number_format(rate), "low": EUR_RATE_MIN, "high": EUR_RATE_MAX},
                )
        return data


class SpendingForm(forms.Form):
    """An amount spent against one of the project's lines, in that line's currency, with its document;
    the reason is needed only when the spending takes the line past its planned amount."""

    line = forms.ModelChoiceField(label=_("ligne budgétaire"), queryset=BudgetLine.objects.none())
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount = DecimalText(
        label=_("montant (dans la devise de la ligne)"),
        example="1 000,50",
        min_value=CENTS,
        max_value=MAX_AMOUNT,
        max_digits=14,
        decimal_places=2,
    )
    document = forms.CharField(label=_("pièce justificative (référence)"), max_length=100)
    over_reason = forms.CharField(
        label=_("motif du dépassement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seulement si la dépense porte la ligne au-delà du montant prévu."),
    )

    def __init__(self, *args, lines=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        if lines is not None:
            self.fields["line"].queryset = lines
        self.fields["line"].label_from_instance = lambda line: (
            f"{line.label} — {line.get_funder_display()} {line.year} ({line.amount} {line.currency})"
        )

    def action_kwargs(self) -> dict:
        """What actions.record_spending takes besides the line."""
        data = self.cleaned_data
        return {
            "date": data["date"],
            "amount": data["amount"],
            "document": data["document"],
            "over_reason": data["over_reason"],
        }
