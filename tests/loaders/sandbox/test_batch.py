"""batch: order, halt, $result substitution, limits and the PHP JSON quirks of the reply."""

from __future__ import annotations

SECTIONS = {"result", "result_error", "result_total", "result_next", "result_time"}


def test_named_commands_substitution_and_all_sections(portal):
    out = portal.batch(
        {
            "co": "crm.company.add?fields[TITLE]=ООО%20Ромашка",
            "ct": "crm.contact.add?fields[NAME]=Иван&fields[COMPANY_ID]=$result[co]",
            "get": "crm.contact.get?id=$result[ct]",
        }
    )
    assert set(out) == SECTIONS
    assert out["result"]["get"]["COMPANY_ID"] == "1"
    assert out["result_error"] == []
    assert out["result_total"] == []
    assert out["result_next"] == []
    assert set(out["result_time"]) == {"co", "ct", "get"}
    assert "operating" in out["result_time"]["ct"]


def test_list_paths_and_array_injection(portal):
    for i in range(3):
        portal.result("crm.contact.add", {"fields": {"NAME": f"n{i}"}})
    out = portal.batch(
        {
            "l": "crm.contact.list?order[ID]=ASC&select[]=ID",
            "g": "crm.contact.get?id=$result[l][2][ID]",
            "d": "crm.deal.add?fields[TITLE]=x&fields[CONTACT_IDS]=$result[ids]",
            "ids": "crm.contact.list?select[]=ID",
        }
    )
    assert out["result"]["g"]["NAME"] == "n2"
    assert out["result_total"] == {"l": 3, "ids": 3}


def test_list_of_commands_gives_json_arrays(portal):
    out = portal.batch(["crm.contact.add?fields[NAME]=a", "crm.contact.list"])
    assert out["result"][0] == 1
    assert isinstance(out["result"], list)
    assert isinstance(out["result_time"], list)
    assert out["result_total"] == {"1": 1}  # key 1 alone is not 0..n-1: a JSON object


def test_errors_keep_keys_unless_they_are_0_to_n(portal):
    out = portal.batch(["crm.contact.get?id=5", "crm.contact.get?id=6"])
    assert out["result"] == []
    assert out["result_error"] == [{"error": "", "error_description": "Not found"}] * 2
    mixed = portal.batch(["crm.contact.add?fields[NAME]=a", "crm.contact.get?id=99"])
    assert mixed["result"] == [1]
    assert mixed["result_error"] == {"1": {"error": "", "error_description": "Not found"}}


def test_halt_stops_at_first_failure(portal):
    cmd = {
        "a": "crm.contact.add?fields[NAME]=a",
        "b": "crm.contact.get?id=99",
        "c": "crm.contact.add?fields[NAME]=c",
    }
    out = portal.batch(cmd, halt=1)
    assert out["result"] == {"a": 1}
    assert list(out["result_error"]) == ["b"]
    assert "c" not in out["result_time"]
    assert portal.app.store.count("contact") == 1
    out = portal.batch(cmd, halt=0)
    assert set(out["result"]) == {"a", "c"}


def test_more_than_50_commands(portal):
    out = portal.batch({f"k{i}": "user.current" for i in range(52)})
    assert len(out["result"]) == 50
    assert out["result_error"] == {
        k: {
            "error": "ERROR_BATCH_LENGTH_EXCEEDED",
            "error_description": "Max batch length exceeded",
        }
        for k in ("k50", "k51")
    }


def test_nested_batch_and_unknown_method(portal):
    out = portal.batch({"b": "batch?cmd[x]=user.current", "u": "crm.nope"})
    assert out["result_error"]["b"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert out["result_error"]["u"]["error"] == "ERROR_METHOD_NOT_FOUND"


def test_list_pages_and_unresolved_reference(portal):
    for i in range(60):
        portal.result("crm.contact.add", {"fields": {"NAME": f"n{i}"}})
    out = portal.batch({"p": "crm.contact.list?select[]=ID", "g": "crm.contact.get?id=$result[zz]"})
    assert out["result_total"] == {"p": 60}
    assert out["result_next"] == {"p": 50}
    assert out["result_error"]["g"]["error_description"] == "ID is not defined or invalid."


def test_double_encoded_form_batch(portal):
    data = {"cmd[a]": "crm.company.add?fields[TITLE]=A%26B", "halt": "0"}
    reply = portal.request("POST", portal.hook + "batch", data=data)
    assert reply.status_code == 200
    assert portal.result("crm.company.get", {"id": 1})["TITLE"] == "A&B"
