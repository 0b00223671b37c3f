"""Every missing or malformed setting ends in one line naming the variable and what is expected."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, load_settings
from storage.crypto import generate_key_line


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HILAL_PORT": "eighty"}, "HILAL_PORT"),
        ({"HILAL_PORT": "70000"}, "HILAL_PORT"),
        (
            {"HILAL_DATABASE_URL": "mysql://db/hilal"},
            "HILAL_DATABASE_URL must be a sqlite:///PATH or postgresql",
        ),
        ({"HILAL_ENCRYPTION_KEYS": "nocolon"}, "HILAL_ENCRYPTION_KEYS entry 1 must look like kid:base64key"),
        ({"HILAL_ENCRYPTION_KEYS": "k1:c2hvcnQ"}, "HILAL_ENCRYPTION_KEYS key 'k1' must decode to 32 bytes"),
        ({"HILAL_PUBLIC_URL": "hilal.example.com"}, "HILAL_PUBLIC_URL must be an http:// or https:// URL"),
        ({"HILAL_AMAZON_EU_TOKEN_URL": "ftp://x"}, "HILAL_AMAZON_EU_TOKEN_URL must be an http"),
        ({"HILAL_SYNC_ACTIVE_MINUTES": "0"}, "HILAL_SYNC_ACTIVE_MINUTES"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR"),
    ],
)
def test_malformed_values_name_the_variable(env, expected):
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    message = str(err.value)
    assert message.startswith(expected.split()[0])
    assert expected in message
    assert "\n" not in message


def test_duplicate_key_ids_are_refused():
    line = generate_key_line("k1")
    with pytest.raises(ConfigError, match="appears twice"):
        load_settings({"HILAL_ENCRYPTION_KEYS": f"{line},{line}"})


def test_secret_values_never_show_in_repr():
    line = generate_key_line("k1")
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-test-secret", "HILAL_ENCRYPTION_KEYS": line})
    assert "xoxb-test-secret" not in repr(s)
    assert line.split(":")[1] not in repr(s) and line.split(":")[1] not in repr(s.encryption_keys)


def test_without_slack_credentials_it_is_local_mode_and_needs_no_keys():
    s = load_settings({})
    assert s.local_mode
    s.require_production_secrets()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-test"}, "HILAL_ENCRYPTION_KEYS is not set"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-test", "HILAL_ENCRYPTION_KEYS": generate_key_line("k")},
            "SLACK_SIGNING_SECRET",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-test",
                "SLACK_SIGNING_SECRET": "s",
                "HILAL_ENCRYPTION_KEYS": generate_key_line("k"),
            },
            "AMAZON_ADS_CLIENT_ID and AMAZON_ADS_CLIENT_SECRET are required",
        ),
        ({"SLACK_CLIENT_ID": "1.2", "HILAL_ENCRYPTION_KEYS": generate_key_line("k")}, "SLACK_CLIENT_SECRET"),
    ],
)
def test_production_mode_refuses_to_start_without_what_it_needs(env, expected):
    with pytest.raises(ConfigError, match=expected):
        load_settings(env).require_production_secrets()


def test_postgres_urls_are_normalised_to_psycopg():
    s = load_settings({"HILAL_DATABASE_URL": "postgres://u@h/db"})
    assert s.hilal_database_url == "postgresql+psycopg://u@h/db"
