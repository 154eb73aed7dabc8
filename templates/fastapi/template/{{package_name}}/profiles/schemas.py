"""Validation showcase (P02): field constraints, normalisation, cross-field and nested rules."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field

ADULT_AGE = 18


def _not_all_digits(value: str) -> str:
    if value.isdigit():
        raise ValueError("must not be all digits")
    return value.title()


def _adult(value: date | None) -> date | None:
    if value is None:
        return None
    today = date.today()
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < ADULT_AGE:
        raise ValueError(f"must be at least {ADULT_AGE} years old")
    return value


PersonName = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_not_all_digits)]


class Address(BaseModel):
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    state: str = Field(pattern=r"^[A-Z]{2}$", description="Two-letter state code")
    zip_code: str = Field(pattern=r"^\d{5}$", description="Five-digit ZIP code")


class ProfileCreate(BaseModel):
    first_name: PersonName
    last_name: PersonName
    birth_date: Annotated[date | None, AfterValidator(_adult)] = None
    address: Address | None = None


class ProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    first_name: str
    last_name: str
    birth_date: date | None
    address: Address | None

    @computed_field
    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
