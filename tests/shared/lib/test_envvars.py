"""Strict environment readers (govservice/lib/envvars.py): a typo is an error, never a silent False."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from govservice.lib.envvars import env_bool, env_fernet_keys, env_int, env_list, env_secret, env_str, parse_bool


@pytest.mark.parametrize("word", ["true", "TRUE", "True", " yes ", "1", "on", "On"])
def test_it_reads_the_true_words(word):
    assert parse_bool("X", word) is True


@pytest.mark.parametrize("word", ["false", "FALSE", "No", "0", " off", "OFF "])
def test_it_reads_the_false_words(word):
    assert parse_bool("X", word) is False


@pytest.mark.parametrize("word", ["Ture", "flase", "y", "n", "ok", "2", "enabled", "-1"])
def test_it_refuses_anything_else_naming_the_variable_and_the_value(word):
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_bool("SECURE_SSL_REDIRECT", word)
    assert "SECURE_SSL_REDIRECT" in str(refused.value) and repr(word) in str(refused.value)


def test_it_uses_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("GS_TEST_FLAG", raising=False)
    assert env_bool("GS_TEST_FLAG", True) is True
    monkeypatch.setenv("GS_TEST_FLAG", "  ")
    assert env_bool("GS_TEST_FLAG", True) is True
    monkeypatch.setenv("GS_TEST_FLAG", "off")
    assert env_bool("GS_TEST_FLAG", True) is False
    monkeypatch.setenv("GS_TEST_FLAG", "Ture")
    with pytest.raises(ImproperlyConfigured, match="GS_TEST_FLAG='Ture'"):
        env_bool("GS_TEST_FLAG", True)


def test_it_refuses_a_number_that_is_not_one(monkeypatch):
    monkeypatch.setenv("GS_TEST_NUMBER", " 42 ")
    assert env_int("GS_TEST_NUMBER", 1) == 42
    monkeypatch.setenv("GS_TEST_NUMBER", "4O")
    with pytest.raises(ImproperlyConfigured, match="GS_TEST_NUMBER='4O'"):
        env_int("GS_TEST_NUMBER", 1)


def test_an_empty_string_or_list_is_a_value(monkeypatch):
    # NOTIFY_QUIET_HOURS= means "no quiet hours", NOTIFY_QUIET_CHANNELS= "no channel": not the default.
    monkeypatch.setenv("GS_TEST_TEXT", "")
    assert env_str("GS_TEST_TEXT", "21:00-08:00") == ""
    monkeypatch.setenv("GS_TEST_TEXT", "")
    assert env_list("GS_TEST_TEXT", ["sms"]) == []
    monkeypatch.setenv("GS_TEST_TEXT", " sms , email ,")
    assert env_list("GS_TEST_TEXT", []) == ["sms", "email"]


def test_a_secret_has_its_development_default_only_in_development(monkeypatch):
    monkeypatch.delenv("GS_TEST_SECRET", raising=False)
    assert env_secret("GS_TEST_SECRET", "dev-value", dev_mode=True) == "dev-value"
    with pytest.raises(ImproperlyConfigured, match="GS_TEST_SECRET must be set"):
        env_secret("GS_TEST_SECRET", "dev-value", dev_mode=False)
    monkeypatch.setenv("GS_TEST_SECRET", "  ")
    with pytest.raises(ImproperlyConfigured):
        env_secret("GS_TEST_SECRET", "dev-value", dev_mode=False)
    monkeypatch.setenv("GS_TEST_SECRET", "real-secret")
    assert env_secret("GS_TEST_SECRET", "dev-value", dev_mode=False) == "real-secret"


def test_fernet_keys_are_required_outside_development_checked_and_never_the_public_development_key(monkeypatch):
    development, real = ["uT2SrFJLYa4y6RSvyl2F8rLyOLqBotRw-638oXRvXtE="], "8rtmnEHlEaPMh7JUCMKKzGmDCIMtxk6tJ05-0zPqFXk="
    monkeypatch.delenv("GS_TEST_KEYS", raising=False)
    assert env_fernet_keys("GS_TEST_KEYS", development, dev_mode=True) == development
    with pytest.raises(ImproperlyConfigured, match="GS_TEST_KEYS must be set"):
        env_fernet_keys("GS_TEST_KEYS", development, dev_mode=False)
    monkeypatch.setenv("GS_TEST_KEYS", f" {real} , not-a-key-but-secret-looking ")
    with pytest.raises(ImproperlyConfigured, match="GS_TEST_KEYS: key 2 is not a Fernet key") as refused:
        env_fernet_keys("GS_TEST_KEYS", development, dev_mode=False)
    assert "not-a-key" not in str(refused.value)  # a message never shows a key
    monkeypatch.setenv("GS_TEST_KEYS", f"{real},{development[0]}")
    with pytest.raises(ImproperlyConfigured, match="development key"):
        env_fernet_keys("GS_TEST_KEYS", development, dev_mode=False)
    monkeypatch.setenv("GS_TEST_KEYS", real)
    assert env_fernet_keys("GS_TEST_KEYS", development, dev_mode=False) == [real]
