"""`crm.status.add/delete` and `crm.category.delete` as the docs describe them (see the module
docstring of loaders/sandbox/_stages.py for the pages): pipelines and stages an integrator
creates and removes."""

from __future__ import annotations


def stages(portal, entity):
    rows = portal.result("crm.status.list", {"filter": {"ENTITY_ID": entity}})
    return {s["STATUS_ID"]: s for s in rows}


def test_a_stage_of_a_pipeline_gets_its_prefix_once(portal):
    pipeline = portal.result("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Т"}})
    n = pipeline["category"]["id"]
    bare = portal.result(
        "crm.status.add",
        {
            "fields": {
                "ENTITY_ID": f"DEAL_STAGE_{n}",
                "STATUS_ID": "UC_A",
                "NAME": "Заявка",
                "SORT": 15,
            }
        },
    )
    prefixed = portal.result("crm.status.add", {"fields": {
        "ENTITY_ID": f"DEAL_STAGE_{n}", "STATUS_ID": f"C{n}:UC_B", "NAME": "Подана", "SORT": 16,
    }})  # fmt: skip
    found = stages(portal, f"DEAL_STAGE_{n}")
    assert int(found[f"C{n}:UC_A"]["ID"]) == bare
    assert int(found[f"C{n}:UC_B"]["ID"]) == prefixed
    assert found[f"C{n}:UC_A"]["CATEGORY_ID"] == str(n)
    assert found[f"C{n}:UC_A"]["EXTRA"]["SEMANTICS"] == "process"
    general = portal.result("crm.status.add", {"fields": {
        "ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "UC_C", "NAME": "Думают", "SORT": 25}})  # fmt: skip
    assert stages(portal, "DEAL_STAGE")["UC_C"]["ID"] == str(general)


def test_stage_refusals(portal):
    def error(fields):
        reply = portal.call("crm.status.add", {"fields": fields})
        assert reply.status_code == 400
        return reply.json()["error_description"]

    base = {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "UC_X", "NAME": "X", "SORT": 15}
    assert error({**base, "ENTITY_ID": ""}) == "The field ENTITY_ID is required."
    assert (
        error({**base, "ENTITY_ID": "DEAL_STAGE_99"}) == "Specified entity type is not supported."
    )
    assert error({**base, "STATUS_ID": "NEW"}) == "The specified status ID already exists."
    assert error({**base, "NAME": ""}) == "The field Title is required."
    assert error({**base, "STATUS_ID": "две слова"}) == "Invalid parameters."
    assert error({**base, "STATUS_ID": "X" * 23}) == "Invalid parameters."
    assert "after success" in error({**base, "SORT": 65})  # WON is at 60
    failure = portal.result("crm.status.add", {"fields": {**base, "SORT": 95, "SEMANTICS": "F"}})
    assert stages(portal, "DEAL_STAGE")["UC_X"]["SEMANTICS"] == "F"
    assert failure > 0


def test_delete_a_stage_but_not_a_system_one_or_one_in_use(portal):
    new = portal.result("crm.status.add", {"fields": {
        "ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "UC_D", "NAME": "Д", "SORT": 15}})  # fmt: skip
    system = stages(portal, "DEAL_STAGE")["NEW"]["ID"]
    refused = portal.call("crm.status.delete", {"id": system})
    assert "FORCED" in refused.json()["error_description"]
    portal.result("crm.deal.add", {"fields": {"TITLE": "В работе", "STAGE_ID": "UC_D"}})
    in_use = portal.call("crm.status.delete", {"id": new})
    assert in_use.json()["error_description"] == "There are active items in this status."
    other = portal.result("crm.status.add", {"fields": {
        "ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "UC_E", "NAME": "Е", "SORT": 16}})  # fmt: skip
    assert portal.result("crm.status.delete", {"id": other}) is True
    assert "UC_E" not in stages(portal, "DEAL_STAGE")
    gone = portal.call("crm.status.delete", {"id": other})
    assert gone.json()["error_description"] == "Status is not found."


def test_delete_a_pipeline_with_its_stages_but_not_the_default_or_one_with_deals(portal):
    n = portal.result("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Т"}})[
        "category"]["id"]  # fmt: skip
    assert stages(portal, f"DEAL_STAGE_{n}")  # a new pipeline starts with stages
    deal = portal.result("crm.deal.add", {"fields": {"TITLE": "Д", "CATEGORY_ID": n}})
    busy = portal.call("crm.category.delete", {"entityTypeId": 2, "id": n}).json()
    assert (busy["error"], busy["error_description"]) == (
        "0",
        "Deals related to the funnel Т found",
    )
    portal.result("crm.deal.delete", {"id": deal})
    assert portal.result("crm.category.delete", {"entityTypeId": 2, "id": n}) is None
    assert stages(portal, f"DEAL_STAGE_{n}") == {}
    names = [
        c["name"] for c in portal.result("crm.category.list", {"entityTypeId": 2})["categories"]
    ]
    assert "Т" not in names
    default = portal.call("crm.category.delete", {"entityTypeId": 2, "id": 0}).json()
    assert default["error_description"] == "Default deal category cannot be deleted"
