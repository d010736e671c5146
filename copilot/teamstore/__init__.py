"""The team store (Qt-free): usage logs copied to the team's PostgreSQL, and the team review computed there.

    init_store(conn, target)                          schema.py: tables, roles, row-level security, migrations
    TeamSync(config, "usage.sqlite").run_once()       sync.py: one pass, in batches, idempotent and resumable
    TeamSync(...).status().text()                     status.py: "team store: 3 h behind · cannot reach …"
    review_store(config, password, since, until)      review.py: the same TeamReview as the file review

config.py says where the store is (URL without a password, TLS, the password from the keyring);
errors.py turns every failure into a plain sentence. The local usage log stays the source of truth:
the sync only reads it. See docs/teamstore.md.
"""
