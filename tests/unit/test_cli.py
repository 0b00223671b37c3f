"""The `hilal` command as an operator meets it: one clear line on every mistake, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.settings import parse_encryption_keys
from storage.crypto import SecretContext, TokenCipher, generate_key_line
from storage.db import make_engine, session_scope
from storage.models import Connection


def hilal(*args, env=None, cwd=None):
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("HILAL_", "SLACK_", "AMAZON_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
    )


def test_keys_generate_prints_a_usable_line():
    result = hilal("keys", "generate", "--kid", "k2027")
    assert result.returncode == 0
    (key,) = parse_encryption_keys(result.stdout.strip())
    assert key.kid == "k2027" and len(key.key) == 32


def test_malformed_setting_is_one_line_without_traceback(tmp_path):
    result = hilal("db", "upgrade", env={"HILAL_DATABASE_URL": "mysql://nope"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hilal: HILAL_DATABASE_URL must be a sqlite:///PATH or postgresql://USER@HOST/DB URL"
    ]


def test_unreachable_database_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/missing-dir/x.db"
    result = hilal("db", "upgrade", env={"HILAL_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot open the database" in lines[0] and "HILAL_DATABASE_URL" in lines[0]


def test_run_refuses_unmigrated_production_database(tmp_path):
    env = {
        "HILAL_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "AMAZON_ADS_CLIENT_ID": "c",
        "AMAZON_ADS_CLIENT_SECRET": "s",
        "HILAL_ENCRYPTION_KEYS": generate_key_line("k1"),
    }
    result = hilal("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "hilal: the database schema is not up to date: run `hilal db upgrade` first"
    )


def test_upgrade_then_rotate_reencrypts_everything_and_is_idempotent(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/h.db"
    old, new = generate_key_line("old"), generate_key_line("new")
    assert hilal("db", "upgrade", env={"HILAL_DATABASE_URL": url}).returncode == 0
    engine = make_engine(url)
    old_cipher = TokenCipher([(k.kid, k.key) for k in parse_encryption_keys(old)])
    with session_scope(engine) as s:
        for i, region in enumerate(["na", "eu", "fe"]):
            ctx = SecretContext("amazon-ads-refresh-token", f"T{i}", region)
            s.add(
                Connection(
                    team_id=f"T{i}", region=region, refresh_token_enc=old_cipher.encrypt(f"Atzr|{i}", ctx)
                )
            )
    env = {"HILAL_DATABASE_URL": url, "HILAL_ENCRYPTION_KEYS": f"{new},{old}"}
    first = hilal("keys", "rotate", env=env)
    assert first.returncode == 0, first.stderr
    assert "rotated 3" in first.stdout and "{'new': 3}" in first.stdout
    again = hilal("keys", "rotate", env=env)
    assert "rotated 0, already current 3" in again.stdout
    new_cipher = TokenCipher([(k.kid, k.key) for k in parse_encryption_keys(new)])
    with session_scope(engine, readonly=True) as s:
        rows = s.execute(select(Connection)).scalars().all()
        plain = [
            new_cipher.decrypt(
                c.refresh_token_enc, SecretContext("amazon-ads-refresh-token", c.team_id, c.region)
            )
            for c in rows
        ]
    assert sorted(plain) == ["Atzr|0", "Atzr|1", "Atzr|2"]
    assert "Atzr|" not in first.stdout + first.stderr


def test_rotate_with_a_missing_old_key_names_the_row(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/h.db"
    hilal("db", "upgrade", env={"HILAL_DATABASE_URL": url})
    gone = TokenCipher([(k.kid, k.key) for k in parse_encryption_keys(generate_key_line("gone"))])
    with session_scope(make_engine(url)) as s:
        ctx = SecretContext("amazon-ads-refresh-token", "T1", "eu")
        s.add(Connection(team_id="T1", region="eu", refresh_token_enc=gone.encrypt("Atzr|x", ctx)))
    result = hilal(
        "keys", "rotate", env={"HILAL_DATABASE_URL": url, "HILAL_ENCRYPTION_KEYS": generate_key_line("k")}
    )
    assert result.returncode == 2
    assert "connection 1" in result.stderr and "'gone'" in result.stderr and "Atzr" not in result.stderr
