"""What every app's API shares: the error body, the types of paths and bodies, the write check.

Order of the answers of a write (docs/security.md 2, docs/decisions.md "API errors"): no token, 401; a
path parameter of the wrong type, 422; anything the caller may not write, 404 — whatever the body
holds, since `Writer` runs as ninja's authentication step, before the body is parsed; then the
body, validated by its schema (types, bounds, codes), 422 with one French message naming the field.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from pydantic import (
    Field,
    GetCoreSchemaHandler,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from accounts.api import TokenAuth
from partnerships.access import Access, get_partnership_for_user
from partnerships.models import Partnership

NOT_WRITABLE = "Introuvable, ou hors de ce que vous pouvez modifier."
NOT_JSON = "Le corps de la requête n'est pas du JSON valide."
UNSTORABLE = "Le corps de la requête contient un caractère nul ou invalide."

# The French name of each body field, for the messages that name it.
FIELD_NAMES = {
    "sex": "sexe",
    "birth_year": "année de naissance",
    "target_groups": "publics cibles",
    "target_group": "public cible",
    "structure": "structure",
    "people": "personnes",
    "count": "nombre",
    "seen": "nombre lu",
    "kind": "type d'activité",
    "title": "titre",
    "date": "date",
}


class Error(Schema):
    """Every error answer of the API, 401 included (`{"detail": "Unauthorized"}`)."""

    detail: str


class Created(Schema):
    id: int


# A partnership slug in a path: anything else (a NUL byte, which PostgreSQL refuses) is a 422.
Slug = Annotated[str, Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)]

# A row id as the database can hold it (64-bit): a larger number is refused, not sent to the database.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]

# A code of the reference tables (target groups, structures): a slug column ("" is no structure).
Code = Annotated[str, Field(max_length=50)]


@dataclass(frozen=True)
class OneOf:
    """`Annotated[str, OneOf(Model.Choices.values)]`: a `Literal` of a model's codes, listed in the
    schema (`enum`) and refused by pydantic otherwise, from the one list the model holds."""

    codes: tuple[str, ...] | list[str]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.literal_schema(list(self.codes))


def french(message: str) -> WrapValidator:
    """`Annotated[T, bounds…, french("… {input} …")]`: a value of the right type the bounds or codes
    refuse gets `message` (`{input}` is the value sent). A value of the wrong type keeps the generic
    « Valeur invalide pour … »."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if all(error["type"].endswith("_type") for error in exc.errors()):
                raise
            raise PydanticCustomError("twiza", message, {"input": str(value)[:60]}) from None

    return WrapValidator(validate)


def unstorable(value: object) -> bool:
    """Whether a parsed body holds, anywhere, text no database stores: a NUL character (refused by
    PostgreSQL) or a lone surrogate (`"\\ud800"` is valid JSON but not UTF-8)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return "\x00" in value
    if isinstance(value, dict):
        return any(unstorable(k) or unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(unstorable(v) for v in value)
    return False


class Input(Schema):
    """A request body: its fields validated by their types; text no database stores refused first."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        if unstorable(getattr(data, "_obj", data)):  # ninja hands the dict wrapped in a DjangoGetter
            raise PydanticCustomError("twiza", UNSTORABLE)
        return data


class JsonParser(Parser):
    """ninja's parser, telling "not JSON" apart (ninja answers every parse failure 400)."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body)
        except ValueError as exc:  # UnicodeDecodeError included
            raise NotJson from exc


class NotJson(ValueError):
    """The request body is not JSON."""


def invalid_message(errors: list[dict[str, Any]]) -> str:
    """One French message for pydantic's errors: the first one, naming its field."""
    first = errors[0] if errors else {}
    if first.get("type") == "twiza":
        return str(first["msg"])
    names = [
        part for part in first.get("loc", ()) if isinstance(part, str) and part not in ("body", "payload")
    ]
    name = FIELD_NAMES.get(names[-1], names[-1]) if names else "corps"
    if first.get("type") == "missing":
        return f"Champ obligatoire manquant : {name}."
    return f"Valeur invalide pour « {name} »."


def path_value(request: HttpRequest, name: str, annotation: Any) -> Any:
    """A path parameter validated as the endpoint declares it, for the write check that runs before
    ninja parses it: a value of the wrong type is the same 422 as ninja's."""
    raw = request.resolver_match.kwargs.get(name) if request.resolver_match else None
    try:
        return TypeAdapter(annotation).validate_python(raw)
    except ValidationError as exc:
        raise NinjaValidationError([{**error, "loc": ("path", name)} for error in exc.errors()]) from None


@dataclass(frozen=True)
class Grant:
    """What the write check found: who writes, her access to the partnership, and the object of the
    path when there is one (an activity). ninja hands it to the endpoint as `request.auth`."""

    user: Any
    access: Access
    target: Any = None

    @property
    def partnership(self) -> Partnership:
        return self.access.partnership


def writable_partnership(user: Any, slug: str) -> Access:
    """The access of `user` to the partnership `slug` through its door, or the API's 404."""
    try:
        _partnership, access = get_partnership_for_user(user, slug)
    except Http404:
        raise HttpError(404, NOT_WRITABLE) from None
    return access


class Writer(TokenAuth):
    """`auth=Writer(check)`: the token (401 without one), then `check(request, user)` → a `Grant`,
    or `HttpError(404)` for anyone who may not write there. ninja runs authentication before it
    parses parameters and body, so refusal comes before any complaint about the body."""

    def __init__(self, check: Callable[[HttpRequest, Any], Grant]) -> None:
        super().__init__()
        self.check = check

    def authenticate(self, request: HttpRequest, token: str) -> Grant | None:
        user = super().authenticate(request, token)
        if user is None:
            return None
        return self.check(request, user)
