from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models

#: The largest amount a DECIMAL(14, 2) column holds.
MAX_BALANCE = Decimal("999999999999.99")


class Account(models.Model):
    # PROTECT: a user who still owns accounts cannot be deleted (409 USER_HAS_ACCOUNTS).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accounts"
    )
    name = models.CharField(max_length=100)
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="accounts_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pk})"


class Transfer(models.Model):
    from_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_in")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "transfers"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="transfers_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} from {self.from_account_id} to {self.to_account_id}"
