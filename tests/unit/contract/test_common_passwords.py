"""The shipped blocklist is the public list it claims to be."""

from __future__ import annotations

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from contract.rules.blocklist import common_passwords


def test_common_passwords_has_at_least_ten_thousand_entries() -> None:
    assert len(common_passwords()) >= 10_000


def test_common_passwords_is_zxcvbns_list_case_folded() -> None:
    # Regenerate common_passwords.txt from zxcvbn's "passwords" list when this fails.
    assert common_passwords() == {p.casefold() for p in FREQUENCY_LISTS["passwords"]}
