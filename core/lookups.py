"""docs/security.md 23: `in` on an integer column never sends the database a number beyond the column.

Django already turns `exact`, `gt`, `lt`… with an out-of-range integer into "no row" before the
query runs, but not `in` — the lookup of every multiple-choice form field (`pk__in`): a posted id
like 99999999999999999999 made SQLite's driver raise OverflowError, a 500. Such a value matches no
row, so it is dropped from the list, exactly as Django drops `None`.
"""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import IntegerField
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler


@IntegerField.register_lookup
class IntegerIn(In):
    def process_rhs(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
