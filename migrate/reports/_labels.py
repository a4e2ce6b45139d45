"""Entity names as every report shows them, per report language."""

from __future__ import annotations

__all__ = ["ENTITY_LABELS", "entity_label"]

ENTITY_LABELS = {
    "ru": {
        "company": "Компании", "contact": "Контакты", "deal": "Сделки", "lead": "Лиды",
        "product": "Товары", "product_section": "Разделы товаров", "note": "История",
        "deal_products": "Товары в сделках", "requisite": "Реквизиты",
        "comment": "Комментарии", "activity": "Дела", "deal_contacts": "Контакты сделок",
        "contact_companies": "Компании контактов",
    },
    "en": {
        "company": "Companies", "contact": "Contacts", "deal": "Deals", "lead": "Leads",
        "product": "Products", "product_section": "Product sections", "note": "History",
        "deal_products": "Deal products", "requisite": "Requisites",
        "comment": "Comments", "activity": "Activities", "deal_contacts": "Deal contacts",
        "contact_companies": "Contact companies",
    },
}  # fmt: skip


def entity_label(entity: str, language: str = "ru") -> str:
    """The plain name of ``entity`` in ``language`` (ru when unknown), else the code itself."""
    return ENTITY_LABELS.get(language, ENTITY_LABELS["ru"]).get(entity, entity)
