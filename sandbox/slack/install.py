"""A tiny "Add to Slack" consent page at ``/oauth/v2/authorize`` for multi-workspace install tests.

GET shows the workspaces and an Allow button per workspace; POST mints a one-time code and redirects
to ``redirect_uri?code=…&state=…``, which the app exchanges with ``oauth.v2.access``.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from sandbox.httpkit import Request, Response
from sandbox.slack.state import SlackState

__all__ = ["handle_authorize"]

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Install Hilal</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;color:#1d1c1d}}
form{{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}}
button{{background:#007a5a;color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;font-weight:700}}</style>
</head><body><h1>Hilal is requesting permission</h1>
<p>Scopes: <code>{scopes}</code></p>{forms}</body></html>"""

_FORM = """<form method="post" action="/oauth/v2/authorize?{query}"><h2>{name}</h2>
<input type="hidden" name="team_id" value="{team}"><label>Install as
<select name="user_id">{users}</select></label> <button type="submit">Allow</button></form>"""


def _page(state: SlackState, request: Request) -> Response:
    forms = []
    for ws in state.workspaces.values():
        users = "".join(
            f'<option value="{html.escape(u.id)}">{html.escape(u.real_name or u.name)}</option>'
            for u in ws.users
        )
        forms.append(
            _FORM.format(
                query=html.escape(urlencode(request.query)),
                name=html.escape(ws.name),
                team=html.escape(ws.team_id),
                users=users,
            )
        )
    body = _PAGE.format(scopes=html.escape(request.query.get("scope", "")), forms="".join(forms))
    return Response.text(body, content_type="text/html; charset=utf-8")


def handle_authorize(state: SlackState, request: Request, *, client_id: str | None) -> Response:
    """Serve the consent page (GET) or grant a code and redirect (POST)."""
    if client_id is None or request.query.get("client_id") != client_id:
        return Response.text("invalid_client_id", status=400)
    redirect_uri = request.query.get("redirect_uri")
    if not redirect_uri:
        return Response.text("bad_redirect_uri", status=400)
    if request.method != "POST":
        with state.lock:
            return _page(state, request)
    form = request.params()
    with state.lock:
        state.workspace(str(form.get("team_id")))
        code = state.new_id("code-").lower()
        state.oauth_codes[code] = (str(form.get("team_id")), str(form.get("user_id")))
    query = {"code": code, **({"state": request.query["state"]} if "state" in request.query else {})}
    separator = "&" if "?" in redirect_uri else "?"
    return Response(
        302, b"", {"Content-Type": "text/plain", "Location": f"{redirect_uri}{separator}{urlencode(query)}"}
    )
