"""Name keys: one key for the spellings of a name in three scripts; chain rules; aliases."""

from __future__ import annotations

import pytest

from evac.core.registry.names import ambiguous_aliases, canonical, query_tokens, skeleton, split_name


@pytest.mark.parametrize("group", [
    ("Иванова", "Ivanova", "Ivanowa"),
    ("محمد", "Muhammad", "Mohammed", "Мухаммед", "Mohamad"),
    ("Хайсам", "Haytham", "هيثم"),
    ("Джамаль", "Jamal", "جمال"),
    ("Sergejeva", "Sergeyeva", "Сергеева"),
])
def test_spellings_share_a_skeleton(group: tuple[str, ...]) -> None:
    assert len({skeleton(w) for w in group}) == 1


@pytest.mark.parametrize("group", [("Aleksandr", "Alexander", "Shura", "Александр"), ("Ibrahim", "Ибрагим")])
def test_aliases_share_a_canonical_key(group: tuple[str, ...]) -> None:
    assert len({canonical(w) for w in group}) == 1


def test_different_names_stay_apart() -> None:
    assert canonical("Aleksey") != canonical("Aleksandr")
    assert canonical("Olya") == skeleton("Olya")  # Olya and Ali are both "l": ambiguous, so not aliased
    assert "l" in ambiguous_aliases()


def test_chain_rules() -> None:
    p = split_name("Abu Ahmad Muhammad bin Ali", "al-Halabi")
    assert (p.given, p.family, p.patronymic, p.kunya) == (("muhammad",), ("halabi",), ("ali",), ("abuahmad",))
    assert split_name("Anna Sergeevna", "Ivanova").patronymic == ("sergeevna",)
    assert split_name("Abd al-Rahman", "Аль-Хомси").given == ("abdrahman",)
    assert split_name("Abdul Rahman", "x").given == ("abdrahman",)


def test_query_tokens_ignore_punctuation_and_empty() -> None:
    assert query_tokens("  ") == []
    assert query_tokens("IVANOVA!") == [frozenset({"vnv"})]
