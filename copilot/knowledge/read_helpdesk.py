"""Knowledge items from helpdesk API responses saved as JSON files, recognised by their shape.

- Chatwoot canned responses: GET /api/v1/accounts/{id}/canned_responses returns a list of
  {id, account_id, short_code, content, created_at, updated_at}.
- Chatwoot help-centre articles: GET /api/v1/accounts/{id}/portals/{slug}/articles returns
  {"payload": [{id, title, content (Markdown), description, status, category {id, name}, ...}], "meta": {...}}.
- Zendesk macros: GET /api/v2/macros returns {"macros": [{id, title, active, actions: [{field, value}], ...}]};
  the reply is the `comment_value` action (a string, or [channel, text]) or `comment_value_html`.
- Zendesk Help Center articles: GET /api/v2/help_center/articles returns {"articles": [{id, title,
  body (HTML), label_names, html_url, locale, draft, ...}]}.
A single {"macro": {...}} or {"article": {...}}, and our own list of {title, body, tags}, are read too.
Drafts, archived articles and inactive macros are skipped (an agent must not cite unpublished text).
"""
from __future__ import annotations

from collections.abc import Iterator

from copilot.knowledge.items import ARTICLE, KINDS, MAX_TITLE_CHARS, REPLY, Item, clean_tags, cut_body
from copilot.knowledge.plaintext import html_to_text, markdown_to_text, tidy


class UnknownShape(Exception):
    """JSON that is none of the shapes above; the message says what was found."""


def _item(on_note, where: str, **fields) -> Item:
    body, cut = cut_body(fields.pop("body"))
    if cut:
        on_note(where, cut)
    fields["title"] = tidy(fields["title"])[:MAX_TITLE_CHARS]
    return Item(body=body, **fields)


def chatwoot_canned(rows: list, origin: str, on_skip, on_note) -> Iterator[Item]:
    for i, row in enumerate(rows):
        where = f"{origin}[{i}]"
        content = tidy(str(row.get("content") or ""))
        if not content:
            on_skip(where, "canned response has no content")
            continue
        account = f"{row['account_id']}/" if row.get("account_id") is not None else ""
        code = str(row.get("short_code") or "").strip()
        yield _item(on_note, where, id=f"chatwoot-canned:{account}{row.get('id', code)}", kind=REPLY,
                    title=code or content[:60], body=content, tags=clean_tags([code]), source="chatwoot_canned",
                    origin=where)


def chatwoot_articles(rows: list, origin: str, on_skip, on_note) -> Iterator[Item]:
    for i, row in enumerate(rows):
        where = f"{origin}[{i}] {str(row.get('title', ''))[:60]!r}"
        status = str(row.get("status", "published")).lower()
        if status not in ("published", "1"):
            on_skip(where, f"{status} article (only published articles are used)")
            continue
        body, _ = markdown_to_text(str(row.get("content") or ""))
        if not body:
            on_skip(where, "article has no text")
            continue
        category = row.get("category") if isinstance(row.get("category"), dict) else {}
        account = f"{row['account_id']}/" if row.get("account_id") is not None else ""
        yield _item(on_note, where, id=f"chatwoot-article:{account}{row.get('id', i)}", kind=ARTICLE,
                    title=str(row.get("title") or body[:60]), body=body, source="chatwoot_article", origin=where,
                    tags=clean_tags([category.get("name", "")]),
                    url=str(row.get("url") or ""), locale=str(category.get("locale") or row.get("locale") or ""))


def _macro_text(actions: list) -> str:
    for action in actions:
        if not isinstance(action, dict):
            continue
        value = action.get("value")
        if action.get("field") == "comment_value_html" and isinstance(value, str):
            return html_to_text(value)[0]
        if action.get("field") == "comment_value":
            if isinstance(value, list):  # ["channel:all", "text"]
                value = value[-1] if value else ""
            return tidy(str(value or ""))
    return ""


def zendesk_macros(rows: list, origin: str, on_skip, on_note) -> Iterator[Item]:
    for i, row in enumerate(rows):
        where = f"{origin}[{i}] {str(row.get('title', ''))[:60]!r}"
        if row.get("active") is False:
            on_skip(where, "inactive macro")
            continue
        actions = row.get("actions") if isinstance(row.get("actions"), list) else []
        body = _macro_text(actions)
        if not body:
            on_skip(where, "macro has no reply text (it only changes ticket fields)")
            continue
        title = str(row.get("title") or body[:60])
        tags = [a.get("value") for a in actions if isinstance(a, dict) and a.get("field") in ("set_tags", "current_tags")]
        words = " ".join(t if isinstance(t, str) else " ".join(map(str, t)) for t in tags if t)
        yield _item(on_note, where, id=f"zendesk-macro:{row.get('id', title)}", kind=REPLY,
                    title=title.replace("::", " › "), body=body, source="zendesk_macro", origin=where,
                    tags=clean_tags([*title.split("::")[:-1], *words.split()]))


def zendesk_articles(rows: list, origin: str, on_skip, on_note) -> Iterator[Item]:
    for i, row in enumerate(rows):
        where = f"{origin}[{i}] {str(row.get('title', ''))[:60]!r}"
        if row.get("draft") is True:
            on_skip(where, "draft article (only published articles are used)")
            continue
        body, _ = html_to_text(str(row.get("body") or ""))
        if not body:
            on_skip(where, "article has no text")
            continue
        locale = str(row.get("locale") or "")
        yield _item(on_note, where, id=f"zendesk-article:{row.get('id', i)}{':' + locale if locale else ''}",
                    kind=ARTICLE, title=str(row.get("title") or body[:60]), body=body, source="zendesk_article",
                    origin=where, tags=clean_tags(row.get("label_names") or []), url=str(row.get("html_url") or ""),
                    locale=locale)


def plain_items(rows: list, origin: str, on_skip, on_note, default_kind: str | None) -> Iterator[Item]:
    """Our own simple form: [{"title", "body", "tags", "kind"?, "id"?, "url"?}]."""
    for i, row in enumerate(rows):
        where = f"{origin}[{i}]"
        body = tidy(str(row.get("body") or ""))
        if not body:
            on_skip(where, "item has no body")
            continue
        kind = row.get("kind") if row.get("kind") in KINDS else (default_kind if default_kind in KINDS else ARTICLE)
        title = str(row.get("title") or body[:60])
        yield _item(on_note, where, id=f"json:{row.get('id') or title.lower()[:80]}", kind=kind, title=title,
                    body=body, tags=clean_tags(row.get("tags")), source="json", origin=where,
                    url=str(row.get("url") or ""))


def _rows_of(value) -> list[dict]:
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def json_items(data, origin: str, on_skip, on_note, default_kind: str | None = None) -> Iterator[Item]:
    """Items of one decoded JSON document, by its shape. Raises UnknownShape."""
    if isinstance(data, dict):
        if isinstance(data.get("macros"), list) or isinstance(data.get("macro"), dict):
            return zendesk_macros(_rows_of(data.get("macros")) or [data["macro"]], origin, on_skip, on_note)
        if isinstance(data.get("articles"), list) or isinstance(data.get("article"), dict):
            return zendesk_articles(_rows_of(data.get("articles")) or [data["article"]], origin, on_skip, on_note)
        if isinstance(data.get("payload"), list):
            data = data["payload"]
    rows = _rows_of(data)
    if rows and all("short_code" in r and "content" in r for r in rows):
        return chatwoot_canned(rows, origin, on_skip, on_note)
    if rows and all("title" in r and "content" in r for r in rows):
        return chatwoot_articles(rows, origin, on_skip, on_note)
    if rows and all("body" in r for r in rows):
        return plain_items(rows, origin, on_skip, on_note, default_kind)
    what = f"an object with keys {sorted(data)[:8]}" if isinstance(data, dict) else f"a {type(data).__name__}"
    if isinstance(data, list):
        what = "an empty list" if not data else f"a list of {type(data[0]).__name__}"
    raise UnknownShape(f"not a Chatwoot or Zendesk export (found {what}); expected canned responses, "
                       "articles, macros, or a list of {title, body, tags}")
