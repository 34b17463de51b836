import pytest

from infralens_core.cpulist import CpuListError, format_cpulist, parse_cpulist


@pytest.mark.parametrize(
    ("text", "cpus"),
    [
        ("0-3,8", {0, 1, 2, 3, 8}),
        ("5", {5}),
        (" 0-1 , 4 ", {0, 1, 4}),
        ("", set()),
        ("\n", set()),
    ],
)
def test_parse_reads_kernel_syntax(text, cpus):
    assert parse_cpulist(text) == cpus


@pytest.mark.parametrize(
    "text", ["5-3", "0-", "1,,2", "a", "-1", "1-2-3", "٣", "9999999"]
)
def test_parse_refuses_malformed_lists(text):
    with pytest.raises(CpuListError):
        parse_cpulist(text)


@pytest.mark.parametrize(
    ("cpus", "text"),
    [
        ({0, 1, 2, 3, 8}, "0-3,8"),
        ({1, 2, 4, 5}, "1-2,4-5"),
        ({7}, "7"),
        (set(), ""),
        ({48, 49, 50, 176, 177}, "48-50,176-177"),
    ],
)
def test_format_writes_runs_of_two_or_more_as_ranges(cpus, text):
    assert format_cpulist(cpus) == text


def test_format_then_parse_is_identity():
    cpus = {0, 2, 3, 4, 10, 11, 255}
    assert parse_cpulist(format_cpulist(cpus)) == cpus


def test_a_cpu_id_of_thousands_of_digits_is_a_cpulist_error():
    """int() raised its own ValueError past 4300 digits, escaping as a traceback."""
    with pytest.raises(CpuListError, match="far above the limit"):
        parse_cpulist("1-" + "9" * 5000)
