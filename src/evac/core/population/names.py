"""Name tables and Russian name grammar for synthetic people, and BGN/PCGN romanisation of Cyrillic.

The tables hold common first names and surnames only; the generator combines them at random, so no
entry or combination stands for a real person. Arabic names carry one common Latin spelling and the usual
Russian form, so one Syrian family is spelled three ways, as in real consular lists; de-duplication can
use them as a variant table.
"""

from __future__ import annotations

from functools import cache

from evac.core.errors import ModelError
from evac.core.model.people import Sex


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Common first names and surnames, combined at random: never a real person's data.
RU_FEMALE_NAMES = _words("""
Анна Мария Елена Ольга Наталья Татьяна Ирина Светлана Екатерина Юлия Людмила Галина Надежда Марина Валентина
Любовь Вера Лариса Нина Тамара Оксана Алла Зоя Жанна Инна Евгения Виктория Ксения Дарья Анастасия Полина
Софья Алина Кристина Алёна Вероника Олеся Валерия Елизавета Александра Диана Маргарита Яна Ульяна Варвара
Лилия Раиса Антонина Лидия Зинаида Клавдия Римма Эльвира Регина Снежана Таисия Милана Ангелина Василиса
Карина Нелли Майя Элеонора Инга Кира Алиса Есения""")
RU_MALE_NAMES = _words("""
Александр Алексей Андрей Антон Артём Борис Вадим Валентин Валерий Василий Виктор Виталий Владимир Владислав
Вячеслав Геннадий Георгий Григорий Даниил Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл Константин
Леонид Максим Михаил Никита Николай Олег Павел Пётр Роман Руслан Сергей Станислав Степан Тимофей Фёдор Юрий
Ярослав Аркадий Анатолий Эдуард Семён Матвей Глеб Лев Марк Тимур Захар Арсений Макар Филипп Всеволод
Святослав Герман Ростислав Богдан Юлиан Эрик""")
RUSSIAN_SURNAMES = _words("""
Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев
Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв
Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев
Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Антонов Тарасов Жуков Баранов Филиппов
Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов
Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов
Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев
Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов
Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов
Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин
Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов
Воронов Аксёнов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников
Дёмин Хохлов Жданов Островский Покровский Успенский Богословский Преображенский Вознесенский Рождественский
Троицкий Знаменский Никольский Луговой Черных Седых Долгих""")

# Partner nations: extra first names and surnames recorded in Cyrillic (Russian forms), plus fathers' names
# for patronymics. Ukrainian -ко/-ук, Belarusian -ич and Moldovan surnames do not change for women.
PARTNER_FEMALE_NAMES: dict[str, tuple[str, ...]] = {
    "UA": _words("Богдана Оксана Олеся Ганна Леся Мирослава Христина Зоряна"),
    "BY": _words("Алеся Янина Ядвига Стефания Франтишка Агата"),
    "MD": _words("Мариана Корина Доина Ионела Родика Виорика Лилиана"),
    "KZ": _words("Айгуль Динара Гульнара Асель Жанар Салтанат Айжан"),
    "UZ": _words("Дилноза Гульнора Нигора Феруза Шахноза Мадина Зарина"),
}
PARTNER_SURNAMES: dict[str, tuple[str, ...]] = {
    "UA": _words("Шевченко Коваленко Бондаренко Ткаченко Кравченко Олейник Мельник Бойко Савченко Руденко "
                "Петренко Марченко Ковальчук Полищук Кравчук"),
    "BY": _words("Новик Ковалевич Жук Сенкевич Романович Козловский Василевич Янковский Климович "
                "Макаревич"),
    "MD": _words("Русу Чебан Цуркан Лупу Мунтяну Попеску Ботнару Морарь Ротарь Гуцу"),
    "KZ": _words("Ахметов Сулейменов Жумабаев Касымов Абенов Искаков Омаров Байжанов Тулегенов "
                "Сарсенбаев"),
    "UZ": _words("Каримов Рахимов Юсупов Алиев Турсунов Исмаилов Хасанов Мирзаев Абдуллаев "
                "Усманов"),
}
PARTNER_FATHER_NAMES: dict[str, tuple[str, ...]] = {
    "UA": _words("Тарас Остап Богдан Мирослав Ярослав"),
    "BY": _words("Янка Алесь Франц Ян Антон"),
    "MD": _words("Ион Штефан Василе Думитру Георге"),
    "KZ": _words("Нурлан Ерлан Бахыт Серик Канат Асхат"),
    "UZ": _words("Рустам Шухрат Бахтиёр Фарход Улугбек Алишер"),
}


def _table(text: str, width: int) -> tuple[tuple[str, ...], ...]:
    """Parse ``a:b:c; a:b:c`` entries (Arabic, one common Latin form, the usual Russian form)."""
    entries = text.replace("\n", ";").split(";")
    rows = tuple(tuple(f.strip() for f in e.split(":")) for e in entries if e.strip())
    bad = [r for r in rows if len(r) != width]
    if bad:
        raise ModelError(f"name table rows need {width} fields: {bad}")
    return rows


AR_MALE_NAMES = _table("""
محمد:Muhammad:Мухаммед; أحمد:Ahmad:Ахмед; محمود:Mahmoud:Махмуд; مصطفى:Mustafa:Мустафа
علي:Ali:Али; حسن:Hassan:Хасан; حسين:Hussein:Хусейн; خالد:Khaled:Халед; عمر:Omar:Омар
عمار:Ammar:Аммар; ياسر:Yasser:Ясер; سامر:Samer:Самер; باسل:Basel:Басель; ماهر:Maher:Махер
فادي:Fadi:Фади; رامي:Rami:Рами; وائل:Wael:Ваиль; وليد:Walid:Валид; زياد:Ziad:Зияд; نزار:Nizar:Низар
هيثم:Haytham:Хайсам; غسان:Ghassan:Гассан; عماد:Imad:Имад; عصام:Issam:Исам; هشام:Hisham:Хишам
طارق:Tareq:Тарик; فراس:Firas:Фирас; مازن:Mazen:Мазен; أيمن:Ayman:Айман; أنس:Anas:Анас
أسامة:Usama:Усама; إبراهيم:Ibrahim:Ибрагим; يوسف:Youssef:Юсуф; يحيى:Yahya:Яхья; عيسى:Issa:Иса
موسى:Mousa:Муса; سليمان:Suleiman:Сулейман; داود:Dawoud:Дауд; جورج:George:Жорж; إلياس:Elias:Ильяс
ميشيل:Michel:Мишель; جميل:Jamil:Джамиль; نبيل:Nabil:Набиль; سمير:Samir:Самир; منير:Munir:Мунир
بسام:Bassam:Бассам; حسام:Hussam:Хусам; عادل:Adel:Адель; كمال:Kamal:Камаль; جمال:Jamal:Джамаль
فيصل:Faisal:Фейсал; نادر:Nader:Надер; ناصر:Nasser:Насер; منصور:Mansour:Мансур; رياض:Riad:Рияд
فايز:Fayez:Фаиз; عدنان:Adnan:Аднан; مروان:Marwan:Марван; سعيد:Said:Саид; رشيد:Rashid:Рашид
مجد:Majd:Мажд; شادي:Shadi:Шади; عبد الله:Abdullah:Абдулла; عبد الرحمن:Abdulrahman:Абдуррахман
عبد الكريم:Abdulkarim:Абделькарим; عبد الرزاق:Abdulrazzaq:Абдураззак; صلاح:Salah:Салах
رضوان:Radwan:Радуан; أكرم:Akram:Акрам; أنور:Anwar:Анвар; توفيق:Tawfiq:Тауфик; حكمت:Hikmat:Хикмат
زهير:Zuhair:Зухейр; سهيل:Suhail:Сухейль; طلال:Talal:Талаль; عارف:Aref:Ареф; غازي:Ghazi:Гази
قاسم:Qasim:Касем; لؤي:Louay:Луай; محسن:Mohsen:Мохсен; مهند:Muhannad:Муханнад; نضال:Nidal:Нидаль
هاني:Hani:Хани; وسيم:Wassim:Васим; ياسين:Yassin:Ясин; بلال:Bilal:Билял; حمزة:Hamza:Хамза
معاذ:Muaz:Муаз; نور الدين:Nureddin:Нуреддин; عزيز:Aziz:Азиз; رامز:Ramez:Рамез; سليم:Salim:Салим
شريف:Sharif:Шариф; حازم:Hazem:Хазем; أيهم:Ayham:Айхам; خليل:Khalil:Халиль; فؤاد:Fouad:Фуад
ثائر:Thaer:Саир; ريان:Rayan:Райян; كريم:Karim:Карим; جهاد:Jihad:Джихад
""", 3)
AR_FEMALE_NAMES = _table("""
فاطمة:Fatima; عائشة:Aisha; مريم:Maryam; زينب:Zaynab; نور:Nour; سارة:Sara; ليلى:Layla; رنا:Rana
لينا:Lina; هبة:Hiba; آلاء:Alaa; رشا:Rasha; ريم:Reem; سلمى:Salma; دانة:Dana; جنى:Jana; لمى:Lama
يارا:Yara; تالا:Tala; ديما:Dima; رهف:Rahaf; بتول:Batoul; شهد:Shahad; غنى:Ghina; سوزان:Suzan; منى:Mona
هدى:Huda; سعاد:Suad; أمل:Amal; حنان:Hanan; سماح:Samah; وفاء:Wafaa; إيمان:Iman; رغد:Raghad
نادين:Nadine; رولا:Rula; ميس:Mais; ميار:Mayar; بشرى:Bushra; صفاء:Safaa; خديجة:Khadija; روان:Rawan
آية:Aya; جود:Joud; ماريا:Maria; ريتا:Rita
""", 2)
# Syrian family names. The Latin form is one common spelling; the Russian form follows Russian usage
# (article assimilated before "sun letters": Аш-Шами, Ас-Саати), so one family is spelled three ways.
AR_FAMILY_NAMES = _table("""
الحلبي:al-Halabi:Аль-Халаби; الشامي:al-Shami:Аш-Шами; الحمصي:al-Homsi:Аль-Хомси
الحموي:al-Hamawi:Аль-Хамави; الخطيب:al-Khatib:Аль-Хатиб; العلي:al-Ali:Аль-Али
الأحمد:al-Ahmad:Аль-Ахмад; الحسن:al-Hasan:Аль-Хасан; الحسين:al-Hussein:Аль-Хусейн
المصري:al-Masri:Аль-Масри; الخوري:Khoury:Хури; حداد:Haddad:Хаддад; نجار:Najjar:Наджар
العطار:al-Attar:Аль-Аттар; سعيد:Saeed:Саид; عباس:Abbas:Аббас; ديب:Dib:Диб; قاسم:Kassem:Касем
يوسف:Youssef:Юсеф; إبراهيم:Ibrahim:Ибрагим; صالح:Saleh:Салех; شحادة:Shehadeh:Шехаде
حمدان:Hamdan:Хамдан; درويش:Darwish:Дарвиш; زيدان:Zeidan:Зейдан; عثمان:Othman:Осман
النعسان:al-Naasan:Ан-Наасан; الساعاتي:al-Saati:Ас-Саати; القباني:al-Qabbani:Аль-Каббани
الدمشقي:al-Dimashqi:Ад-Димашки; السوري:al-Souri:Ас-Сури; العمر:al-Omar:Аль-Омар
الجاسم:al-Jasem:Аль-Джасем; الموسى:al-Mousa:Аль-Муса; الخليل:al-Khalil:Аль-Халиль
الصباغ:al-Sabbagh:Ас-Саббаг; الحكيم:al-Hakim:Аль-Хаким; الزعبي:al-Zoubi:Аз-Зуби
العبدالله:al-Abdullah:Аль-Абдалла; الرفاعي:al-Rifai:Ар-Рифаи; الكردي:al-Kurdi:Аль-Курди
التركماني:al-Turkmani:Ат-Туркмани; الأيوبي:al-Ayoubi:Аль-Айюби; البيطار:al-Bitar:Аль-Битар
الطويل:al-Tawil:Ат-Тавиль; الحجي:al-Hajji:Аль-Хаджи; السيد:al-Sayed:Ас-Сайед
الجندي:al-Jundi:Аль-Джунди; النوري:al-Nouri:Ан-Нури; الأتاسي:al-Atassi:Аль-Атаси
الحريري:al-Hariri:Аль-Харири; دياب:Diab:Диаб; عيسى:Issa:Иса; سليمان:Suleiman:Сулейман
منصور:Mansour:Мансур; نصر:Nasr:Наср; بكري:Bakri:Бакри; عرنوس:Arnous:Арнус; مراد:Mourad:Мурад
شريف:Sharif:Шариф; جبر:Jabr:Джабр; حمود:Hammoud:Хаммуд; خضور:Khaddour:Хаддур; سلوم:Salloum:Саллум
عيد:Eid:Ид; عبود:Abboud:Аббуд; نعمة:Nehme:Неме; حنا:Hanna:Ханна; غانم:Ghanem:Ганем; فرح:Farah:Фарах
معلوف:Maalouf:Маалуф; رستم:Rustom:Рустом; زين الدين:Zeineddine:Зейнеддин; عساف:Assaf:Ассаф
كيالي:Kayyali:Кайяли; طرابيشي:Tarabishi:Тарабиши; قدسي:Qudsi:Кудси; دباغ:Dabbagh:Даббаг
حمامي:Hammami:Хаммами; شعار:Shaar:Шаар; جبور:Jabbour:Джаббур; ملحم:Melhem:Мельхем
مخول:Makhoul:Махуль; يازجي:Yazigi:Язиджи; ناصيف:Nassif:Насиф
""", 3)

# BGN/PCGN romanisation of Russian, written out by hand, without diacritics or apostrophes (ё is "e",
# ь and ъ vanish), as consular lists write it. е/ё become "ye" at the start of a word and after a vowel,
# й, ъ or ь (Сергеевна → Sergeyevna, Наталья → Natalya); ы and й are "y" (Юрий → Yuriy).
BGN_PCGN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}
_YE_AFTER = frozenset("аеёиоуыэюяйъь")


@cache
def transliterate(text: str) -> str:
    """Cyrillic → Latin by :data:`BGN_PCGN`; other characters (hyphens, spaces, Latin) are kept."""
    out: list[str] = []
    prev = ""
    for ch in text:
        low = ch.lower()
        latin = BGN_PCGN.get(low)
        if latin is None:
            out.append(ch)
        else:
            if low in "её" and (not prev or prev in _YE_AFTER):
                latin = "ye"
            out.append(latin.capitalize() if ch != low else latin)
        prev = low if low in BGN_PCGN else ""
    return "".join(out)


_PATRONYMIC_EXCEPTIONS: dict[str, tuple[str, str]] = {
    "Павел": ("Павлович", "Павловна"), "Лев": ("Львович", "Львовна"), "Пётр": ("Петрович", "Петровна"),
    "Илья": ("Ильич", "Ильинична"), "Никита": ("Никитич", "Никитична"), "Янка": ("Янкович", "Янковна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"), "Георгий": ("Георгиевич", "Георгиевна"),
}


@cache
def patronymic(father: str, sex: Sex) -> str:
    """The Russian patronymic from a father's given name in Cyrillic (Сергей → Сергеевич / Сергеевна).

    Foreign names follow the same rules (Ахмед → Ахмедович, Мустафа → Мустафаевич, Али → Алиевна).
    """
    if father in _PATRONYMIC_EXCEPTIONS:
        male, female = _PATRONYMIC_EXCEPTIONS[father]
    else:
        if father.endswith("ий"):
            stem, soft = father[:-2] + "ь", True
        elif father.endswith(("й", "ь")):
            stem, soft = father[:-1], True
        elif father[-1] in "аяеиоуэюыё" or father[-1] in "жшчщц":
            stem, soft = father, True
        else:
            stem, soft = father, False
        male, female = (stem + "евич", stem + "евна") if soft else (stem + "ович", stem + "овна")
    return male if sex is Sex.MALE else female


@cache
def surname_for(masculine: str, sex: Sex) -> str:
    """A Russian-type surname in the form for ``sex`` (Иванов → Иванова, Островский → Островская).

    Surnames in -ко, -ук, -ич, -их and foreign ones do not change for women.
    """
    if sex is Sex.MALE:
        return masculine
    if masculine.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return masculine + "а"
    if masculine.endswith(("ский", "цкий")):
        return masculine[:-2] + "ая"
    if masculine.endswith(("ой", "ый")):
        return masculine[:-2] + "ая"
    return masculine

