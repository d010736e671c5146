"""Importing knowledge: every format, re-import in place, and bad input that must be reported, not crash."""
from __future__ import annotations

import json
import shutil
import tracemalloc
from pathlib import Path

import pytest

from copilot.knowledge.base import KnowledgeBase
from copilot.knowledge.items import MAX_BODY_CHARS, MAX_EXAMPLES
from copilot.knowledge.plaintext import html_to_text, markdown_to_text
from copilot.knowledge.store import StoreError

DATA = Path(__file__).parent / "data" / "knowledge"
SAMPLE = Path(__file__).parent.parent / "resources" / "knowledge" / "sample"


@pytest.fixture
def kb(tmp_path):
    base = KnowledgeBase.open(tmp_path / "index" / "knowledge.sqlite")
    yield base
    base.close()


def test_chatwoot_and_zendesk_exports_are_read_by_their_shape(kb):
    report = kb.import_paths(sorted(DATA.glob("*.json")))
    canned = kb.get("chatwoot-canned:1/11")
    assert canned.kind == "reply" and canned.title == "refund_time" and "{{contact.first_name}}" in canned.body
    article = kb.get("chatwoot-article:1/3")
    assert article.kind == "article" and "30 days" in article.body and "steal" not in article.body
    assert "returns" in article.tags and "your orders (https://shop.example/orders)" in article.body
    macro = kb.get("zendesk-macro:360001")
    assert macro.kind == "reply" and macro.title == "Shipping › Late order apology"
    assert {"late_delivery", "shipping"} <= set(macro.tags)
    assert kb.get("zendesk-macro:360002").body == "Please send a photo of the damage."
    assert kb.get("zendesk-macro:360005").body == "We have received your request."
    zd = kb.get("zendesk-article:1001:en-us")
    assert zd.url.startswith("https://help.example.com/") and zd.tags == ("order_status", "tracking")
    assert "- Check your e-mail" in zd.body and "2 business days" in zd.body
    reasons = report.to_dict()["skipped"]
    text = json.dumps(reasons)
    for why in ("canned response has no content", "draft article", "archived article", "inactive macro",
                "macro has no reply text"):
        assert why in text, why
    assert report.added == 7
    notes = json.dumps(report.to_dict()["notes"])
    assert "contact.custom_attribute.vip_code" in notes and "placeholders nobody can fill" in notes


def test_sample_knowledge_base_imports_cleanly(kb):
    report = kb.import_paths([SAMPLE])
    assert report.by_kind == {"article": 22, "reply": 25}
    assert list(report.skipped) == ["describes the folder, not knowledge (README, LICENSE, ...)"]
    assert not report.notes  # every placeholder in the sample replies is one we can fill
    assert kb.get("csv:late-trace").tags == ("late_delivery", "shipping")
    assert kb.get("sample:returns-policy").title == "Returns and exchanges"


def test_reimport_updates_in_place_and_removes_what_is_gone(kb, tmp_path):
    folder = tmp_path / "help"
    shutil.copytree(SAMPLE / "help", folder)
    first = kb.import_paths([folder])
    assert first.added == 22
    (folder / "gift-cards.md").write_text("---\nid: sample:gift-cards\n---\n# Gift cards\n\nThey now expire after 5 years.\n")
    (folder / "invoices.md").unlink()
    second = kb.import_paths([folder])
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 1, 20, 1)
    assert "5 years" in kb.get("sample:gift-cards").body
    assert kb.get("sample:invoices") is None
    assert sum(kb.counts().values()) == 21


def test_unreadable_file_keeps_its_old_item(kb, tmp_path, monkeypatch):
    folder = tmp_path / "help"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nalpha text")
    (folder / "b.md").write_text("# B\n\nbeta text")
    kb.import_paths([folder])
    from copilot.knowledge import read_files

    real = read_files.read_text

    def failing(path, limit=read_files.MAX_READ_BYTES):
        if path.name == "b.md":
            raise read_files.SkipFile("cannot be read (Permission denied)")
        return real(path, limit)

    monkeypatch.setattr(read_files, "read_text", failing)
    report = kb.import_paths([folder])
    assert report.removed == 0 and kb.get("file:help/b.md") is not None
    assert "some files could not be read" in json.dumps(report.to_dict()["notes"])


def test_csv_columns_are_matched_loosely_and_bad_rows_reported(kb, tmp_path):
    path = tmp_path / "faq_articles.csv"
    path.write_text("Question,Answer,Labels\nHow long is shipping?,3 to 5 <b>business</b> days.,shipping;order_status\n"
                    "No answer,,\nReturns?,30 days.,returns\n", encoding="utf-8")
    report = kb.import_paths([path])
    item = kb.get("csv:faq_articles:how-long-is-shipping")
    assert item.kind == "article" and item.body == "3 to 5 business days." and item.tags == ("shipping", "order_status")
    assert report.skipped_count["row has no body text"] == 1
    bad = tmp_path / "replies.csv"
    bad.write_text("name,notes\nx,y\n")
    report = kb.import_paths([bad])
    assert report.taken == 0 and "no body column (found: name, notes" in json.dumps(report.to_dict())


def test_hostile_and_huge_input_is_cut_and_reported(kb, tmp_path):
    folder = tmp_path / "kb"
    folder.mkdir()
    paragraph = "<p>Our returns policy explains every case in detail. </p>" * 20
    huge = "<html><head><title>Huge</title><script>" + "x" * 1_000_000 + "</script></head><body>"
    huge += paragraph * 20_000 + "</body></html>"
    (folder / "huge.html").write_text(huge)
    assert (folder / "huge.html").stat().st_size > 20_000_000
    (folder / "broken.html").write_text("<div><p>Unclosed <b>bold <script>document.cookie</script> tail <a href='javascript:x'>link</a>")
    (folder / "binary.md").write_bytes(b"\x00\x01\x02PNG" * 100)
    (folder / "latin1.md").write_bytes("# Caf\xe9\n\nCr\xe8me br\xfbl\xe9e".encode("latin-1"))
    (folder / "empty.md").write_text("   \n")
    (folder / "photo.png").write_bytes(b"\x89PNG")
    (folder / "junk.json").write_text("{not json")
    (folder / "other.json").write_text('{"users": []}')
    report = kb.import_paths([folder])
    big = kb.get("file:kb/huge.html")
    assert big.title == "Huge" and len(big.body) <= MAX_BODY_CHARS + 2 and "xxxx" not in big.body
    broken = kb.get("file:kb/broken.html")
    assert broken.body == "Unclosed bold tail link" and "cookie" not in broken.body
    assert "Cr\ufffdme" in kb.get("file:kb/latin1.md").body
    text = json.dumps(report.to_dict())
    for why in ("long file cut", "text cut to 100,000 characters", "binary file", "not valid UTF-8", "empty file",
                "not a knowledge file type (.png", "not valid JSON", "not a Chatwoot or Zendesk export"):
        assert why in text, why


def test_html_and_markdown_become_plain_text():
    text, title = html_to_text("<html><head><title>T &amp; C</title><style>b{}</style></head><body><h1>Terms</h1>"
                               "<ul><li>One</li><li>Two &lt;3</li></ul><noscript>no</noscript><iframe>x</iframe>"
                               "<p onclick='evil()'>Line\u202e</p><!-- hidden --></body></html>")
    assert title == "T & C" and text == "Terms\n- One\n- Two <3\nLine"
    md, md_title = markdown_to_text("# Title\n\n**Bold** and *it* `code`, [site](https://a.example) "
                                    "![img](x.png) <script>bad()</script>\n\n> quoted\n* item")
    assert md_title == "Title"
    assert md == "Title\nBold and it code, site (https://a.example) img\nquoted\n- item"
    flowed, _ = markdown_to_text("One line\nwrapped here.\n\n- item\n  continued\n\n```\nkeep\nlines\n```")
    assert flowed == "One line wrapped here.\n\n- item continued\n\nkeep\nlines"


def test_fifty_thousand_files_import_in_bounded_memory_with_progress(kb, tmp_path):
    folder = tmp_path / "export"
    for part in range(50):
        sub = folder / f"part{part:02d}"
        sub.mkdir(parents=True)
        for i in range(1000):
            name = f"{i:04d}.md" if i < 20 else f"{i:04d}.log"
            (sub / name).write_text(f"# Article {part}-{i}\n\nText number {part} {i} about parcels." if i < 20 else "log")
    seen = []
    tracemalloc.start()
    report = kb.import_paths([folder], progress=lambda n, path: seen.append(n))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.files_seen == 50_000 and seen[-1] == 50_000 and len(seen) == 50_000
    assert report.added == 1000
    reason = "not a knowledge file type (.log; expected .md, .html, .txt, .csv or .json)"
    assert report.skipped_count[reason] == 49_000 and len(report.skipped[reason]) == MAX_EXAMPLES
    assert "and 48980 more" in "\n".join(report.lines())
    assert peak < 60 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_an_index_file_that_is_not_ours_is_refused(tmp_path):
    import sqlite3

    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE users (id INTEGER)").connection.commit()
    with pytest.raises(StoreError, match="another application's database"):
        KnowledgeBase.open(other)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="cannot be used as a knowledge index"):
        KnowledgeBase.open(garbage)
    newer = tmp_path / "newer.sqlite"
    KnowledgeBase.open(newer).close()
    sqlite3.connect(newer).execute("PRAGMA user_version = 99").connection.commit()
    with pytest.raises(StoreError, match="newer version"):
        KnowledgeBase.open(newer)
