"""Roster files: decoding, header detection, normalisation and every bad row reported at once."""

import pytest

from coursekit.domain.roster import (
    MAX_ROWS,
    RosterError,
    RosterInvalid,
    RosterRow,
    decode,
    parse_roster,
)

NOT_UTF8 = "the file is not UTF-8 text (save it as CSV UTF-8)"


def errors_of(text: str) -> list[RosterError]:
    with pytest.raises(RosterInvalid) as caught:
        parse_roster(text)
    return caught.value.errors


def test_english_header_row_is_skipped() -> None:
    rows = parse_roster("Name,Email\nAnn Lee,ann@example.com\nBob Ma,bob@example.com\n")
    assert rows == [
        RosterRow(2, "Ann Lee", "ann@example.com"),
        RosterRow(3, "Bob Ma", "bob@example.com"),
    ]


def test_chinese_header_row_is_skipped_and_chinese_names_kept_exactly() -> None:
    rows = parse_roster("姓名,邮箱\n张三,zhang.san@example.com\n欧阳 娜娜,ouyang@example.cn\n")
    assert rows == [
        RosterRow(2, "张三", "zhang.san@example.com"),
        RosterRow(3, "欧阳 娜娜", "ouyang@example.cn"),
    ]


def test_without_a_header_the_first_row_is_data_in_name_email_order() -> None:
    rows = parse_roster("Ann Lee,ann@example.com\n李四,li.si@example.com\n")
    assert rows == [
        RosterRow(1, "Ann Lee", "ann@example.com"),
        RosterRow(2, "李四", "li.si@example.com"),
    ]


def test_header_may_put_the_columns_in_the_other_order_among_others() -> None:
    rows = parse_roster("Email,Name\nann@example.com,Ann Lee\n")
    assert rows == [RosterRow(2, "Ann Lee", "ann@example.com")]
    rows = parse_roster("工号,电子邮箱,部门,名字\n007,wang@example.com,销售,王五\n")
    assert rows == [RosterRow(2, "王五", "wang@example.com")]


def test_header_cells_are_matched_ignoring_case_and_surrounding_spaces() -> None:
    rows = parse_roster(" FULL NAME , E-Mail \nAnn Lee,ann@example.com\n")
    assert rows == [RosterRow(2, "Ann Lee", "ann@example.com")]


def test_header_with_a_doubled_space_inside_a_column_name() -> None:
    # Spreadsheets keep stray spaces in headers; "Full  Name" still names the name column.
    rows = parse_roster("Full  Name,Email\nAnn Lee,ann@example.com\n")
    assert rows == [RosterRow(2, "Ann Lee", "ann@example.com")]


def test_names_and_emails_are_trimmed_and_emails_lower_cased() -> None:
    rows = parse_roster("  Ann Lee  ,  Ann.Lee@Example.COM  \n")
    assert rows == [RosterRow(1, "Ann Lee", "ann.lee@example.com")]


def test_blank_lines_are_skipped_but_still_counted() -> None:
    text = "Name,Email\n\nAnn,ann@example.com\n , \n\nBob,bob@example.com\n\n"
    assert parse_roster(text) == [
        RosterRow(3, "Ann", "ann@example.com"),
        RosterRow(6, "Bob", "bob@example.com"),
    ]


def test_windows_line_endings_and_quoted_cells() -> None:
    text = 'Name,Email\r\n"Lee, Ann",ann@example.com\r\n'
    assert parse_roster(text) == [RosterRow(2, "Lee, Ann", "ann@example.com")]


def test_decode_strips_a_utf8_byte_order_mark_so_the_header_is_recognised() -> None:
    data = "\ufeff姓名,邮箱\n张三,zhang@example.com\n".encode()
    text = decode(data)
    assert text.startswith("姓名")
    assert parse_roster(text) == [RosterRow(2, "张三", "zhang@example.com")]


def test_decode_accepts_plain_utf8() -> None:
    assert decode("张三,zhang@example.com\n".encode()) == "张三,zhang@example.com\n"


def test_non_utf8_bytes_are_refused_not_guessed() -> None:
    with pytest.raises(RosterInvalid) as caught:
        decode("张三,zhang@example.com\n".encode("gbk"))
    assert caught.value.errors == [RosterError(1, NOT_UTF8)]
    assert str(caught.value) == f"line 1: {NOT_UTF8}"


def test_empty_name() -> None:
    assert errors_of("Name,Email\n   ,ann@example.com\n") == [RosterError(2, "the name is empty")]


def test_name_longer_than_200_characters() -> None:
    assert errors_of(f"{'x' * 201},ann@example.com\n") == [
        RosterError(1, "the name is longer than 200 characters")
    ]
    assert parse_roster(f"{'x' * 200},ann@example.com\n")[0].name == "x" * 200


def test_invalid_email() -> None:
    [error] = errors_of("Name,Email\nAnn,ann@example.com\nBob,not-an-email\n")
    assert error.line == 3
    assert error.reason.startswith("'not-an-email' is not a valid email address (")


def test_empty_email_is_invalid() -> None:
    [error] = errors_of("Ann,\n")
    assert error.line == 1
    assert error.reason.startswith("'' is not a valid email address (")


def test_duplicate_email_names_the_first_line() -> None:
    text = "Name,Email\nAnn,ann@example.com\nBob,bob@example.com\nAnn Again,ANN@Example.com\n"
    assert errors_of(text) == [RosterError(4, "ann@example.com is already on line 2")]


def test_missing_column() -> None:
    assert errors_of("Name,Email\nAnn,ann@example.com\nBob\n") == [
        RosterError(3, "needs a name and an email")
    ]


def test_missing_column_counts_from_the_header_positions() -> None:
    # The header puts the email in the third column, so two cells are not enough.
    assert errors_of("Name,Team,Email\nAnn,Sales\n") == [
        RosterError(2, "needs a name and an email")
    ]


@pytest.mark.parametrize("text", ["", "\n\n", " , \n", "Name,Email\n", "姓名,邮箱\n\n"])
def test_a_file_without_rows(text: str) -> None:
    assert errors_of(text) == [RosterError(1, "the file has no rows")]


def test_every_bad_row_is_reported_at_once_and_nothing_is_returned() -> None:
    text = (
        "Name,Email\n"  # 1
        "Ann,ann@example.com\n"  # 2 fine
        ",nobody@example.com\n"  # 3 empty name
        "Bob,bob-at-example\n"  # 4 invalid email
        "\n"  # 5 blank, skipped
        "Carol\n"  # 6 missing column
        "Ann Two,Ann@example.com\n"  # 7 duplicate of line 2
        "Dan,dan@example.com\n"  # 8 fine
    )
    errors = errors_of(text)
    assert [e.line for e in errors] == [3, 4, 6, 7]
    assert errors[0].reason == "the name is empty"
    assert "'bob-at-example' is not a valid email address" in errors[1].reason
    assert errors[2].reason == "needs a name and an email"
    assert errors[3].reason == "ann@example.com is already on line 2"


def test_the_exception_message_lists_every_error() -> None:
    with pytest.raises(RosterInvalid) as caught:
        parse_roster(",a@example.com\n,b@example.com\n")
    assert str(caught.value) == "line 1: the name is empty; line 2: the name is empty"


def test_too_many_rows() -> None:
    lines = [f"P{i},p{i}@example.com" for i in range(MAX_ROWS + 1)]
    assert errors_of("\n".join(lines)) == [
        RosterError(MAX_ROWS + 1, f"too many rows (at most {MAX_ROWS})")
    ]
    assert len(parse_roster("\n".join(lines[:MAX_ROWS]))) == MAX_ROWS
