"""Building batches and reading batch replies, PHP-JSON quirks included (pure)."""

from __future__ import annotations

import pytest

from loaders.batch import (
    Command,
    build_batches,
    find_refs,
    is_read_method,
    parse_batch_reply,
    resolve_refs,
    result_ref,
)
from loaders.errors import PortalFieldError, PortalOperationLimited, PortalUnavailable


def add(key: str, **fields) -> Command:
    return Command(key, "crm.contact.add", {"fields": fields or {"NAME": key}})


def test_command_string_is_method_and_php_query():
    command = Command("c1", "crm.contact.list", {"filter": {">ID": 7}, "select": ["ID"]})
    assert command.to_cmd() == "crm.contact.list?filter[%3EID]=7&select[0]=ID"
    assert Command("me", "user.current").to_cmd() == "user.current"


@pytest.mark.parametrize("key", ["", "a b", "x[1]", "a&b", "ключ"])
def test_bad_keys_are_refused(key):
    with pytest.raises(ValueError, match="command key"):
        Command(key, "crm.contact.add")


def test_reads_and_writes():
    assert is_read_method("crm.contact.list")
    assert is_read_method("user.current")
    assert is_read_method("crm.enum.addresstype")  # crm.enum.*: fixed lists, read only
    assert not is_read_method("crm.contact.add")
    assert not is_read_method("crm.item.batchImport")
    assert Command("u", "crm.deal.update", idempotent=True).retry_safe
    assert not add("a").retry_safe


def test_references():
    command = Command("d", "crm.deal.add", {"fields": {"CONTACT_ID": result_ref("c", "ID")}})
    assert result_ref("p", 49, "ID") == "$result[p][49][ID]"
    assert find_refs(command) == {"c"}
    resolved = resolve_refs(command, {"c": {"ID": 42}})
    assert resolved.params == {"fields": {"CONTACT_ID": 42}}
    partial = Command("x", "m.add", {"t": "id=$result[c][ID];" + result_ref("z")})
    assert resolve_refs(partial, {"c": {"ID": 1}}).params == {"t": "id=1;$result[z]"}


def test_build_batches_packs_by_fifty_in_order():
    commands = [add(f"c{i}") for i in range(123)]
    batches = build_batches(commands)
    assert [len(b) for b in batches] == [50, 50, 23]
    assert [c.key for b in batches for c in b] == [c.key for c in commands]


def test_build_batches_keeps_chains_together():
    commands = [add(f"c{i}") for i in range(48)]
    commands.append(Command("d1", "crm.deal.add", {"fields": {"CONTACT_ID": result_ref("c0")}}))
    commands.append(add("c48"))
    commands.append(Command("d2", "crm.deal.add", {"fields": {"CONTACT_ID": result_ref("c48")}}))
    batches = build_batches(commands)
    assert [len(b) for b in batches] == [49, 2]
    assert [c.key for c in batches[1]] == ["c48", "d2"]
    assert all(len(b) <= 50 for b in build_batches(commands, size=10))


def test_build_batches_refuses_what_cannot_run():
    with pytest.raises(ValueError, match="twice"):
        build_batches([add("a"), add("a")])
    with pytest.raises(ValueError, match="not an earlier key"):
        build_batches([Command("a", "m.add", {"x": result_ref("b")}), add("b")])
    chain = [add("c0")] + [
        Command(f"c{i}", "m.add", {"x": result_ref(f"c{i - 1}")}) for i in range(1, 51)
    ]
    with pytest.raises(ValueError, match="exceed a batch"):
        build_batches(chain)
    with pytest.raises(ValueError, match="batch size"):
        build_batches([add("a")], size=51)


def _time(op: float) -> dict:
    return {"start": 1.0, "finish": 1.1, "duration": 0.1, "operating": op,
            "operating_reset_at": 1700000000}  # fmt: skip


def test_reply_with_object_sections_maps_every_key():
    commands = [add("a"), add("b"), Command("l", "crm.contact.list")]
    body = {"result": {
        "result": {"a": 11, "l": [{"ID": "1"}]},
        "result_error": {"b": {"error": "", "error_description": "Parameter 'fields' is bad"}},
        "result_total": {"l": 1}, "result_next": [],
        "result_time": {"a": _time(0.1), "b": _time(0.1), "l": _time(0.2)},
    }}  # fmt: skip
    result = parse_batch_reply(body, commands)
    assert [r.key for r in result] == ["a", "b", "l"]
    assert result["a"].ok
    assert result["a"].result == 11
    assert isinstance(result["b"].error, PortalFieldError)
    assert result["b"].error.key == "b"
    assert result["b"].error.method == "crm.contact.add"
    assert result["l"].total == 1
    assert result["l"].next is None
    assert result["l"].time.operating == 0.2
    assert not result.ok
    assert [r.key for r in result.errors] == ["b"]


def test_php_lists_are_mapped_back_to_numeric_keys():
    commands = [add("0"), add("1"), add("2")]
    body = {"result": {
        "result": {"1": 5, "2": 6},           # keys 1, 2: an object
        "result_error": [{"error": "ERROR_CORE", "error_description": "bad e-mail<br>"}],  # key 0
        "result_total": [], "result_next": [],
        "result_time": [_time(0.1), _time(0.2), _time(0.3)],
    }}  # fmt: skip
    result = parse_batch_reply(body, commands)
    assert result["0"].status == "error"
    assert result["0"].error.code == "ERROR_CORE"
    assert (result["1"].result, result["2"].result) == (5, 6)
    assert result["2"].time.operating == 0.3


def test_all_successes_with_numeric_keys_come_as_a_list():
    commands = [Command("0", "user.current"), Command("1", "crm.contact.list")]
    body = {"result": {"result": [{"ID": "1"}, []], "result_error": [], "result_total": {"1": 0},
                       "result_next": [], "result_time": []}}  # fmt: skip
    result = parse_batch_reply(body, commands)
    assert result["0"].result == {"ID": "1"}
    assert result["1"].result == []
    assert result["1"].total == 0
    assert result.ok


def test_halted_batch_marks_the_rest_skipped():
    commands = [add("a"), add("b"), add("c")]
    body = {"result": {
        "result": {"a": 1}, "result_error": {"b": {"error": "", "error_description": "x"}},
        "result_total": [], "result_next": [], "result_time": {"a": _time(0)},
    }}  # fmt: skip
    result = parse_batch_reply(body, commands)
    assert [r.status for r in result] == ["ok", "error", "skipped"]


def test_operating_refusal_inside_a_batch_is_typed():
    body = {"result": {"result": [], "result_error": {"a": {
        "error": "OPERATION_TIME_LIMIT", "error_description": "Method is blocked"}}}}  # fmt: skip
    item = parse_batch_reply(body, [add("a")])["a"]
    assert isinstance(item.error, PortalOperationLimited)
    assert item.error.transient


@pytest.mark.parametrize(
    "body",
    [None, [], {"error": "x"}, {"result": 5}, {"result": {"result": [1, 2, 3, 4]}}],
)
def test_replies_that_are_not_batch_replies(body):
    with pytest.raises(PortalUnavailable):
        parse_batch_reply(body, [add("a"), add("b")])


def test_lookup_of_unknown_key():
    result = parse_batch_reply({"result": {"result": {"a": 1}}}, [add("a")])
    with pytest.raises(KeyError):
        result["zz"]
    assert len(result) == 1


def test_bad_method_names_are_refused():
    with pytest.raises(ValueError, match="bad method name"):
        Command("a", "crm.contact.add?x=1")


def test_references_into_lists_and_missing_paths():
    command = Command(
        "n",
        "m.add",
        {"ids": [result_ref("l", 1, "ID"), result_ref("l", 9, "ID")], "t": result_ref("l", "x")},
    )
    resolved = resolve_refs(command, {"l": [{"ID": "1"}, {"ID": "2"}]})
    assert resolved.params == {"ids": ["2", None], "t": None}


def test_time_blocks_with_odd_values():
    from loaders.batch import ReplyTime

    timing = ReplyTime.from_raw({"start": "1.5", "operating": "n/a", "finish": True})
    assert (timing.start, timing.operating, timing.finish) == (1.5, None, None)
    assert ReplyTime.from_raw([]) is None


def test_a_list_section_php_cannot_produce_is_read_by_position():
    body = {"result": {"result": [7, 8], "result_total": {"a": "x"}}}
    result = parse_batch_reply(body, [add("a"), add("b")])
    assert [r.result for r in result] == [7, 8]
    assert result["a"].total is None
