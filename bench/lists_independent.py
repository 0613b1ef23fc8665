"""A second, independent messy-list generator: consular lists evac's own generator did not write.

Why a second generator: de-duplication tuned and measured on the generator that also made the test data
learns that generator's habits. This one shares no code and no name table with ``evac`` (it imports only
the standard library) and is written from how the lists are actually produced: several sources, each
typed by different clerks from different papers, merged into one file. Every person here is
**synthetic**: names are drawn independently from small tables of common given names and surnames.

Sources (each row says which one it came from):

- ``register``: the consular register. Cyrillic names and ICAO 9303 (passport) romanisation, patronymic,
  ``DD.MM.YYYY``, international phones, passport numbers for most adults.
- ``hotline``: typed from phone calls. Latin only, BGN/PCGN romanisation or English diminutives,
  no patronymic, ISO dates (sometimes a year only), national phone format (``09…``), few passports.
- ``community``: a French-speaking community list (Syrian papers are in French). French romanisation
  (Lioudmila, Al-Chami), dates often month-year or year only, ``00963`` phones, married surnames.
- ``ngo``: a German NGO's list. German romanisation (Iwanowa, Ljudmila, Schewtschenko), ``DD.MM.YYYY``
  with day and month sometimes swapped, national phones.
- ``arabic``: a Syrian list. Syrian family members in Arabic script, others in English spelling.

Error causes on top of the conventions: transliteration standards, Arabic names in Arabic script and several
Latin renderings (al-Shami / Al-Chami / El Chami, Haddad / Hadad), maiden vs married surnames, patronymics
present or missing, day/month swaps, year-only and month-year dates, a year off by one, national vs
international phones, missing passports, given and family names swapped, one-letter typos, diminutives;
and the hard negatives: twins (one birth date, one surname, one phone) and a mother and daughter of the same
name at one address.

Usage: ``python bench/lists_independent.py --people 10000 --seed 1 --out list.csv`` writes ``list.csv``
(snake_case header) and ``list.truth.csv`` (``external_id,person_id``).
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass, field
from pathlib import Path


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# -- name tables (own, small; combinations of common names, never real persons) ------------------------------
RU_GIVEN_F = _w("Анна Мария Елена Ольга Татьяна Наталья Ирина Светлана Людмила Юлия Екатерина Евгения Ксения "
              "Дарья Алёна Галина Надежда Вера Любовь Софья Анастасия Полина Жанна Зинаида Валентина Марина "
              "Оксана Лариса Виктория Кристина")
RU_GIVEN_M = _w("Иван Сергей Алексей Дмитрий Андрей Юрий Евгений Михаил Николай Владимир Павел Фёдор Григорий "
              "Артём Максим Олег Виктор Игорь Константин Илья")
RU_FAMILY_M = _w("Иванов Петров Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков Фёдоров Морозов Волков "
               "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
               "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов "
               "Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв "
               "Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов "
               "Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов "
               "Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов "
               "Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев "
               "Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников "
               "Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин "
               "Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков "
               "Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров "
               "Симонов Прокофьев Харитонов Князев Цветков Левин Воронов Аксёнов Мальцев Логинов Горшков "
               "Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Хохлов Жданов Щукин "
               "Шевченко Ковальчук Бондаренко Ткаченко Кравченко")
# Diminutives a hotline clerk writes down as the caller said them.
RU_DIMINUTIVE = {"Наталья": "Natasha", "Елена": "Lena", "Мария": "Masha", "Светлана": "Sveta", "Татьяна": "Tanya",
                 "Ольга": "Olya", "Екатерина": "Katya", "Анастасия": "Nastya", "Юлия": "Yulia", "Евгения": "Zhenya"}

# Arabic names: (Arabic script, Latin renderings seen on papers, Cyrillic rendering in Russian lists).
AR_GIVEN_M = [
    ("محمد", ("Muhammad", "Mohammed", "Mohamad", "Mohamed"), "Мухаммед"), ("أحمد", ("Ahmad", "Ahmed"), "Ахмад"),
    ("علي", ("Ali",), "Али"), ("حسن", ("Hassan", "Hasan"), "Хасан"),
    ("حسين", ("Hussein", "Husain", "Hussain"), "Хусейн"), ("خالد", ("Khaled", "Khalid"), "Халед"),
    ("عمر", ("Omar", "Umar"), "Омар"), ("يوسف", ("Youssef", "Yusuf", "Yousef"), "Юсеф"),
    ("إبراهيم", ("Ibrahim",), "Ибрахим"), ("محمود", ("Mahmoud", "Mahmud"), "Махмуд"),
    ("مصطفى", ("Mustafa", "Moustafa"), "Мустафа"), ("سمير", ("Samir", "Sameer"), "Самир"),
    ("باسل", ("Basel", "Basil"), "Басель"), ("فادي", ("Fadi",), "Фади"), ("رامي", ("Rami",), "Рами"),
    ("طارق", ("Tarek", "Tariq"), "Тарек"), ("وليد", ("Walid", "Waleed"), "Валид"),
    ("زياد", ("Ziad", "Ziyad"), "Зияд"), ("جمال", ("Jamal", "Djamal"), "Джамаль"),
    ("نبيل", ("Nabil", "Nabeel"), "Набиль"), ("عماد", ("Imad", "Emad"), "Имад"),
    ("هيثم", ("Haitham", "Haytham"), "Хайсам"), ("ماهر", ("Maher",), "Махер"), ("بشار", ("Bashar", "Bachar"), "Башар"),
]
AR_GIVEN_F = [
    ("فاطمة", ("Fatima", "Fatma"), "Фатима"), ("مريم", ("Maryam", "Mariam"), "Марьям"), ("ريم", ("Reem", "Rim"), "Рим"),
    ("لينا", ("Lina",), "Лина"), ("نور", ("Nour", "Noor"), "Нур"), ("هبة", ("Hiba", "Heba"), "Хиба"),
    ("رنا", ("Rana",), "Рана"), ("سارة", ("Sara", "Sarah"), "Сара"), ("ليلى", ("Layla", "Leila", "Laila"), "Лейла"),
    ("زينب", ("Zainab", "Zeinab"), "Зейнаб"), ("رشا", ("Rasha", "Racha"), "Раша"), ("سلمى", ("Salma",), "Сальма"),
]
AR_FAMILY = [
    ("الشامي", ("al-Shami", "Al-Chami", "El Chami", "Shami"), "Аш-Шами"),
    ("حداد", ("Haddad", "Hadad", "Al-Haddad"), "Хаддад"),
    ("الحلبي", ("al-Halabi", "Al Halabi", "El-Halabi", "Halabi"), "Аль-Халаби"),
    ("الخطيب", ("al-Khatib", "El Khatib", "Al-Khateeb"), "Аль-Хатиб"),
    ("النوري", ("an-Nuri", "Al-Nouri", "El Nouri"), "Ан-Нури"),
    ("السيد", ("al-Sayed", "El Sayed", "Al-Sayyid"), "Ас-Сайед"),
    ("المصري", ("al-Masri", "El Masri", "Al-Masry"), "Аль-Масри"),
    ("الحمصي", ("al-Homsi", "Al Homsi", "El-Homsi"), "Аль-Хомси"),
    ("قباني", ("Kabbani", "Qabbani", "Kabbany"), "Каббани"),
    ("عطار", ("Attar", "Al-Attar", "Atar"), "Аттар"), ("صباغ", ("Sabbagh", "Sabagh", "Al-Sabbagh"), "Саббаг"),
    ("خوري", ("Khoury", "Khouri", "Khuri"), "Хури"), ("سليمان", ("Suleiman", "Sleiman", "Soliman"), "Сулейман"),
    ("ديب", ("Deeb", "Dib"), "Диб"), ("حمود", ("Hammoud", "Hamoud", "Hamood"), "Хаммуд"),
    ("عثمان", ("Othman", "Osman", "Uthman"), "Осман"), ("حلاق", ("Hallak", "Hallaq"), "Халлак"),
    ("جبور", ("Jabbour", "Jabour"), "Жаббур"), ("نجار", ("Najjar", "Najar", "Al-Najjar"), "Наджар"),
    ("درويش", ("Darwish", "Darwiche"), "Дарвиш"), ("شهاب", ("Shehab", "Chehab", "Shihab"), "Шехаб"),
    ("الأحمد", ("al-Ahmad", "Al-Ahmed"), "Аль-Ахмад"), ("العلي", ("al-Ali", "Al Ali", "El-Ali"), "Аль-Али"),
    ("زين", ("Zein", "Zain"), "Зейн"), ("عيسى", ("Issa", "Eissa"), "Исса"),
    ("الحسن", ("al-Hassan", "Al Hasan"), "Аль-Хасан"),
]
CITIES = ("Damascus", "Aleppo", "Homs", "Hama", "Latakia", "Tartus")
STREETS = ("Baghdad St", "Thawra St", "Mezzeh Villas", "Abu Rummaneh", "Jaramana", "Qassaa", "Shaalan", "Malki")
SOURCES = ("register", "hotline", "community", "ngo", "arabic")
SOURCE_WEIGHTS = (0.40, 0.25, 0.12, 0.10, 0.13)

# -- transliteration of Cyrillic, one function per standard -------------------------------------------------
_VOW = set("аеёиоуыэюяь")
_COMMON = {"а": "a", "б": "b", "г": "g", "д": "d", "з": "z", "и": "i", "к": "k", "л": "l", "м": "m", "н": "n",
           "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ф": "f", "э": "e", "ы": "y"}
ICAO = _COMMON | {"в": "v", "е": "e", "ё": "e", "ж": "zh", "й": "i", "у": "u", "х": "kh", "ц": "ts", "ч": "ch",
                  "ш": "sh", "щ": "shch", "ъ": "ie", "ь": "", "ю": "iu", "я": "ia"}
BGN = _COMMON | {"в": "v", "е": "e", "ё": "e", "ж": "zh", "й": "y", "у": "u", "х": "kh", "ц": "ts", "ч": "ch",
                 "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "ю": "yu", "я": "ya"}
GERMAN = _COMMON | {"в": "w", "е": "e", "ё": "jo", "ж": "sch", "з": "s", "й": "j", "у": "u", "х": "ch", "ц": "z",
                    "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ь": "", "ю": "ju", "я": "ja"}
FRENCH = _COMMON | {"в": "v", "е": "e", "ё": "io", "ж": "j", "й": "i", "у": "ou", "х": "kh", "ц": "ts",
                    "ч": "tch", "ш": "ch", "щ": "chtch", "ъ": "", "ь": "", "ю": "iou", "я": "ia"}


def romanise(text: str, standard: str) -> str:
    """Cyrillic ``text`` in one romanisation standard: ``icao``, ``bgn``, ``german`` or ``french``."""
    table = {"icao": ICAO, "bgn": BGN, "german": GERMAN, "french": FRENCH}[standard]
    low = text.lower()
    out: list[str] = []
    for i, ch in enumerate(low):
        prev = low[i - 1] if i else " "
        nxt = low[i + 1] if i + 1 < len(low) else " "
        if ch not in table:
            out.append(ch)
            continue
        t = table[ch]
        initial_or_after_vowel = not prev.isalpha() or prev in _VOW or prev in "ъй"
        if ch == "е" and initial_or_after_vowel:
            t = {"bgn": "ye", "german": "je", "icao": "e", "french": "ie" if prev.isalpha() else "e"}[standard]
        elif ch == "ё" and standard == "bgn":
            t = "ye" if initial_or_after_vowel else "e"
        elif ch == "ь" and nxt in "ио":
            t = {"german": "j", "bgn": "y"}.get(standard, "")  # Iljin, Ilyin; a vowel letter after ь says the rest
        elif ch == "с" and standard in {"german", "french"} and prev in _VOW and nxt in _VOW:
            t = "ss"
        elif ch == "г" and standard == "french" and nxt in "еи":
            t = "gu"
        elif ch == "и" and standard == "french" and prev in "аоеу" and prev.isalpha():
            t = "i"  # French writes ï; lists drop the diaeresis
        out.append(t)
    s = "".join(out)
    return "-".join(p[:1].upper() + p[1:] for p in s.split("-"))


def feminine(family_m: str) -> str:
    """The feminine form of a Russian surname (Иванов → Иванова; Шевченко unchanged)."""
    if family_m.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return family_m + "а"
    if family_m.endswith("ий"):
        return family_m[:-2] + "ая"
    return family_m


def patronymic(father_given: str, female: bool) -> str:
    """Russian patronymic of a Cyrillic given name (Сергей → Сергеевна)."""
    g = father_given
    if g.endswith("й"):
        stem, m, f = g[:-1], "евич", "евна"
    elif g.endswith(("а", "я")):
        stem, m, f = g[:-1], "ич", "ична"
    else:
        stem, m, f = g, "ович", "овна"
    return stem + (f if female else m)


# -- people ------------------------------------------------------------------------------------------------
@dataclass
class Person:
    pid: str
    kind: str  # "ru" | "ar"
    sex: str  # "M" | "F"
    given_cyr: str = ""
    family_cyr: str = ""  # current (married) surname in Cyrillic
    maiden_cyr: str = ""
    patronymic_cyr: str = ""
    ar_given: tuple[str, tuple[str, ...], str] | None = None
    ar_family: tuple[str, tuple[str, ...], str] | None = None
    birth: tuple[int, int, int] = (1980, 1, 1)
    phone: str = ""  # national significant number, 9 digits
    passport: str = ""
    address: str = ""
    city: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _phone(rng: random.Random) -> str:
    return "9" + "".join(str(rng.randrange(10)) for _ in range(8))


def _birth(rng: random.Random, lo: int, hi: int) -> tuple[int, int, int]:
    return rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28)


def people(n: int, rng: random.Random) -> list[Person]:
    """About ``n`` synthetic people in households: mixed Russian–Syrian families, Russian families, singles;
    with twins and mother/daughter namesakes."""
    out: list[Person] = []
    hh = 0
    while len(out) < n:
        hh += 1
        city = CITIES[int(rng.random() ** 1.5 * len(CITIES))]
        address = f"{STREETS[rng.randrange(len(STREETS))]} {rng.randint(1, 120)}, {city}"
        home = _phone(rng)
        u = rng.random()
        pref = f"P{hh:06d}"
        mother_given = RU_GIVEN_F[rng.randrange(len(RU_GIVEN_F))]
        maiden = feminine(RU_FAMILY_M[rng.randrange(len(RU_FAMILY_M))])
        mother_patr = patronymic(RU_GIVEN_M[rng.randrange(len(RU_GIVEN_M))], True)
        mb = _birth(rng, 1955, 1992)
        base = {"address": address, "city": city}
        if u < 0.60:  # a Russian wife of a Syrian husband, their children
            fam = AR_FAMILY[rng.randrange(len(AR_FAMILY))]
            husband = AR_GIVEN_M[rng.randrange(len(AR_GIVEN_M))]
            mother = Person(f"{pref}-1", "ru", "F", mother_given, "", maiden, mother_patr, ar_family=fam, birth=mb,
                            phone=_phone(rng) if rng.random() < 0.7 else home,
                            passport=_passport(rng) if rng.random() < 0.8 else "", **base)
            out.append(mother)
            if rng.random() < 0.5:
                out.append(Person(f"{pref}-2", "ar", "M", ar_given=husband, ar_family=fam,
                                  birth=_birth(rng, mb[0] - 12, mb[0] + 2), phone=home, **base))
            kids = _children(rng, mb)
            for k, (sex, kb) in enumerate(kids):
                if rng.random() < 0.5:
                    g = (AR_GIVEN_F if sex == "F" else AR_GIVEN_M)[rng.randrange(12)]
                    out.append(Person(f"{pref}-c{k}", "ar", sex, ar_given=g, ar_family=fam, birth=kb, **base,
                                      phone=home if rng.random() < 0.3 else ""))
                else:
                    g_c = (RU_GIVEN_F if sex == "F" else RU_GIVEN_M)[rng.randrange(20)]
                    out.append(Person(f"{pref}-c{k}", "ru", sex, g_c, "", "", patronymic(husband[2], sex == "F"),
                                      ar_family=fam, birth=kb, phone=home if rng.random() < 0.3 else "", **base))
        elif u < 0.85:  # a Russian family
            fam_m = RU_FAMILY_M[rng.randrange(len(RU_FAMILY_M))]
            father_given = RU_GIVEN_M[rng.randrange(len(RU_GIVEN_M))]
            out.append(Person(f"{pref}-1", "ru", "F", mother_given, feminine(fam_m), maiden, mother_patr, birth=mb,
                              phone=_phone(rng) if rng.random() < 0.7 else home,
                              passport=_passport(rng) if rng.random() < 0.8 else "", **base))
            out.append(Person(f"{pref}-2", "ru", "M", father_given, fam_m, "",
                              patronymic(RU_GIVEN_M[rng.randrange(len(RU_GIVEN_M))], False),
                              birth=_birth(rng, mb[0] - 8, mb[0] + 3), phone=home,
                              passport=_passport(rng) if rng.random() < 0.8 else "", **base))
            for k, (sex, kb) in enumerate(_children(rng, mb)):
                if sex == "F" and k == 0 and rng.random() < 0.08:  # daughter named after her mother
                    g_c = mother_given
                else:
                    g_c = (RU_GIVEN_F if sex == "F" else RU_GIVEN_M)[rng.randrange(20)]
                out.append(Person(f"{pref}-c{k}", "ru", sex, g_c, feminine(fam_m) if sex == "F" else fam_m, "",
                                  patronymic(father_given, sex == "F"), birth=kb,
                                  phone=home if rng.random() < 0.4 else "", **base))
        else:  # a single adult (diplomat, adviser, student)
            sex = "F" if rng.random() < 0.5 else "M"
            fam_m = RU_FAMILY_M[rng.randrange(len(RU_FAMILY_M))]
            g = (RU_GIVEN_F if sex == "F" else RU_GIVEN_M)[rng.randrange(20)]
            out.append(Person(f"{pref}-1", "ru", sex, g, feminine(fam_m) if sex == "F" else fam_m, "",
                              patronymic(RU_GIVEN_M[rng.randrange(len(RU_GIVEN_M))], sex == "F"),
                              birth=_birth(rng, 1950, 1993), phone=_phone(rng),
                              passport=_passport(rng) if rng.random() < 0.9 else "", **base))
    return out


def _passport(rng: random.Random) -> str:
    return f"{rng.randint(70, 76)}{rng.randrange(10**7):07d}"


def _children(rng: random.Random, mb: tuple[int, int, int]) -> list[tuple[str, tuple[int, int, int]]]:
    out: list[tuple[str, tuple[int, int, int]]] = []
    for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 4))):
        kb = _birth(rng, max(mb[0] + 19, 1980), min(mb[0] + 42, 2012))
        out.append(("F" if rng.random() < 0.5 else "M", kb))
        if rng.random() < 0.03:  # twins: one birth date, one surname, one phone
            out.append(("F" if rng.random() < 0.5 else "M", kb))
    return out


# -- listings: one person as one source writes her ---------------------------------------------------------
HEADER = ("external_id", "family_name", "given_name", "patronymic", "family_name_latin", "given_name_latin",
          "birth_date", "sex", "phone_number", "passport_number", "address", "city", "source")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(rng: random.Random, w: str) -> str:
    if len(w) < 4 or not w.isascii():
        return w
    i = rng.randint(1, len(w) - 2)
    k = rng.randrange(3)
    if k == 0:
        return w[:i] + rng.choice(_LETTERS) + w[i + 1:]
    if k == 1:
        return w[:i] + w[i + 1:]
    return w[:i - 1] + w[i] + w[i - 1] + w[i + 1:]


def _date(rng: random.Random, b: tuple[int, int, int], src: str) -> str:
    y, m, d = b
    u = rng.random()
    if u < 0.04:
        return ""
    if u < 0.06:
        y += rng.choice((-1, 1))  # a year off by one
    if src == "community":
        v = rng.random()
        if v < 0.35:
            return str(y)
        if v < 0.55:
            return f"{m:02d}.{y}"
    if src == "hotline" and rng.random() < 0.2:
        return str(y)
    if src in {"ngo", "register", "hotline"} and d <= 12 and rng.random() < 0.06:
        m, d = d, m  # day and month swapped
    if src == "hotline":
        return f"{y}-{m:02d}-{d:02d}"
    return f"{d:02d}.{m:02d}.{y}"


def _phone_text(rng: random.Random, nsn: str, src: str) -> str:
    if not nsn:
        return ""
    style = {"register": "intl", "hotline": "national", "community": "00", "ngo": "national",
             "arabic": rng.choice(("national", "intl"))}[src]
    if style == "national":
        return f"0{nsn[:3]} {nsn[3:6]} {nsn[6:]}"
    if style == "00":
        return f"00963{nsn}"
    return f"+963 {nsn[:3]} {nsn[3:6]} {nsn[6:]}"


def listing(rng: random.Random, p: Person, src: str, ext: str) -> dict[str, str]:
    """One row of source ``src`` about person ``p`` (see module docstring for each source's habits)."""
    std = {"register": "icao", "hotline": "bgn", "community": "french", "ngo": "german", "arabic": "icao"}[src]
    married = p.ar_family is not None and p.kind == "ru" and p.maiden_cyr
    use_maiden = bool(p.maiden_cyr) and (rng.random() < (0.35 if married else 0.15))
    row = dict.fromkeys(HEADER, "")
    row.update(external_id=ext, source=src, city=p.city if rng.random() < 0.95 else "",
               address=p.address if src in {"register", "community"} or rng.random() < 0.3 else "")
    # names
    if p.kind == "ar" or (p.ar_family is not None and not use_maiden):
        fam_ar, fam_lat, fam_cyr = p.ar_family if p.ar_family else ("", ("",), "")
        fam_latin = rng.choice(fam_lat)
    else:
        fam_ar, fam_cyr = "", (p.maiden_cyr if use_maiden else p.family_cyr)
        fam_latin = romanise(fam_cyr, std)
    if p.kind == "ar":
        assert p.ar_given is not None
        g_ar, g_lat, g_cyr = p.ar_given
        g_latin = rng.choice(g_lat)
    else:
        g_ar, g_cyr = "", p.given_cyr
        g_latin = romanise(g_cyr, std)
        if src == "hotline" and g_cyr in RU_DIMINUTIVE and rng.random() < 0.15:
            g_latin = RU_DIMINUTIVE[g_cyr]
    if src == "register":
        row.update(family_name=fam_cyr, given_name=g_cyr if p.kind == "ru" else (g_cyr if rng.random() < 0.7 else
                                                                                    g_latin),
                   family_name_latin=fam_latin, given_name_latin=g_latin,
                   patronymic=p.patronymic_cyr if rng.random() < 0.85 else "")
    elif src == "arabic" and p.kind == "ar":
        row.update(family_name=fam_ar, given_name=g_ar)
    elif src == "arabic" and fam_ar and rng.random() < 0.5:
        row.update(family_name=fam_ar, given_name=g_latin)
    else:
        row.update(family_name=fam_latin, given_name=g_latin)
        if src in {"ngo", "community"} and p.patronymic_cyr and rng.random() < 0.3:
            row["patronymic"] = romanise(p.patronymic_cyr, std)
    if rng.random() < 0.08:  # one typo in a Latin name
        key = rng.choice(("family_name", "given_name"))
        row[key] = _typo(rng, row[key])
    if rng.random() < 0.03:
        row["family_name"], row["given_name"] = row["given_name"], row["family_name"]
        row["family_name_latin"], row["given_name_latin"] = row["given_name_latin"], row["family_name_latin"]
    row["birth_date"] = _date(rng, p.birth, src)
    if src != "hotline" or rng.random() < 0.5:
        row["sex"] = (p.sex if src != "register" else {"M": "М", "F": "Ж"}[p.sex])
    # contacts: own phone or the household's, in the source's format; passports mostly on the register
    row["phone_number"] = _phone_text(rng, p.phone if rng.random() < 0.8 else "", src)
    p_doc = {"register": 0.9, "hotline": 0.15, "community": 0.3, "ngo": 0.3, "arabic": 0.05}[src]
    if p.passport and rng.random() < p_doc:
        row["passport_number"] = p.passport if rng.random() < 0.6 else f"{p.passport[:2]} {p.passport[2:]}"
    return row


def generate(n_people: int, *, seed: int) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Rows of a merged list of about ``n_people`` people and the truth ``external_id → person_id``.

    Each person is listed by one source (about 70 %), two (22 %) or three (8 %); a source never lists one
    person twice. Rows are shuffled.
    """
    if n_people < 1:
        raise ValueError(f"people must be at least 1, not {n_people}")
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    truth: dict[str, str] = {}
    for p in people(n_people, rng)[:n_people]:
        k = 1 if rng.random() < 0.70 else (2 if rng.random() < 0.73 else 3)
        srcs: list[str] = []
        while len(srcs) < k:
            s = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
            if s not in srcs:
                srcs.append(s)
        for s in srcs:
            ext = f"{s[:3].upper()}{len(rows) + 1:07d}"
            rows.append(listing(rng, p, s, ext))
            truth[ext] = p.pid
    rng.shuffle(rows)
    return rows, truth


def write(path: Path, n_people: int, *, seed: int) -> Path:
    """Write the list to ``path`` and the truth to ``<stem>.truth.csv`` beside it; returns the truth path."""
    rows, truth = generate(n_people, seed=seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)
    tpath = path.with_name(path.stem + ".truth.csv")
    with tpath.open("w", encoding="utf-8", newline="") as fh:
        tw = csv.writer(fh)
        tw.writerow(["external_id", "person_id"])
        tw.writerows(sorted(truth.items()))
    return tpath


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("independent-list.csv"))
    a = ap.parse_args()
    print(write(a.out, a.people, seed=a.seed))


if __name__ == "__main__":
    main()
