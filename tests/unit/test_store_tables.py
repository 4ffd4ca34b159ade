"""The light table handles (:mod:`qa_tui.store.tables`) name the models' columns: each one is
a column of the model's table, of the same kind of type."""

from __future__ import annotations

import pytest

from qa_tui.store import models
from qa_tui.store.tables import TABLES


@pytest.mark.parametrize("light", TABLES, ids=lambda t: t.name)
def test_every_column_is_the_models(light) -> None:
    real = models.Base.metadata.tables[light.name]
    for col in light.columns:
        assert col.name in real.columns, f"{light.name}.{col.name}"
        kind = real.columns[col.name].type
        assert isinstance(kind, type(col.type)) or isinstance(col.type, type(kind)), (
            f"{light.name}.{col.name}: {kind!r} in the models, {col.type!r} here"
        )
        assert kind.python_type is col.type.python_type, f"{light.name}.{col.name}"
