"""Transports: SMS through a pluggable gateway, the DingTalk and WeCom group
robots, and the encrypted secrets they need. The bottom layer: it knows no
domain model, so any app may send a text (jobs' reminders, an enterprise's
sign-in code)."""
