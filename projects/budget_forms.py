"""Forms of a project's budget: a budget line, and a spending against one of its lines."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CENTS, BudgetLine, Currency

ONE = Decimal("1")
# Spending.amount and BudgetLine.amount: 14 digits, 2 after the point.
MAX_AMOUNT = Decimal("999999999999.99")


class BudgetLineForm(forms.ModelForm):
    """A planned amount in MAD (rate 1, the rate may be left empty) or in EUR (the rate of its date,
    in MAD for 1 EUR, never 1). The name of the funder is asked when it is "autre"."""

    amount = forms.DecimalField(
        label=_("montant prévu"), min_value=CENTS, max_value=MAX_AMOUNT, max_digits=14, decimal_places=2
    )
    year = forms.IntegerField(label=_("année"), min_value=2000, max_value=2100)
    rate = forms.DecimalField(
        label=_("taux (MAD pour 1 EUR)"),
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

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("rate_date", timezone.localdate())
        kwargs["initial"].setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.fields["funder_other"].help_text = _("Seulement pour « autre bailleur ».")

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
        return data


class SpendingForm(forms.Form):
    """An amount spent against one of the project's lines, in that line's currency, with its document;
    the reason is needed only when the spending takes the line past its planned amount."""

    line = forms.ModelChoiceField(label=_("ligne budgétaire"), queryset=BudgetLine.objects.none())
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount = forms.DecimalField(
        label=_("montant (dans la devise de la ligne)"),
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
