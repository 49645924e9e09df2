"""Notices that reach people: deadlines that ran out, queued in an outbox and sent by e-mail."""
