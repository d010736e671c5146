"""Practice without the copilot, and a monitor that sees deskilling early (Qt-free).

    session = PracticeSession.for_agent("ann", scenarios, now, recorder=usage_log)   # session.py
    score_chat(chat, promises_for(chat.scenario))                                      # scoring.py
    play(session, UnassistedAgent(skill=0.7), ManualClock(t0))                         # scripted practice

Scenarios carry what scoring expects (`[practice]`, resources/scenarios/README.md); the promises the
playbooks forbid are in resources/practice/forbidden_promises.toml. docs/skill.md has the rules.
"""
