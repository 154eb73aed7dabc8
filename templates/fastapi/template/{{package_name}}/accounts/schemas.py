from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

# Exact decimals in, strings with two decimals out: money never passes through a float.
Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
]


class AccountCreate(BaseModel):
    name: str = Field(default="main", min_length=1, max_length=100)
    balance: Annotated[Money, Field(ge=0)] = Decimal("0.00")


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int
    name: str
    balance: Money
    created_at: datetime


class TransferCreate(BaseModel):
    from_account_id: int = Field(gt=0)
    to_account_id: int = Field(gt=0)
    amount: Annotated[Money, Field(gt=0)]

    @model_validator(mode="after")
    def _different_accounts(self) -> "TransferCreate":
        if self.from_account_id == self.to_account_id:
            raise ValueError("from_account_id and to_account_id must differ")
        return self


class TransferRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    from_account_id: int
    to_account_id: int
    amount: Money
    created_at: datetime
