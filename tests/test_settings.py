"""The settings table: precedence defaults < config file < environment < CLI flags,
bad values named with their origin, and every setting listed by ``serve --help``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from allianceskg.errors import AllianceskgError
from allianceskg.settings import SETTINGS, defaults, load_settings


def test_defaults():
    settings = load_settings({}, environ={})
    assert settings == defaults()
    assert (settings.host, settings.port, settings.query_timeout) == ("127.0.0.1", 8000, 10.0)
    assert settings.cors_origins == () and settings.service_allowlist == ()


def test_precedence(tmp_path: Path):
    config = tmp_path / "allianceskg.toml"
    config.write_text('port = 9001\nquery_timeout = 5\nmax_rows = 50\ncors_origins = ["https://a.example"]\n')
    settings = load_settings({"max_rows": "7"}, config=config,
                             environ={"ALLIANCESKG_QUERY_TIMEOUT": "3.5"})
    assert settings.port == 9001                     # config file over default
    assert settings.query_timeout == 3.5             # environment over config file
    assert settings.max_rows == 7                    # CLI over everything
    assert settings.cors_origins == ("https://a.example",)


def test_config_file_from_the_environment(tmp_path: Path):
    config = tmp_path / "site.toml"
    config.write_text("workers = 3\n")
    assert load_settings({}, environ={"ALLIANCESKG_CONFIG": str(config)}).workers == 3


@pytest.mark.parametrize("cli, environ, message", [
    ({"port": "eighty"}, {}, "bad value 'eighty' for port (from --port)"),
    ({}, {"ALLIANCESKG_QUERY_TIMEOUT": "-1"}, "query_timeout (from ALLIANCESKG_QUERY_TIMEOUT): must be greater than 0"),
])
def test_bad_values_name_the_setting_and_origin(cli, environ, message):
    with pytest.raises(AllianceskgError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(cli, environ=environ)


def test_unknown_setting_in_config(tmp_path: Path):
    config = tmp_path / "c.toml"
    config.write_text("timeout = 3\n")
    with pytest.raises(AllianceskgError, match="unknown setting"):
        load_settings({}, config=config, environ={})


def test_serve_help_lists_every_setting():
    result = subprocess.run([sys.executable, "-m", "allianceskg", "serve", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for setting in SETTINGS:
        assert setting.flag in text and setting.env in text, setting.name


def test_a_busy_port_is_a_clear_error():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "allianceskg", "serve", "--port", str(port)],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_release_is_a_clear_error(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "allianceskg", "serve", "--port", "0",
                             "--data", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "no release at" in result.stderr and "allianceskg build" in result.stderr
