"""Synthetic consular lists for registry tests (never real people)."""

from __future__ import annotations

HEADER_RU = "№;Фамилия;Имя;Отчество;Дата рождения;Пол;Гражданство;Телефон;Паспорт;Город;Семья;Родство\n"
ROWS_RU = [
    "A1;Иванова;Анна;Сергеевна;12.03.1975;Ж;RU;0944 123 456;7512345678;Damascus;F1;head",
    "A2;Аль-Халаби;Мухаммед;;1970;М;SY;+963 944 123 456;;Damascus;F1;spouse",
    "A3;Аль-Халаби;Сергей;Мухаммедович;2005-06;М;RU,SY;;;Damascus;F1;child",
    "A4;Ivanowa;Anna;;1975-03-12;F;RU;;;Damascus;;",
    "A5;Петров;Иван;;;М;RU;;;Aleppo;;",
    "A6;الحلبي;محمد;;1970;M;SY;;;Aleppo;;",
]


def ru_csv(rows: list[str] | None = None) -> str:
    return HEADER_RU + "\n".join(ROWS_RU if rows is None else rows) + "\n"
