/* Strings of the duplicate review queue (same keys in every language; tests/web checks). */
"use strict";
window.EVAC_I18N_ADD({
  en: {
    "band": "Band", "band.all": "All pairs", "band.likely": "Likely matches", "band.review": "To review",
    "pages": "Pages of the queue", "page.prev": "Previous", "page.next": "Next", "page.range": "{from}–{to} of {total}",
    "dupes.unresolved": "{n} likely duplicates not yet reviewed; planned once each ({m} records set aside until reviewed).",
    "accept.likely": "Accept all likely matches ({n})",
    "accept.confirm": "Merge the {n} likely pairs, each group into its best record? Each merge can be undone.",
    "accept.confirm.place": "Merge the {n} likely pairs at {place}, each group into its best record? Each merge can be undone.",
    "accept.go": "Merge them", "cancel": "Cancel",
    "accepted.msg": "Accepted {pairs} likely pairs: {merged} records merged into {people} people.",
    "birth": "Born", "search.more": "The best {n} of {total} found: add a birth year or a second name to narrow."
  },
  ru: {
    "band": "Группа", "band.all": "Все пары", "band.likely": "Вероятные совпадения", "band.review": "На проверку",
    "pages": "Страницы очереди", "page.prev": "Назад", "page.next": "Далее", "page.range": "{from}–{to} из {total}",
    "dupes.unresolved": "Не проверено вероятных дубликатов: {n}; каждый учтён в плане один раз (отложено записей: {m}).",
    "accept.likely": "Принять все вероятные совпадения ({n})",
    "accept.confirm": "Объединить {n} вероятных пар, каждую группу в её лучшую запись? Любое объединение можно отменить.",
    "accept.confirm.place": "Объединить {n} вероятных пар в пункте {place}, каждую группу в её лучшую запись? Любое объединение можно отменить.",
    "accept.go": "Объединить", "cancel": "Отмена",
    "accepted.msg": "Принято вероятных пар: {pairs}; объединено записей: {merged} в {people} чел.",
    "birth": "Дата рождения", "search.more": "Показаны лучшие {n} из {total}: добавьте год рождения или второе имя."
  },
  ar: {
    "band": "الفئة", "band.all": "كل الأزواج", "band.likely": "تطابقات مرجحة", "band.review": "للمراجعة",
    "pages": "صفحات القائمة", "page.prev": "السابق", "page.next": "التالي", "page.range": "{from}–{to} من {total}",
    "dupes.unresolved": "{n} من التكرارات المرجحة لم تُراجع بعد؛ يُحسب كل منها مرة واحدة في الخطة ({m} سجلات مؤجلة حتى المراجعة).",
    "accept.likely": "قبول كل التطابقات المرجحة ({n})",
    "accept.confirm": "دمج {n} من الأزواج المرجحة، كل مجموعة في أفضل سجل لها؟ يمكن التراجع عن أي دمج.",
    "accept.confirm.place": "دمج {n} من الأزواج المرجحة في {place}، كل مجموعة في أفضل سجل لها؟ يمكن التراجع عن أي دمج.",
    "accept.go": "دمجها", "cancel": "إلغاء",
    "accepted.msg": "قُبل {pairs} من الأزواج المرجحة: دُمج {merged} سجلات في {people} أشخاص.",
    "birth": "تاريخ الميلاد", "search.more": "أفضل {n} من {total}: أضف سنة الميلاد أو اسمًا آخر لتضييق البحث."
  }
});
