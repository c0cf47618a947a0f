"""Spreadsheet cells: text a spreadsheet would run as a formula is neutralised, nothing else."""

import pytest

from coursekit.domain.spreadsheet import safe_cell


@pytest.mark.parametrize(
    "value",
    [
        "=1+2",
        '=HYPERLINK("http://evil.example","click")',
        "+1",
        "-1+2",
        "@SUM(A1:A2)",
        "\t=1+2",
        "\rtext",
        "=",  # the start character alone
        "=张三",
        '＝HYPERLINK("http://evil.example")',  # fullwidth, as a Chinese input method types it
        "＋1",
        "－1＋2",
        "＠SUM(A1:A2)",
    ],
)
def test_formula_starts_get_a_leading_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_a_negative_number_written_as_text_is_neutralised() -> None:
    assert safe_cell("-5") == "'-5"
    assert safe_cell("+86 138 0000 0000") == "'+86 138 0000 0000"


@pytest.mark.parametrize(
    "value",
    [
        "Ann Lee",
        "张三",
        "欧阳 娜娜",
        "",
        "a=b",  # a formula character later in the text is harmless
        "ann@example.com",
        "5-3",
        " =1+2",  # only the very first character counts
        "'=already quoted",
    ],
)
def test_ordinary_text_is_unchanged(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [0, 42, -5, 3.5, -0.25, 73.7, None, True])
def test_numbers_and_other_values_pass_unchanged(value: object) -> None:
    result = safe_cell(value)
    assert result == value
    assert type(result) is type(value)  # -5 stays a number, not the text "'-5"
