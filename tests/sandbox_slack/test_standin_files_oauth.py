"""The external file upload flow and multi-workspace OAuth installs."""

from __future__ import annotations

import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import SlackStandIn

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_files_upload_v2_shares_the_file_in_the_channel(slack: SlackStandIn, client: WebClient) -> None:
    answer = client.files_upload_v2(
        channel="C0PPC", content=PNG, filename="spend.png", title="Spend", initial_comment="Yesterday"
    )

    file_id = answer["file"]["id"]
    [message] = slack.messages("#ppc")
    assert message.text == "Yesterday"
    assert [(f["id"], f["title"], f["mimetype"]) for f in message.files] == [(file_id, "Spend", "image/png")]
    assert slack.file(file_id).data == PNG
    with urllib.request.urlopen(message.files[0]["url_private"]) as response:
        assert response.read() == PNG
    assert [c.method for c in slack.calls()] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


def test_completing_an_unuploaded_file_fails(client: WebClient) -> None:
    ticket = client.files_getUploadURLExternal(filename="a.csv", length=3)

    with pytest.raises(SlackApiError) as info:
        client.files_completeUploadExternal(
            files=[{"id": ticket["file_id"], "title": "A"}], channel_id="C0PPC"
        )

    assert info.value.response["error"] == "file_not_found"


def test_oauth_v2_access_with_a_minted_code(slack: SlackStandIn) -> None:
    slack.add_workspace(
        team_id="T1", name="Acme", bot_token="xoxb-test-T1", users=[{"id": "U1", "name": "una"}]
    )
    slack.configure_oauth(client_id="111.222", client_secret="shh")
    code = slack.issue_oauth_code(team_id="T1", user_id="U1")
    anonymous = WebClient(base_url=slack.api_url)

    with pytest.raises(SlackApiError) as info:
        anonymous.oauth_v2_access(client_id="111.222", client_secret="wrong", code=code)
    assert info.value.response["error"] == "bad_client_secret"

    installed = anonymous.oauth_v2_access(client_id="111.222", client_secret="shh", code=code)

    assert (installed["team"]["id"], installed["authed_user"]["id"], installed["token_type"]) == (
        "T1",
        "U1",
        "bot",
    )
    token = installed["access_token"]
    assert WebClient(token=token, base_url=slack.api_url).auth_test()["team_id"] == "T1"
    assert all("shh" not in str(call.args) for call in slack.calls())
    with pytest.raises(SlackApiError) as again:
        anonymous.oauth_v2_access(client_id="111.222", client_secret="shh", code=code)
    assert again.value.response["error"] == "invalid_code"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_install_page_redirects_with_code_and_state(slack: SlackStandIn) -> None:
    slack.configure_oauth(client_id="111.222", client_secret="shh")
    query = urlencode(
        {
            "client_id": "111.222",
            "scope": "commands,chat:write",
            "redirect_uri": "http://app.test/cb",
            "state": "s1",
        }
    )

    with urllib.request.urlopen(f"{slack.authorize_url}?{query}") as page:
        assert "Demo Co" in page.read().decode()

    opener = urllib.request.build_opener(NoRedirect)
    form = urlencode({"team_id": "T0DEMO", "user_id": "U0ADMIN"}).encode()
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"{slack.authorize_url}?{query}", data=form)

    redirect.value.close()
    location = urlsplit(redirect.value.headers["Location"])
    params = parse_qs(location.query)
    assert (location.netloc, params["state"]) == ("app.test", ["s1"])
    installed = WebClient(base_url=slack.api_url).oauth_v2_access(
        client_id="111.222", client_secret="shh", code=params["code"][0]
    )
    assert installed["team"]["id"] == "T0DEMO"
