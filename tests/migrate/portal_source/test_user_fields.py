"""The source's user-field definitions as `crm.deal.userfield.list` answers them, kept for
the plan. The rows are cut from the documented reply (bitrix24/b24restdocs,
api-reference/crm/deals/user-defined-fields/crm-deal-userfield-list.md, «Response Handling»,
asked with ``filter[LANG]``): a multiple list, a multiple string with settings, a file field.
"""

from __future__ import annotations

from migrate.portal.source import SourceUserField
from migrate.portal.source._fields import (
    read_user_fields,
    user_fields_from_rows,
    write_user_fields,
)

DOCUMENTED = [
    {"ID": "6799", "ENTITY_ID": "CRM_DEAL", "FIELD_NAME": "UF_CRM_1724077760",
     "USER_TYPE_ID": "enumeration", "XML_ID": None, "SORT": "150", "MULTIPLE": "Y",
     "MANDATORY": "N", "SHOW_FILTER": "E",
     "SETTINGS": {"DISPLAY": "LIST", "LIST_HEIGHT": 1, "CAPTION_NO_VALUE": "",
                  "SHOW_NO_VALUE": "Y"},
     "EDIT_FORM_LABEL": "Radio", "LIST_COLUMN_LABEL": "Radio", "LIST_FILTER_LABEL": "Radio",
     "LIST": [
         {"ID": "3181", "SORT": "130", "VALUE": "DFM Yuriev-Polsky", "DEF": "N", "XML_ID": "fc"},
         {"ID": "3157", "SORT": "10", "VALUE": "Children's Radio", "DEF": "N", "XML_ID": "79"},
         {"ID": "3159", "SORT": "20", "VALUE": "Shanson Radio", "DEF": "N", "XML_ID": "d3"},
     ]},
    {"ID": "6997", "ENTITY_ID": "CRM_DEAL", "FIELD_NAME": "UF_CRM_HELLO_WORLD",
     "USER_TYPE_ID": "string", "XML_ID": None, "SORT": "2000", "MULTIPLE": "Y",
     "MANDATORY": "N", "SETTINGS": {"SIZE": 20, "ROWS": 10, "REGEXP": "", "MIN_LENGTH": 0,
                                    "MAX_LENGTH": 0, "DEFAULT_VALUE": "Hello"},
     "EDIT_FORM_LABEL": "Hello, world! Edit (modified)"},
    {"ID": "6791", "ENTITY_ID": "CRM_DEAL", "FIELD_NAME": "UF_CRM_1722578010",
     "USER_TYPE_ID": "file", "MULTIPLE": "Y", "MANDATORY": "Y", "SETTINGS": []},
]  # fmt: skip


def test_the_documented_rows_become_definitions_with_items_in_sort_order():
    found = user_fields_from_rows("deal", DOCUMENTED)
    radio = found["UF_CRM_1724077760"]
    assert (radio.type, radio.multiple, radio.mandatory, radio.label) == (
        "enumeration", True, False, "Radio")  # fmt: skip
    assert radio.items == ("Children's Radio", "Shanson Radio", "DFM Yuriev-Polsky")
    assert radio.settings["DISPLAY"] == "LIST"
    hello = found["UF_CRM_HELLO_WORLD"]
    assert (hello.type, hello.multiple, hello.items) == ("string", True, ())
    assert hello.settings["ROWS"] == 10
    files = found["UF_CRM_1722578010"]
    # no labels without filter[LANG]: the field's name stands in; `[]` settings are none
    assert (files.type, files.mandatory, files.label, files.settings) == (
        "file", True, "UF_CRM_1722578010", {})  # fmt: skip


def test_the_definitions_are_kept_beside_the_snapshots_and_read_back(tmp_path):
    kept = {"deal": user_fields_from_rows("deal", DOCUMENTED)}
    write_user_fields(tmp_path, kept)
    assert read_user_fields(tmp_path) == kept
    assert isinstance(read_user_fields(tmp_path)["deal"]["UF_CRM_HELLO_WORLD"], SourceUserField)
    (tmp_path / "user_fields.json").write_text("{broken", "utf-8")
    assert read_user_fields(tmp_path) == {}  # unreadable: the plan guesses as for files
    assert read_user_fields(tmp_path / "nothing") == {}
