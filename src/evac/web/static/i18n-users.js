/* Strings of users and roles (same keys in every language; tests/web checks). */
"use strict";
window.EVAC_I18N_ADD({
  en: {
    "user.add": "Add a user", "user.add.go": "Add user", "user.name.hint": "lower-case letters, digits, . _ -",
    "user.place": "Assembly point (field officers: a place id)",
    "user.password": "Password (at least 10 characters; hand it over in person)",
    "role.field_officer": "field officer", "role.planner": "planner", "role.viewer": "viewer", "role.admin": "admin",
    "user.role.of": "Role of {user}", "user.place.of": "Assembly point of {user}", "user.active.of": "{user} active",
    "user.save": "Save", "user.save.of": "Save changes to {user}", "user.saved": "Saved {user}.",
    "user.unchanged": "Nothing to change for {user}.", "user.added": "Added {user} as {role}."
  },
  ru: {
    "user.add": "Добавить пользователя", "user.add.go": "Добавить", "user.name.hint": "строчные латинские буквы, цифры, . _ -",
    "user.place": "Пункт сбора (для сотрудников на месте: код места)",
    "user.password": "Пароль (не меньше 10 символов; передайте лично)",
    "role.field_officer": "сотрудник на месте", "role.planner": "планировщик", "role.viewer": "наблюдатель",
    "role.admin": "администратор",
    "user.role.of": "Роль пользователя {user}", "user.place.of": "Пункт сбора пользователя {user}",
    "user.active.of": "{user} активен",
    "user.save": "Сохранить", "user.save.of": "Сохранить изменения для {user}", "user.saved": "{user}: сохранено.",
    "user.unchanged": "{user}: нечего менять.", "user.added": "Добавлен {user}: {role}."
  },
  ar: {
    "user.add": "إضافة مستخدم", "user.add.go": "إضافة", "user.name.hint": "حروف لاتينية صغيرة وأرقام و . _ -",
    "user.place": "نقطة التجمع (للضباط الميدانيين: رمز المكان)",
    "user.password": "كلمة المرور (10 أحرف على الأقل؛ سلّمها شخصيًا)",
    "role.field_officer": "ضابط ميداني", "role.planner": "مخطط", "role.viewer": "مراقب", "role.admin": "مدير",
    "user.role.of": "دور {user}", "user.place.of": "نقطة تجمع {user}", "user.active.of": "{user} نشط",
    "user.save": "حفظ", "user.save.of": "حفظ تغييرات {user}", "user.saved": "حُفظ {user}.",
    "user.unchanged": "لا شيء لتغييره لدى {user}.", "user.added": "أُضيف {user} بدور {role}."
  }
});
